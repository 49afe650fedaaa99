import type { Redis } from 'ioredis';
import type { OperatorKeys } from '../operators/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { totpAttemptScript } from './scripts.ts';

/**
 * Wrong TOTP codes given after the RIGHT password, between two successful sign-ins of the
 * account, that lock its TOTP step until an admin resets the password or the TOTP secret.
 *
 * Why 10: a guessed code is right with probability 3/10^6 (the ±1 step window accepts
 * three codes). The login throttle alone lets about 70 guesses through per 15 minutes from
 * rotating addresses (~6,700 a day: ~2 % a day, ~45 % in 30 days). With the lock, whoever
 * holds the password gets at most 10 guesses, 3 × 10^-5 (1 in 33,000), before the lock
 * engages and supervisors are alerted. The owner's own sign-ins start the count again, so
 * an attacker who stays below the limit gets 9 guesses per sign-in of the owner: at one a
 * day, about 1 % a year instead of 45 % a month. An owner who mistypes ten times in a row
 * without one success is rare; a phone with a wrong clock fails every code anyway.
 * @default 10
 */
export const TOTP_FAILURE_LIMIT = 10;

/**
 * The field of the account's hash (`accounts.operator(id)`) that counts wrong codes. It
 * lives as long as the account, has no window and no expiry; a successful sign-in and an
 * admin's password reset, new TOTP secret or TOTP turned off delete it.
 */
export const TOTP_FAILURES_FIELD = 'totpFailures';

/**
 * What became of a code given after the right password:
 * - `accepted`: right; the count is cleared (TOTP is the last check of a sign-in);
 * - `refused`: wrong, and counted;
 * - `lock-engaged`: wrong, and the one that reached the limit: the caller audits and alerts;
 * - `locked`: not checked at all, the limit was reached before.
 */
export type TotpOutcome = 'accepted' | 'refused' | 'lock-engaged' | 'locked';

/**
 * Counts wrong TOTP codes per account, atomically in Redis, apart from the login throttle:
 * the throttle slows guessing down per window and forgets; this never forgets, because
 * whoever gives codes after the right password already holds the password. Locking on them
 * is therefore no denial of service a stranger can cause: only a password holder can lock
 * an account, and the remedy (a new password) is what such an account needs anyway.
 */
export class TotpLock {
  readonly #redis: Redis;
  readonly #keys: OperatorKeys;
  readonly #limit: number;

  constructor(opts: { redis: Redis; keys: OperatorKeys; limit?: number }) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#limit = opts.limit ?? TOTP_FAILURE_LIMIT;
    prepareScripts(this.#redis, [totpAttemptScript]);
  }

  /**
   * Checks a code given after the right password with `verify`, within the lock: counted
   * before it is checked (so parallel attempts check at most the limit), not checked at all
   * once locked, and the count cleared when it is right.
   * @example const outcome = await lock.check(id, () => operators.verifyTotp(id, code, now()))
   */
  async check(operatorId: string, verify: () => Promise<boolean>): Promise<TotpOutcome> {
    const account = this.#keys.operator(operatorId);
    const attempt = await runScript(
      this.#redis,
      totpAttemptScript,
      { account },
      { field: TOTP_FAILURES_FIELD, limit: this.#limit },
    );
    if (attempt === 0) return 'locked';
    if (attempt < 0) return 'refused';
    if (await verify()) {
      await this.#redis.hdel(account, TOTP_FAILURES_FIELD);
      return 'accepted';
    }
    return attempt === this.#limit ? 'lock-engaged' : 'refused';
  }
}
