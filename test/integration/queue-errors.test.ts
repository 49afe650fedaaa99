/**
 * A read-only review found two things in the log while Redis was at its `maxmemory` or
 * gone: BullMQ's worker asks again at once after an error that is not a lost connection, so
 * one idle server wrote 160,000 "worker error" lines (94 MB) in 21 s; and each lost
 * connection's error named Redis' address and port. A private redis-server, so that its
 * memory and its life are this test's own.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.ts';

let redis: PrivateRedis | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await redis?.destroy();
  t = undefined;
  redis = undefined;
});

const lines = (match: string) => t!.logs.filter((l) => l.includes(match));

describe("BullMQ's errors in the log", () => {
  it('come once per kind and interval while Redis refuses writes, and never name its address when it is gone', async () => {
    redis = await startPrivateRedis();
    const direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      t = await startTestApp({ REDIS_URL: redis.url });
      // A job that comes due while Redis refuses every write: its worker cannot take it.
      await t.app.queues.conversations.add('sweep', {}, { delay: 300, jobId: 'due-at-maxmemory' });
      await direct.config('SET', 'maxmemory', '1');
      await sleep(3_000);
      await direct.config('SET', 'maxmemory', '0');
      const refused = lines('"OOM');
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length).toBeLessThan(10);
    } finally {
      direct.disconnect();
    }

    await redis.stop();
    await sleep(2_000);
    const lost = t.logs.filter((l) => l.includes('ECONNREFUSED'));
    expect(lost.length).toBeGreaterThan(0);
    expect(t.logs.join('\n')).not.toContain(`127.0.0.1:${redis.port}`);
    await redis.start();
  });
});
