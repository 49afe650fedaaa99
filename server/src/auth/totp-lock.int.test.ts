import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { totpAttemptScript } from './scripts.ts';
import { TOTP_FAILURE_LIMIT, TOTP_FAILURES_FIELD, TotpLock, type TotpOutcome } from './totp-lock.ts';

const t = useLuaTest([totpAttemptScript]);

/** An account hash, as the operator store keeps it. */
async function account(id = 'anna'): Promise<string> {
  await t.redis.hset(t.k.accounts.operator(id), { id, username: id });
  return id;
}

describe('TotpLock', () => {
  it('checks at most the limit of codes, parallel attempts on separate connections included', async () => {
    const id = await account();
    const locks = Array.from(
      { length: 6 },
      () => new TotpLock({ redis: t.connection(), keys: t.k.accounts }),
    );
    let checked = 0;
    const wrong = async () => {
      checked++;
      return false;
    };
    const outcomes: TotpOutcome[] = await Promise.all(
      Array.from({ length: 3 * TOTP_FAILURE_LIMIT }, (_, i) => locks[i % locks.length]!.check(id, wrong)),
    );
    expect(checked).toBe(TOTP_FAILURE_LIMIT);
    expect(outcomes.filter((o) => o === 'lock-engaged')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(TOTP_FAILURE_LIMIT - 1);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(2 * TOTP_FAILURE_LIMIT);
    // Locked: even a right code is not checked.
    expect(await locks[0]!.check(id, async () => true)).toBe('locked');
  });

  it('a right code clears the count; deleting the field (an admin reset) lifts the lock', async () => {
    const id = await account();
    const lock = new TotpLock({ redis: t.redis, keys: t.k.accounts, limit: 3 });
    expect(await lock.check(id, async () => false)).toBe('refused');
    expect(await lock.check(id, async () => false)).toBe('refused');
    expect(await lock.check(id, async () => true)).toBe('accepted');
    expect(await t.redis.hget(t.k.accounts.operator(id), TOTP_FAILURES_FIELD)).toBeNull();
    expect(await lock.check(id, async () => false)).toBe('refused');
    expect(await lock.check(id, async () => false)).toBe('refused');
    expect(await lock.check(id, async () => false)).toBe('lock-engaged');
    expect(await lock.check(id, async () => true)).toBe('locked');
    await t.redis.hdel(t.k.accounts.operator(id), TOTP_FAILURES_FIELD);
    expect(await lock.check(id, async () => true)).toBe('accepted');
  });

  it('creates no hash for an unknown account', async () => {
    const lock = new TotpLock({ redis: t.redis, keys: t.k.accounts });
    expect(await lock.check('nobody', async () => true)).toBe('refused');
    expect(await t.keys()).toEqual([]);
  });
});
