import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { catchUnawaited } from './connect.ts';

type Scripted = Redis & Record<string, (...args: string[]) => Promise<unknown>>;
type AutoPipelines = { _autoPipelines: Map<string, object> };

/**
 * patches/ioredis+5.11.1.patch: an auto-pipeline (one per event-loop turn and connection)
 * no longer gets a copy of every script the connection knows; it runs them through the
 * connection's own functions. With the shared connection's two dozen scripts the copies
 * cost each command about 26 µs and a pipeline object in dictionary mode.
 */
describe('auto-pipelines', () => {
  it("carry no copy of the connection's scripts, and run scripts, their Buffer forms and commands as before", async () => {
    // As the server makes its connections: catchUnawaited wraps `publish` and others on the
    // connection itself, and an auto-pipeline must not take those wrappers for scripts.
    const redis = catchUnawaited(new Redis(inject('redisUrl'), { enableAutoPipelining: true })) as Scripted;
    try {
      for (let i = 0; i < 25; i++)
        redis.defineCommand(`slAuto${i}`, { numberOfKeys: 1, lua: `return ARGV[1] .. '${i}'` });
      await redis.ping();
      const running = [
        redis.slAuto0!('k', 'a'),
        redis.slAuto24Buffer!('k', 'b'),
        redis.get('sl-auto-none'),
        redis.publish('sl-auto-channel', 'x'),
      ];
      const auto = (redis as unknown as AutoPipelines)._autoPipelines.get('main');
      expect(auto).toBeDefined();
      expect(Object.keys(auto!).filter((k) => k.startsWith('slAuto'))).toEqual([]);
      const [a, b, none, receivers] = await Promise.all(running);
      expect([a, String(b), none, receivers]).toEqual(['a0', 'b24', null, 0]);

      // An explicit pipeline and a transaction still have them.
      const pipe = redis.pipeline() as unknown as Record<string, (...args: string[]) => unknown> & {
        exec(): Promise<unknown>;
      };
      pipe.slAuto1!('k', 'c');
      expect(await pipe.exec()).toEqual([[null, 'c1']]);
      const multi = redis.multi() as unknown as typeof pipe;
      multi.slAuto2!('k', 'd');
      expect(await multi.exec()).toEqual([[null, 'd2']]);
    } finally {
      redis.disconnect();
    }
  });
});
