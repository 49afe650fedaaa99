import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { SessionSockets } from './session-sockets.ts';

const t = useLuaTest([]);

describe('SessionSockets', () => {
  it('admits exactly `max` parallel claims of one session, on any connection; a release frees a place', async () => {
    const instances = Array.from(
      { length: 4 },
      () => new SessionSockets(t.connection(), t.k, { ttlMs: 60_000, max: 5 }),
    );
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const admitted = await Promise.all(ids.map((id, i) => instances[i % 4]!.claim('s1', id)));
    expect(admitted.filter(Boolean)).toHaveLength(5);
    const key = t.k.join('session-sockets', 's1');
    expect(await t.redis.zcard(key)).toBe(5);
    // Another session counts its own.
    expect(await instances[0]!.claim('s2', randomUUID())).toBe(true);
    const first = ids[admitted.indexOf(true)]!;
    await instances[1]!.release('s1', first);
    expect(await instances[2]!.claim('s1', randomUUID())).toBe(true);
    expect(await instances[2]!.claim('s1', randomUUID())).toBe(false);
  });

  it('forgets the sockets of an instance that stopped refreshing them; refreshed ones stay', async () => {
    const died = new SessionSockets(t.redis, t.k, { ttlMs: 300, max: 2 });
    const alive = new SessionSockets(t.connection(), t.k, { ttlMs: 300, max: 2 });
    expect(await died.claim('s1', 'a')).toBe(true);
    expect(await alive.claim('s1', 'b')).toBe(true);
    expect(await alive.claim('s1', 'c')).toBe(false);
    for (let i = 0; i < 4; i++) {
      await sleep(120);
      await alive.refresh([{ sessionId: 's1', socketId: 'b' }]);
    }
    // `a` lapsed; `b`, refreshed, still counts.
    expect(await alive.claim('s1', 'c')).toBe(true);
    expect(await alive.claim('s1', 'd')).toBe(false);
  });
});
