import type { Redis } from 'ioredis';
import type { DataCipher } from '../crypto/cipher.ts';
import type { OperatorKeys } from '../operators/keys.ts';
import { normalizeUsername } from '../operators/store.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { loginBeginScript, loginSucceedScript } from './scripts.ts';

/** The keys of an attempt, by the names the login scripts give them. */
const namedKeys = (a: LoginAttemptKeys) => {
  const [pair, user, address, known] = a.keys;
  return { pair, user, address, known };
};

/** The limits of `LoginThrottle`; every one has a default. */
export interface LoginLimits {
  /** Failures one username may have from one address before each further attempt waits. @default 5 */
  pairFree: number;
  /** A (username, address) count is forgotten this long after its last failure. @default 15 minutes */
  pairWindowMs: number;
  /**
   * Failures one username may have from all addresses together in one window before each
   * further attempt waits (distributed guessing). Not applied where that username signed in
   * before. @default 50
   */
  usernameFree: number;
  /**
   * Failures one address may have across all usernames in one window before each further
   * attempt waits (one address guessing many accounts). Not applied to usernames that
   * signed in from that address before. @default 20
   */
  addressFree: number;
  /** The window of the username and address counts, from their first failure. @default 15 minutes */
  windowMs: number;
  /** The first wait; it doubles with every further failure. @default 1000 */
  baseDelayMs: number;
  /** The longest wait: nobody is ever kept out longer. @default 60_000 */
  maxDelayMs: number;
  /** How long a sign-in from an address exempts that username there from the wider counts. @default 30 days */
  knownForMs: number;
}

export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  pairFree: 5,
  pairWindowMs: 15 * 60_000,
  usernameFree: 50,
  addressFree: 20,
  windowMs: 15 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  knownForMs: 30 * 86_400_000,
});

export interface LoginThrottleOptions {
  redis: Redis;
  keys: OperatorKeys;
  cipher: DataCipher;
  /** @default DEFAULT_LOGIN_LIMITS */
  limits?: Partial<LoginLimits>;
  /** @default Date.now */
  now?: () => number;
}

/** The Redis keys of one attempt, all named by keyed hashes. */
export interface LoginAttemptKeys {
  keys: [pair: string, username: string, address: string, known: string];
}

/** The answer of `LoginThrottle.begin`. */
export interface LoginBegin {
  waitMs: number;
  known: boolean;
}

/**
 * Login throttling that slows guessing down and never locks anyone out. Failures are
 * counted per (username, address), per username and per address, where the address is
 * an `addressBucket()` (IPv4, or an IPv6 /64). Past a few failures each further attempt
 * waits a delay that doubles up to `maxDelayMs`, counted atomically in Redis before the
 * password is checked. Nothing but keyed hashes is stored, and every key expires.
 */
export class LoginThrottle {
  readonly #redis: Redis;
  readonly #keys: OperatorKeys;
  readonly #cipher: DataCipher;
  readonly #limits: Readonly<LoginLimits>;
  readonly #now: () => number;

  constructor(opts: LoginThrottleOptions) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#cipher = opts.cipher;
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...opts.limits };
    this.#now = opts.now ?? Date.now;
    prepareScripts(this.#redis, [loginBeginScript, loginSucceedScript]);
  }

  /** The keys of an attempt at `username` from `bucket` (an `addressBucket()`). */
  attempt(username: string, bucket: string): LoginAttemptKeys {
    const user = normalizeUsername(username);
    const pair = `${user}\u0000${bucket}`;
    const h = (value: string, purpose: string) => this.#cipher.keyedHash(value, purpose);
    return {
      keys: [
        this.#keys.loginThrottle('pair', h(pair, 'login-pair')),
        this.#keys.loginThrottle('user', h(user, 'login-user')),
        this.#keys.loginThrottle('address', h(bucket, 'login-address')),
        this.#keys.loginKnown(h(pair, 'login-known')),
      ],
    };
  }

  /**
   * Registers an attempt, counted as a failure until `succeeded`.
   * @returns `waitMs`: 0 when the attempt may go ahead, else the milliseconds it must wait;
   *   `known`: this username signed in from this address within `knownForMs`
   */
  async begin(attempt: LoginAttemptKeys): Promise<LoginBegin> {
    const l = this.#limits;
    return runScript(this.#redis, loginBeginScript, namedKeys(attempt), {
      now: this.#now(),
      baseDelayMs: l.baseDelayMs,
      maxDelayMs: l.maxDelayMs,
      pairFree: l.pairFree,
      pairWindowMs: l.pairWindowMs,
      usernameFree: l.usernameFree,
      addressFree: l.addressFree,
      windowMs: l.windowMs,
    });
  }

  /** The attempt begun with `begin` succeeded. */
  async succeeded(attempt: LoginAttemptKeys): Promise<void> {
    await runScript(this.#redis, loginSucceedScript, namedKeys(attempt), {
      knownForMs: this.#limits.knownForMs,
    });
  }
}
