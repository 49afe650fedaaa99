import type { Redis } from 'ioredis';
import type { DataCipher } from '../crypto/cipher.ts';
import type { OperatorKeys } from '../operators/keys.ts';
import { normalizeUsername } from '../operators/store.ts';

export interface LoginThrottleOptions {
  redis: Redis;
  keys: OperatorKeys;
  cipher: DataCipher;
  /** Failed logins allowed per username and per address in one window. @default 5 */
  maxFailures?: number;
  /** @default 15 minutes */
  windowMs?: number;
}

// Counts the attempt before the password is checked, so parallel guesses cannot
// slip past the limit. Returns 0 when allowed, else the ms until the window ends.
const BEGIN_SCRIPT = `
local max = tonumber(ARGV[1])
local wait = 0
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= max then
    wait = math.max(wait, redis.call('PTTL', KEYS[i]), 1)
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return 0`;

// A success clears the username's count and takes back this attempt from the address's
// (one good account must not let an address reset its count for guessing at others).
const SUCCEED_SCRIPT = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) end
return 1`;

/**
 * Login throttling by username and by keyed hash of the client address (fixed 15-min
 * windows). Neither the username nor the address is stored: both are keyed hashes.
 */
export class LoginThrottle {
  readonly #redis: Redis;
  readonly #keys: OperatorKeys;
  readonly #cipher: DataCipher;
  readonly #maxFailures: number;
  readonly #windowMs: number;

  constructor(opts: LoginThrottleOptions) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#cipher = opts.cipher;
    this.#maxFailures = opts.maxFailures ?? 5;
    this.#windowMs = opts.windowMs ?? 15 * 60 * 1000;
  }

  /**
   * Registers an attempt (counted as a failure until `succeeded`).
   * @returns 0 when the attempt may go ahead, else milliseconds until it may
   */
  async begin(username: string, ip: string): Promise<number> {
    const wait = await this.#redis.eval(
      BEGIN_SCRIPT,
      2,
      ...this.#counterKeys(username, ip),
      this.#maxFailures,
      this.#windowMs,
    );
    return Number(wait);
  }

  /** The attempt begun with `begin` succeeded. */
  async succeeded(username: string, ip: string): Promise<void> {
    await this.#redis.eval(SUCCEED_SCRIPT, 2, ...this.#counterKeys(username, ip));
  }

  #counterKeys(username: string, ip: string): [string, string] {
    return [
      this.#keys.loginFailUser(this.#cipher.keyedHash(normalizeUsername(username), 'login-user')),
      this.#keys.loginFailIp(this.#cipher.keyedHash(ip, 'ip')),
    ];
  }
}
