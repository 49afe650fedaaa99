/**
 * The return window holds on the server to the millisecond for a resume by token too, not
 * only once the `away-expire` job or the 10 s sweep has ended the conversation: a phone in
 * someone else's hands cannot bring the conversation back after the window the visitor was
 * promised (DESIGN.md, "Version 2").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

const app = () => {
  if (!t) throw new Error('no app');
  return t.app;
};
const conv = (id: string) => app().redis.hgetall(app().keys.conversation(id));

/** A visitor whose connection dropped: the conversation is away, its window open. */
async function droppedVisitor() {
  const v = await connectVisitor(t!.url);
  sockets.push(v);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(start.ok).toBe(true);
  const id = String(start.conversationId);
  v.disconnect();
  await waitFor(async () => (await conv(id)).away === 'disconnected');
  return { id, token: String(start.resumeToken) };
}

/**
 * The window closed a moment ago, in the record and in the sweep's index; neither the
 * away-expire job nor the sweep has run.
 */
async function closeWindow(id: string) {
  const closed = Date.now() - 1;
  await app().redis.hset(app().keys.conversation(id), 'returnUntil', String(closed));
  await app().redis.zadd(app().keys.awayUntil, closed, id);
}

async function resumeByToken(resumeToken: string) {
  const v = await connectVisitor(t!.url);
  sockets.push(v);
  return emitAck<AnyAck>(v, 'chat:resume', { resumeToken });
}

describe('a resume by token', () => {
  it('past the return window is not_resumable and brings nothing back, before the sweep has run', async () => {
    // No workers: neither the away-expire job nor the sweep runs.
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const { id, token } = await droppedVisitor();
    const tokenKey = (await conv(id)).resumeKey!;
    await closeWindow(id);

    const r = await resumeByToken(token);
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', reason: 'not_resumable' } });
    expect(await conv(id)).toMatchObject({ state: 'waiting', away: 'disconnected', vsock: '' });
    // A token that can never succeed again is gone: once the sweep has ended the
    // conversation, it does not open it as an ended one either.
    expect(await app().redis.exists(tokenKey)).toBe(0);
    await app().lifecycle.endOverdueAway();
    expect((await conv(id)).state).toBe('ended');
    expect(await resumeByToken(token)).toMatchObject({
      ok: false,
      error: { code: 'not_found', reason: 'not_resumable' },
    });
  });

  it('past the window of an active conversation: its operator does not hear of a return', async () => {
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    sockets.push(op);
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const id = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: id })).ok).toBe(true);
    v.disconnect();
    await waitFor(async () => (await conv(id)).away === 'disconnected');
    await closeWindow(id);
    const returned = collect(op, 'chat:visitor-returned');

    const r = await resumeByToken(String(start.resumeToken));
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', reason: 'not_resumable' } });
    expect(await conv(id)).toMatchObject({ state: 'active', away: 'disconnected', vsock: '' });
    // A round trip on the operator's socket: anything sent before its answer has arrived.
    await emitAck(op, 'operator:status', { status: 'away' });
    expect(returned).toEqual([]);
  });

  it('positive control: within the window it resumes and the visitor is back', async () => {
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const { id, token } = await droppedVisitor();
    // The window closes in a few seconds, not yet.
    await app().redis.hset(app().keys.conversation(id), 'returnUntil', String(Date.now() + 5_000));

    const r = await resumeByToken(token);
    expect(r).toMatchObject({ ok: true, conversationId: id, state: 'waiting' });
    const after = await conv(id);
    expect(after.away).toBe('');
    expect(after.vsock).not.toBe('');
  });
});
