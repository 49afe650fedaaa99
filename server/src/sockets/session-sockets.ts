import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';

/**
 * `/operator` sockets one session may have open at once, on all instances together. A
 * console open in a few tabs or windows is normal, so the count is per session and allows
 * a handful; nothing a person does needs more. Each socket has an event budget of its own
 * (SOCKET_EVENTS_PER_S), so this also bounds what one session can send a second.
 * @default 5
 */
export const SESSION_SOCKETS_MAX = 5;

/**
 * The live `/operator` sockets of each session, counted in Redis so that every instance
 * sees the same count: a sorted set per session of socket ids, each scored with the moment
 * it lapses. A socket is claimed at the handshake, kept by the heartbeat and released at
 * its disconnect; the socket of an instance that died lapses by itself after `ttlMs`.
 * @example if (!(await sessionSockets.claim(sessionId, socket.id))) next(refusedError)
 */
export class SessionSockets {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #max: number;
  readonly #ttlMs: number;

  /**
   * @param opts.ttlMs how long a socket counts without a heartbeat (a few heartbeats)
   * @param opts.max @default SESSION_SOCKETS_MAX
   */
  constructor(redis: Redis, keys: RedisKeys, opts: { ttlMs: number; max?: number }) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.max ?? SESSION_SOCKETS_MAX;
  }

  #key(sessionId: string): string {
    return this.#keys.join('session-sockets', sessionId);
  }

  /**
   * Counts the socket for its session, unless the session has `max` live ones already.
   * One transaction adds it and counts: every claim sees those before it, so no more than
   * `max` are ever admitted; one past it takes itself out again.
   * @returns whether the socket may connect
   */
  async claim(sessionId: string, socketId: string): Promise<boolean> {
    const key = this.#key(sessionId);
    const now = Date.now();
    const replies = await this.#redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.#ttlMs, socketId)
      .zcard(key)
      .pexpire(key, this.#ttlMs)
      .exec();
    const [err, live] = replies?.[2] ?? [new Error('claim aborted'), 0];
    if (err) throw err;
    if (Number(live) <= this.#max) return true;
    await this.#redis.zrem(key, socketId);
    return false;
  }

  /** The heartbeat: these sockets are live still. */
  async refresh(sockets: readonly { sessionId: string; socketId: string }[]): Promise<void> {
    if (sockets.length === 0) return;
    const until = Date.now() + this.#ttlMs;
    const pipe = this.#redis.pipeline();
    for (const { sessionId, socketId } of sockets) {
      const key = this.#key(sessionId);
      pipe.zadd(key, until, socketId).pexpire(key, this.#ttlMs);
    }
    const replies = (await pipe.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
  }

  /** The socket disconnected: its place is free at once. */
  async release(sessionId: string, socketId: string): Promise<void> {
    await this.#redis.zrem(this.#key(sessionId), socketId);
  }
}
