/**
 * A read-only review found that one address could put about 1.1 GB into Redis in 72 hours
 * (100 starts an hour, each filled while waiting, kept RETENTION_HOURS), and many addresses
 * without bound. Redis evicts nothing: full, every write fails and the whole line stops,
 * the conversations under way too. Past its high-water mark no new conversation starts;
 * what is under way goes on. A private redis-server, so that its memory is this test's own.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { emitAck, waitFor } from '../support/clients.ts';
import { appPerTest } from '../support/per-test.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const MB = 1024 * 1024;
let redis: PrivateRedis | undefined;
// Registered first, so that it runs after the app has closed.
afterEach(async () => {
  await redis?.destroy();
  redis = undefined;
});
const h = appPerTest();
const start = async () =>
  emitAck<AnyAck>(await h.visitor(), 'chat:start', { role: 'victim', language: 'nl', text: 'Help' });

describe('Redis past its high-water mark', () => {
  it('starts no new conversation (unavailable, line_full); one under way goes on; below it again, starts do', async () => {
    redis = await startPrivateRedis();
    const direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const used = Number(/^used_memory:(\d+)/m.exec(await direct.info('memory'))?.[1]);
      // Well above what the app itself will write, well below the filler.
      const highMb = Math.ceil(used / MB) + 32;
      const t = await h.start({ REDIS_URL: redis.url, REDIS_MEMORY_HIGH_MB: String(highMb) });
      const v = await h.visitor();
      const first = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'Help' });
      expect(first.ok).toBe(true);

      await direct.set('filler', Buffer.alloc(48 * MB, 1));
      expect(await t.app.memoryGuard.check()).toBe(true);
      const refused = await start();
      expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'line_full' } });
      // What is under way goes on: her messages are stored and acked.
      const m = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm1', text: 'Ben je er?' });
      expect(m.ok).toBe(true);
      // The log says how much, never what; /metrics says so for whoever watches the line.
      expect(t.logs.some((l) => l.includes('redis memory high'))).toBe(true);
      expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^sl_redis_memory_high 1$/m);

      await direct.del('filler');
      // Redis gives back the buffers that carried the filler a few seconds later (clientsCron).
      await waitFor(async () => !(await t.app.memoryGuard.check()), 15_000);
      expect((await start()).ok).toBe(true);
    } finally {
      direct.disconnect();
    }
  });
});
