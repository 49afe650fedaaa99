import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { settleClaimScript } from './scripts.ts';

const t = useLuaTest([settleClaimScript]);

const settle = (token: string, keepMs: number, kind = 'unstaffed') =>
  runScript(t.redis, settleClaimScript, { claim: t.k.oncallPaged(kind, 'default') }, { token, keepMs });

describe('settle.lua', () => {
  it('releases a claim only while it is still the caller’s', async () => {
    const claim = t.k.oncallPaged('unstaffed', 'default');
    await t.redis.set(claim, 'theirs', 'PX', 60_000);
    // A claim that expired and was taken by another instance is left alone.
    expect(await settle('mine', 0)).toBe(false);
    expect(await t.redis.get(claim)).toBe('theirs');
    expect(await settle('theirs', 0)).toBe(true);
    expect(await t.redis.exists(claim)).toBe(0);
    // Nothing to release: nothing is created.
    expect(await settle('theirs', 0)).toBe(false);
    expect(await t.keys()).toEqual([]);
  });

  it('keeps a claim for the interval counted from now, only while it is the caller’s', async () => {
    const claim = t.k.oncallPaged('urgent-waiting', 'default');
    await t.redis.set(claim, 'mine', 'PX', 6_000);
    expect(await settle('other', 300_000, 'urgent-waiting')).toBe(false);
    expect(await t.redis.pttl(claim)).toBeLessThanOrEqual(6_000);
    expect(await settle('mine', 300_000, 'urgent-waiting')).toBe(true);
    expect(await t.redis.pttl(claim)).toBeGreaterThan(290_000);
    expect(await t.redis.get(claim)).toBe('mine');
  });
});
