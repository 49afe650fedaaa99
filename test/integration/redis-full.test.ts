/**
 * Redis full (`maxmemory` reached, `noeviction`): every write fails with OOM. A troll who
 * opens many conversations, or plain growth, brings it about. The server must then neither
 * spin nor flood the log, and must work again by itself once memory is freed. A private
 * redis-server, so that its memory is this test's own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { emitAck, waitFor } from '../support/clients.ts';
import { appPerTest } from '../support/per-test.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const MB = 1024 * 1024;
const WINDOW_MS = 5_000;
let redis: PrivateRedis | undefined;
let direct: Redis | undefined;
// Registered first, so that it runs after the app has closed.
afterEach(async () => {
  direct?.disconnect();
  await redis?.destroy();
  direct = undefined;
  redis = undefined;
});
const h = appPerTest();
const start = async () =>
  emitAck<AnyAck>(await h.visitor(), 'chat:start', { role: 'victim', language: 'nl', text: 'Help' });

/** Sleeps until the clock reads `at` (ms since the epoch). */
const until = (at: number) => sleep(Math.max(0, at - Date.now()));
const usedMemory = async () => Number(/^used_memory:(\d+)/m.exec(await direct!.info('memory'))?.[1]);
const commandsProcessed = async () =>
  Number(/^total_commands_processed:(\d+)/m.exec(await direct!.info('stats'))?.[1]);

/** What the server did over `ms`: its CPU time, Redis' commands and its log lines. */
async function measure(ms: number) {
  const logsBefore = h.t.logs.length;
  const commandsBefore = await commandsProcessed();
  const cpuBefore = process.cpuUsage();
  await sleep(ms);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    // Less this window's own two INFO commands.
    commandsPerS: ((await commandsProcessed()) - commandsBefore - 2) / (ms / 1000),
    logLines: h.t.logs.slice(logsBefore),
  };
}

describe('Redis full', () => {
  it('costs no CPU spinning and few log lines; once memory is freed, conversations start and queued jobs run', async () => {
    redis = await startPrivateRedis();
    direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const t = await h.start({ REDIS_URL: redis.url });
    const v = await h.visitor();
    expect(
      (await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'Help' })).ok,
    ).toBe(true);
    const idle = await measure(WINDOW_MS);

    // Redis fills a second before the sweep comes due (every SWEEP_EVERY_MS): BullMQ moves it
    // to active, fails to queue its next run, and its worker then asks for the next job again
    // at once after each OOM, until a fetch succeeds (a delayed job that falls due ends it).
    const q = t.app.queues.conversations;
    let nextSweep = (await q.getJobScheduler('sweep'))!.next!;
    if (nextSweep - Date.now() < 2_000) {
      await until(nextSweep + 500);
      nextSweep = (await q.getJobScheduler('sweep'))!.next!;
    }
    await until(nextSweep - 1_000);
    // A job of ours, queued now, due once memory has been freed again.
    await q.add('hold', { conversationId: 'nobody' }, { delay: 9_000, jobId: 'due-after' });
    // Junk until Redis refuses, then `maxmemory` just below what it uses, so that nothing
    // the server frees meanwhile lets a write through.
    await direct.config('SET', 'maxmemory', String((await usedMemory()) + 2 * MB));
    let junk = 0;
    await expect(
      (async () => {
        for (;;) await direct!.set(`junk:${junk++}`, Buffer.alloc(256 * 1024, 1));
      })(),
    ).rejects.toThrow(/^OOM/);
    await direct.config('SET', 'maxmemory', String((await usedMemory()) - MB));
    await until(nextSweep + 1_000);
    const full = await measure(WINDOW_MS);
    await expect(direct.set('probe', 'x')).rejects.toThrow(/^OOM/);
    // What is under way is refused too, with an error, not silence.
    const refused = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm1', text: 'Ben je er?' });
    expect(refused.ok).toBe(false);

    // Idle, the CPU and Redis' commands are the timers and the sweep. Full, the worker asked
    // again at once after each OOM: 19,000 commands a second and 58 % of a core (2026-12).
    // The CPU bound leaves room for the first errors' one-off costs (~150 ms).
    expect(full.commandsPerS).toBeLessThan(idle.commandsPerS + 100);
    expect(full.cpuMs).toBeLessThan(Math.max(3 * idle.cpuMs, idle.cpuMs + 0.1 * WINDOW_MS));
    expect(full.logLines.length).toBeLessThan(15);
    for (const line of full.logLines) expect(line).not.toMatch(/Help|Ben je er/);

    await direct.config('SET', 'maxmemory', '0');
    await direct.del(...Array.from({ length: junk }, (_, i) => `junk:${i}`));
    // The job queued before runs (removed once done, JOB_RETENTION; a failed one is kept).
    await waitFor(async () => (await q.getJob('due-after')) === undefined, 15_000);
    // The conversation under way goes on.
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm2', text: 'Ben je er?' })).ok).toBe(
      true,
    );
    // A new one starts once the memory guard has read Redis again.
    await waitFor(async () => !(await t.app.memoryGuard.check()), 15_000);
    expect((await start()).ok).toBe(true);
  });
});
