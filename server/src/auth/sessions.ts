import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OperatorAuthState, OperatorStore } from '../operators/store.ts';
import type { SessionInfo } from './types.ts';

/** The operator session cookie (`sessionCookieName`: its name in production). */
export const SESSION_COOKIE = 'sl_session';

/**
 * The session cookie's name. Where it is Secure (production), `__Host-` prefixed: browsers
 * then take it only Secure, host-only (no Domain) and with Path=/, so a site on a sibling
 * subdomain (a hacked www) cannot plant a session of its own choosing for the console, nor
 * overshadow the operator's with a narrower path. Over plain HTTP (development, tests) the
 * prefix would make browsers refuse the cookie, so it is the bare name there.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}
/** A session ends this long after login however active it is. @default 12 h */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** 32 random bytes in base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The session id is the SHA-256 of the token: Redis never holds the token itself, and
 * with 256 random bits a keyed hash would add nothing (and would die with a key rotation).
 */
export function sessionIdForToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A new session token (for the cookie, never stored) and its session id. */
export function newSessionToken(): { token: string; sessionId: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, sessionId: sessionIdForToken(token) };
}

export interface SessionStoreOptions {
  redis: Redis;
  operators: OperatorStore;
  /** Inactivity after which a session ends (`SESSION_IDLE_MIN`). */
  idleMs: number;
  /** @default SESSION_MAX_AGE_MS */
  maxAgeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Operator sessions in Redis: `<prefix>:session:<sha256(token)>` plus a per-operator set. */
export class SessionStore {
  readonly #redis: Redis;
  readonly #operators: OperatorStore;
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(opts: SessionStoreOptions) {
    this.#redis = opts.redis;
    this.#operators = opts.operators;
    this.#idleMs = opts.idleMs;
    this.#maxAgeMs = opts.maxAgeMs ?? SESSION_MAX_AGE_MS;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Starts a session for an operator whose credentials were just checked. `state.epoch`
   * is the one read during that check, so a revocation in between kills this session.
   * @returns the token for the cookie (never stored) and the session id
   */
  async create(state: OperatorAuthState): Promise<{ token: string; sessionId: string }> {
    const keys = this.#operators.keys;
    const operatorId = state.account.id;
    const { token, sessionId } = newSessionToken();
    const setKey = keys.sessionsOf(operatorId);
    await this.#pruneSessionSet(operatorId);
    await this.#redis
      .multi()
      .hset(keys.session(sessionId), {
        operatorId,
        createdAt: String(this.#now()),
        epoch: String(state.epoch),
      })
      .pexpire(keys.session(sessionId), Math.min(this.#idleMs, this.#maxAgeMs))
      .sadd(setKey, sessionId)
      // No session in the set outlives the newest one's maximum age.
      .pexpire(setKey, this.#maxAgeMs)
      .exec();
    return { token, sessionId };
  }

  /** Resolves a cookie token to a live session, refreshing its idle timer when `touch`. */
  async fromToken(token: string, opts: { touch: boolean }): Promise<SessionInfo | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    return this.check(sessionIdForToken(token), opts);
  }

  /**
   * The live session with this id, or null when it expired, was revoked, outlived its
   * maximum age, or its operator is disabled. `touch` refreshes the idle timer.
   */
  async check(sessionId: string, opts: { touch: boolean }): Promise<SessionInfo | null> {
    const key = this.#operators.keys.session(sessionId);
    const s = await this.#redis.hgetall(key);
    if (!s.operatorId) return null;
    const age = this.#now() - Number(s.createdAt);
    const state = age < this.#maxAgeMs ? await this.#operators.getAuthState(s.operatorId) : null;
    if (!state || state.account.disabled || state.epoch !== Number(s.epoch)) {
      await this.#delete(sessionId, s.operatorId);
      return null;
    }
    if (opts.touch) await this.#redis.pexpire(key, Math.max(1, Math.min(this.#idleMs, this.#maxAgeMs - age)));
    return {
      sessionId,
      operator: state.account,
      accessRev: state.accessRev,
      epoch: state.epoch,
      expiresAt: Number(s.createdAt) + this.#maxAgeMs,
    };
  }

  /**
   * Ends one session (logout). Unknown ids are ignored.
   * @returns the operator id the session belonged to, or null
   */
  async revoke(sessionId: string): Promise<string | null> {
    const operatorId = await this.#redis.hget(this.#operators.keys.session(sessionId), 'operatorId');
    if (operatorId) await this.#delete(sessionId, operatorId);
    return operatorId;
  }

  /** Ends the session of a cookie token; see `revoke`. */
  async revokeToken(token: string): Promise<string | null> {
    return TOKEN_PATTERN.test(token) ? this.revoke(sessionIdForToken(token)) : null;
  }

  async #delete(sessionId: string, operatorId: string): Promise<void> {
    const keys = this.#operators.keys;
    await this.#redis
      .multi()
      .del(keys.session(sessionId))
      .srem(keys.sessionsOf(operatorId), sessionId)
      .exec();
  }

  // Expired sessions leave their ids in the set; drop them so it stays small.
  async #pruneSessionSet(operatorId: string): Promise<void> {
    const keys = this.#operators.keys;
    const ids = await this.#redis.smembers(keys.sessionsOf(operatorId));
    if (ids.length === 0) return;
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.exists(keys.session(id));
    const results = (await pipe.exec()) ?? [];
    const gone = ids.filter((_, i) => results[i]?.[1] === 0);
    if (gone.length > 0) await this.#redis.srem(keys.sessionsOf(operatorId), ...gone);
  }
}
