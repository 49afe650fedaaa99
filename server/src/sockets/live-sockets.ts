import type { ChainableCommander, Redis } from 'ioredis';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { claimEvictingScript, claimScript } from './scripts.ts';

/** One live socket of a group (a session, a hashed address). */
export interface LiveSocket {
  group: string;
  socketId: string;
}

/**
 * The live sockets of each group (an operator session, a visitor address), counted in Redis
 * so that every instance sees the same count: a sorted set per group of socket ids, each
 * scored with the moment it lapses. A socket is claimed at its handshake and released at
 * its disconnect; one whose instance died, or whose release failed, lapses by itself after
 * `ttlMs` unless `refresh` moved it on. Past `max`, `claim` refuses the newcomer and
 * `claimEvicting` makes room for it instead.
 * @example if (!(await sessionSockets.claim(sessionId, socket.id))) next(refusedError)
 * @example for (const id of await idleSockets.claimEvicting(addressHash, socket.id)) close(id)
 */
export class LiveSockets {
  readonly #redis: Redis;
  readonly #key: (group: string) => string;
  readonly #ttlMs: number;
  readonly #max: number;

  /**
   * @param opts.key the group's sorted set
   * @param opts.ttlMs how long a socket counts without a refresh (a few heartbeats, or as
   *   long as it may live)
   * @param opts.max live sockets a group may have
   */
  constructor(redis: Redis, opts: { key: (group: string) => string; ttlMs: number; max: number }) {
    this.#redis = redis;
    this.#key = opts.key;
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.max;
    prepareScripts(redis, [claimScript, claimEvictingScript]);
  }

  /**
   * Counts the socket for its group, unless the group has `max` live ones already. One
   * script adds it and counts: every claim sees those before it, so no more than `max` are
   * ever admitted; one past it takes itself out again.
   * @returns whether the socket may connect
   */
  claim(group: string, socketId: string): Promise<boolean> {
    return runScript(this.#redis, claimScript, { group: this.#key(group) }, this.#args(socketId));
  }

  /**
   * Counts the socket for its group and, when the group would have more than `max`, takes
   * out the entries that lapse first in the same script, never the newcomer: the oldest, in
   * a group whose entries are never refreshed. The caller closes those sockets. A script,
   * not a transaction: every visitor handshake claims, and a transaction's pipeline and
   * seven commands cost ioredis several times the allocation.
   * @returns the socket ids taken out (possibly of other instances, or of none any more)
   */
  claimEvicting(group: string, socketId: string): Promise<string[]> {
    return runScript(this.#redis, claimEvictingScript, { group: this.#key(group) }, this.#args(socketId));
  }

  #args(socketId: string) {
    return { socketId, now: Date.now(), ttlMs: this.#ttlMs, max: this.#max };
  }

  /**
   * The heartbeat: these sockets are live still. An entry Redis lost (a restart) comes back;
   * a socket released meanwhile does not, since its release went after this on the same
   * connection.
   */
  async refresh(sockets: readonly LiveSocket[]): Promise<void> {
    if (sockets.length === 0) return;
    const until = Date.now() + this.#ttlMs;
    const pipe = this.#redis.pipeline();
    for (const { group, socketId } of sockets) {
      const key = this.#key(group);
      pipe.zadd(key, until, socketId).pexpire(key, this.#ttlMs);
    }
    await exec(pipe);
  }

  /** The socket disconnected (or no longer counts): its place is free at once. */
  async release(group: string, socketId: string): Promise<void> {
    await this.#redis.zrem(this.#key(group), socketId);
  }
}

/** The replies of a transaction or pipeline; throws its first error, or when it was aborted. */
async function exec(commands: ChainableCommander): Promise<unknown[]> {
  const replies = await commands.exec();
  if (!replies) throw new Error('transaction aborted');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
