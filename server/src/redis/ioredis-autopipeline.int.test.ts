import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { catchUnawaited } from './connect.ts';

type Scripted = Redis & Record<string, (...args: string[]) => Promise<unknown>>;
type AutoPipelines = { _autoPipelines: Map<string, object> };

/**
 * patches/ioredis+5.11.1.patch: an auto-pipeline (one per event-loop turn and connection)
 * no longer gets a copy of every script the connection knows; it finds them on a prototype
 * made once per connection. With the shared connection's two dozen scripts the copies cost
 * each command about 26 µs and a pipeline object in dictionary mode.
 */
describe('auto-pipelines', () => {
  it("carry no copy of the connection's scripts, and run scripts, their Buffer forms and commands as before", async () => {
    // As the server makes its connections: catchUnawaited wraps `publish` and others on the
    // connection itself, and an auto-pipeline must not take those wrappers for scripts (an
    // earlier version of the patch did, and recursed for ever).
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
      const pipe = redis.pipeline() as unknown as Explicit;
      pipe.slAuto1!('k', 'c');
      expect(await pipe.exec()).toEqual([[null, 'c1']]);
      const multi = redis.multi() as unknown as Explicit;
      multi.slAuto2!('k', 'd');
      expect(await multi.exec()).toEqual([[null, 'd2']]);
    } finally {
      redis.disconnect();
    }
  });
});

type Explicit = Record<string, (...args: string[]) => unknown> & { exec(): Promise<unknown> };

/**
 * The same patch: explicit pipelines and transactions find the connection's scripts on a
 * prototype made once per connection, rather than each copying them (5 kB and a
 * dictionary-mode object per pipeline with two dozen scripts: every visitor handshake made two).
 */
describe('explicit pipelines and transactions', () => {
  it('share one copy of the scripts per connection, and see a script defined after an earlier pipeline', async () => {
    const redis = catchUnawaited(new Redis(inject('redisUrl'), { enableAutoPipelining: true })) as Scripted;
    const other = new Redis(inject('redisUrl')) as Scripted;
    try {
      for (let i = 0; i < 25; i++)
        redis.defineCommand(`slPipe${i}`, { numberOfKeys: 1, lua: `return ARGV[1] .. '${i}'` });
      other.defineCommand('slOther', { numberOfKeys: 1, lua: "return 'other'" });
      const pipe = redis.pipeline() as unknown as Explicit;
      const multi = redis.multi() as unknown as Explicit;
      const elsewhere = other.pipeline() as unknown as Explicit;
      for (const p of [pipe, multi]) {
        expect(Object.keys(p).filter((k) => k.startsWith('slPipe'))).toEqual([]);
        expect(Object.getPrototypeOf(p)).toBe(Object.getPrototypeOf(pipe));
      }
      // Each connection's pipelines have its own scripts only.
      expect(Object.getPrototypeOf(elsewhere)).not.toBe(Object.getPrototypeOf(pipe));
      expect((elsewhere as Record<string, unknown>).slPipe0).toBeUndefined();
      expect((pipe as Record<string, unknown>).slOther).toBeUndefined();

      pipe.slPipe3!('k', 'a');
      pipe.slPipe7Buffer!('k', 'b');
      pipe.get!('sl-pipe-none');
      const [a, b, none] = (await pipe.exec()) as [unknown, [unknown, Buffer], unknown];
      expect([a, [b[0], String(b[1])], none]).toEqual([
        [null, 'a3'],
        [null, 'b7'],
        [null, null],
      ]);
      multi.slPipe24!('k', 'c');
      expect(await multi.exec()).toEqual([[null, 'c24']]);
      elsewhere.slOther!('k');
      expect(await elsewhere.exec()).toEqual([[null, 'other']]);

      // A script defined later is on the pipelines made after it.
      redis.defineCommand('slPipeLate', { numberOfKeys: 1, lua: "return 'late'" });
      const later = redis.multi() as unknown as Explicit;
      later.slPipeLate!('k');
      expect(await later.exec()).toEqual([[null, 'late']]);
      expect(Object.keys(later).filter((k) => k.startsWith('slPipe'))).toEqual([]);
    } finally {
      redis.disconnect();
      other.disconnect();
    }
  });
});
