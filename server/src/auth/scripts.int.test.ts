import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { loginBeginScript, loginSucceedScript } from './scripts.ts';

const t = useLuaTest([loginBeginScript, loginSucceedScript]);

const T0 = 1_800_000_000_000;
const LIMITS = {
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  pairFree: 3,
  pairWindowMs: 900_000,
  usernameFree: 6,
  addressFree: 5,
  windowMs: 600_000,
};

const keys = (user: string, addr: string) => ({
  pair: t.k.accounts.loginThrottle('pair', `${user}|${addr}`),
  user: t.k.accounts.loginThrottle('user', user),
  address: t.k.accounts.loginThrottle('address', addr),
  known: t.k.accounts.loginKnown(`${user}|${addr}`),
});
/** The whole answer of login-begin.lua: `{ waitMs, known }`. */
const beginAnswer = (user: string, addr: string, now: number, redis: Redis = t.redis) =>
  runScript(redis, loginBeginScript, keys(user, addr), { now, ...LIMITS });
const begin = async (user: string, addr: string, now: number, redis: Redis = t.redis) =>
  (await beginAnswer(user, addr, now, redis)).waitMs;
const succeed = (user: string, addr: string) =>
  runScript(t.redis, loginSucceedScript, keys(user, addr), { knownForMs: 86_400_000 });
const counter = (key: string) => t.redis.hgetall(key);

describe('login-begin.lua', () => {
  it('a first attempt goes ahead and is counted at once on all three counters', async () => {
    expect(await begin('anna', 'a1', T0)).toBe(0);
    const k = keys('anna', 'a1');
    for (const key of [k.pair, k.user, k.address])
      expect(await counter(key)).toEqual({ n: '1', t: String(T0) });
    expect(await t.redis.pttl(k.pair)).toBeGreaterThan(LIMITS.pairWindowMs - 60_000);
    expect(await t.redis.pttl(k.user)).toBeGreaterThan(LIMITS.windowMs - 60_000);
    expect(await t.redis.pttl(k.user)).toBeLessThanOrEqual(LIMITS.windowMs);
    expect(await t.redis.exists(k.known)).toBe(0);
  });

  it('past pairFree failures each attempt waits base * 2^(n - free) after the last, capped; a refused one is not counted', async () => {
    let now = T0;
    for (let i = 0; i < LIMITS.pairFree; i++) expect(await begin('anna', 'a1', now)).toBe(0);
    const waits: number[] = [];
    for (let n = LIMITS.pairFree; n < LIMITS.pairFree + 8; n++) {
      const wait = await begin('anna', 'a1', now);
      waits.push(wait);
      expect(await begin('anna', 'a1', now + wait - 1)).toBe(1);
      expect(await counter(keys('anna', 'a1').pair)).toEqual({ n: String(n), t: String(now) });
      now += wait;
      expect(await begin('anna', 'a1', now)).toBe(0);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  it('the username counter slows down guessing one username from many addresses', async () => {
    for (let i = 0; i < LIMITS.usernameFree; i++) expect(await begin('anna', `addr${i}`, T0)).toBe(0);
    expect(await begin('anna', 'fresh-address', T0 + 10)).toBe(990);
    expect(await begin('bob', 'fresh-address', T0 + 10)).toBe(0);
  });

  it('the address counter slows down one address trying many usernames', async () => {
    for (let i = 0; i < LIMITS.addressFree; i++) expect(await begin(`user${i}`, 'a1', T0)).toBe(0);
    expect(await begin('fresh-user', 'a1', T0 + 1)).toBe(999);
    expect(await begin('fresh-user', 'a2', T0 + 1)).toBe(0);
  });

  it('a pair that signed in recently is held only by its own counter', async () => {
    for (let i = 0; i < LIMITS.usernameFree; i++) await begin('anna', `addr${i}`, T0);
    await succeed('anna', 'addr0');
    // The username is under attack from elsewhere; Anna at her usual address is not slowed.
    await begin('anna', 'attacker', T0);
    expect(await begin('anna', 'addr0', T0 + 1)).toBe(0);
    expect(await begin('anna', 'elsewhere', T0 + 1)).toBeGreaterThan(0);
    // Her own pair counter still holds her back after pairFree failures.
    await begin('anna', 'addr0', T0 + 2);
    await begin('anna', 'addr0', T0 + 3);
    expect(await begin('anna', 'addr0', T0 + 4)).toBe(999);
  });

  it('says whether the pair signed in recently, whether or not the attempt must wait', async () => {
    expect(await beginAnswer('anna', 'a1', T0)).toEqual({ waitMs: 0, known: false });
    await succeed('anna', 'a1');
    expect(await beginAnswer('anna', 'a1', T0)).toEqual({ waitMs: 0, known: true });
    expect(await beginAnswer('anna', 'a2', T0)).toEqual({ waitMs: 0, known: false });
    for (let i = 0; i < LIMITS.pairFree; i++) await begin('anna', 'a1', T0);
    expect(await beginAnswer('anna', 'a1', T0 + 1)).toEqual({ waitMs: 999, known: true });
  });

  it('the pair window slides with each attempt; the username and address windows count from the first', async () => {
    await begin('anna', 'a1', T0);
    const k = keys('anna', 'a1');
    for (const key of [k.pair, k.user, k.address]) await t.redis.pexpire(key, 5000);
    await begin('anna', 'a1', T0 + 1);
    expect(await t.redis.pttl(k.pair)).toBeGreaterThan(LIMITS.pairWindowMs - 60_000);
    expect(await t.redis.pttl(k.user)).toBeLessThanOrEqual(5000);
    expect(await t.redis.pttl(k.address)).toBeLessThanOrEqual(5000);
  });

  it('race: parallel attempts at once are counted exactly; past the free ones all wait', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => begin('anna', 'a1', T0, t.connection())),
    );
    expect(results.filter((w) => w === 0)).toHaveLength(LIMITS.pairFree);
    expect(results.filter((w) => w === 1000)).toHaveLength(12 - LIMITS.pairFree);
    expect((await counter(keys('anna', 'a1').pair)).n).toBe(String(LIMITS.pairFree));
  });
});

describe('login-succeed.lua', () => {
  it('takes back only its own attempt from each counter, and remembers the pair', async () => {
    await begin('anna', 'a1', T0);
    await begin('anna', 'a1', T0);
    await begin('anna', 'a2', T0);
    await begin('bob', 'a1', T0);
    await succeed('anna', 'a1');
    const k = keys('anna', 'a1');
    expect((await counter(k.pair)).n).toBe('1');
    expect((await counter(k.user)).n).toBe('2');
    expect((await counter(k.address)).n).toBe('2');
    expect(await t.redis.get(k.known)).toBe('1');
    const ttl = await t.redis.pttl(k.known);
    expect(ttl).toBeGreaterThan(86_000_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
  });

  it('a counter at its last attempt is removed, and one already gone stays gone', async () => {
    await begin('anna', 'a1', T0);
    await succeed('anna', 'a1');
    const k = keys('anna', 'a1');
    expect(await t.redis.exists(k.pair, k.user, k.address)).toBe(0);
    await succeed('anna', 'a1');
    expect(await t.keys()).toEqual([k.known]);
  });
});
