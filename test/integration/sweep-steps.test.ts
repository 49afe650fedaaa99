/**
 * The sweep is the night shift's safety net: one step that throws (a bad record, a Redis
 * hiccup on one read, a bug in one service) must not skip the steps after it on every run.
 * Real Redis, the real BullMQ worker running the real sweep job.
 */
import { ReplyError } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, emitAck, waitFor } from '../support/clients.ts';

type AnyAck = { ok: boolean; conversationId?: string };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

/** What the failing step's error says: it must reach no log line and no stored job. */
const SECRET = 'visitor wrote: help me';

describe('a sweep step that throws', () => {
  it('does not keep the later steps from running: an overdue away conversation still ends, on-call is still checked, and the job still fails', async () => {
    t = await startTestApp({ RETURN_WINDOW_MIN: '0.05' });
    const app = t.app;
    const key = (...parts: string[]) => [app.config.redisPrefix, ...parts].join(':');
    const field = (id: string, name: string) => app.redis.hget(key('conv', id), name);

    // The sweep's first step fails on every run.
    app.presence.sweepOperators = async () => {
      throw Object.assign(new Error(SECRET), { code: 'ECONNRESET' });
    };
    // A later step fails with a Redis error reply: its leading word is the code.
    app.waiters.holdGoneWaiters = async () => {
      throw new ReplyError(`OOM command not allowed when used memory > 'maxmemory': ${SECRET}`);
    };
    const routeNow = vi.spyOn(app.router, 'routeNow');
    const pushSnapshot = vi.spyOn(app.queueView, 'pushSnapshot');
    const pageUnstaffed = vi.spyOn(app.oncall, 'pageUnstaffedLines');
    // Only the sweep can end the conversation: its away-expire job is lost.
    const q = app.queues.conversations;
    const add = q.add.bind(q);
    q.add = ((name, data, opts) =>
      name === 'away-expire'
        ? Promise.reject(new Error('connection lost'))
        : add(name, data, opts)) as typeof q.add;

    const v = await connectVisitor(t.url);
    sockets.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    expect(start.ok).toBe(true);
    const id = String(start.conversationId);
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    v.disconnect();
    const returnUntil = Number(await field(id, 'returnUntil'));
    await waitFor(() => Date.now() > returnUntil + 50, 10_000);

    // Calls before now came from the start and the leave, not from a sweep.
    for (const spy of [routeNow, pushSnapshot, pageUnstaffed]) spy.mockClear();
    // One sweep, as the scheduler queues it (one attempt: the next is 10 s away).
    const job = await q.add('sweep', {}, { attempts: 1 });
    await waitFor(async () => (await job.getState()) === 'failed', 10_000);

    await waitFor(async () => (await field(id, 'state')) === 'ended', 5000).catch(() => undefined);
    expect(await field(id, 'state'), 'the away conversation is ended by the sweep').toBe('ended');
    expect(await field(id, 'endReason')).toBe('timeout');
    expect(routeNow).toHaveBeenCalled();
    expect(pushSnapshot).toHaveBeenCalled();
    expect(pageUnstaffed).toHaveBeenCalled();

    // BullMQ counts the job failed, naming the step but not what its error said.
    const failed = await q.getJob(String(job.id));
    expect(failed?.failedReason).toContain('presence.sweepOperators');
    expect(JSON.stringify(failed?.stacktrace ?? [])).not.toContain(SECRET);
    expect(failed?.failedReason).not.toContain(SECRET);
    // The log names the step and the error's code, never its message.
    const line = t.logs.find((l) => l.includes('sweep step failed') && l.includes('sweepOperators'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ step: 'presence.sweepOperators', code: 'ECONNRESET' });
    const redisLine = t.logs.find((l) => l.includes('sweep step failed') && l.includes('holdGoneWaiters'));
    expect(JSON.parse(redisLine ?? '{}')).toMatchObject({ error: 'ReplyError', code: 'OOM' });
    expect(failed?.failedReason).toContain('waiters.holdGoneWaiters');
    expect(t.logs.filter((l) => l.includes(SECRET))).toEqual([]);
  });
});
