import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { LiveSockets } from './live-sockets.ts';

const t = useLuaTest([]);

describe('LiveSockets.claimEvicting', () => {
  it('admits every claim, parallel ones on any connection too, and keeps the group at `max`', async () => {
    const key = (group: string) => t.k.join('live', group);
    const instances = Array.from(
      { length: 4 },
      () => new LiveSockets(t.connection(), { key, ttlMs: 60_000, max: 3 }),
    );
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const evicted = (await Promise.all(ids.map((id, i) => instances[i % 4]!.claimEvicting('a', id)))).flat();
    // Each claim that found the group full took out exactly one other, never itself.
    expect(evicted).toHaveLength(ids.length - 3);
    expect(new Set(evicted).size).toBe(evicted.length);
    const live = await t.redis.zrange(key('a'), 0, -1);
    expect(live).toHaveLength(3);
    expect([...live, ...evicted].sort()).toEqual([...ids].sort());
    // Another group counts its own.
    expect(await instances[0]!.claimEvicting('b', randomUUID())).toEqual([]);
  });

  it('takes out the oldest first; a released one frees its place; a lapsed one goes by itself', async () => {
    const key = (group: string) => t.k.join('live', group);
    const live = new LiveSockets(t.redis, { key, ttlMs: 60_000, max: 2 });
    expect(await live.claimEvicting('a', 's1')).toEqual([]);
    await sleep(2);
    expect(await live.claimEvicting('a', 's2')).toEqual([]);
    await sleep(2);
    expect(await live.claimEvicting('a', 's3')).toEqual(['s1']);
    await live.release('a', 's2');
    expect(await live.claimEvicting('a', 's4')).toEqual([]);
    // Claimed again (a socket whose conversation ended): it is the newest now.
    await sleep(2);
    expect(await live.claimEvicting('a', 's3')).toEqual([]);
    await sleep(2);
    expect(await live.claimEvicting('a', 's5')).toEqual(['s4']);

    const short = new LiveSockets(t.redis, { key, ttlMs: 100, max: 1 });
    expect(await short.claimEvicting('c', 'x')).toEqual([]);
    await sleep(150);
    expect(await short.claimEvicting('c', 'y')).toEqual([]);
    expect(await t.redis.zrange(key('c'), 0, -1)).toEqual(['y']);
  });
});
