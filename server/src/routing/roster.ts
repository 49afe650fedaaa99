import type { Language, OperatorStatus } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';

/** How long an operator socket counts as connected without a heartbeat from its instance. */
export const OPERATOR_PRESENCE_TTL_MS = 45_000;

/** An operator as routing knows them. */
export interface OperatorRef {
  id: string;
  displayName: string;
  languages: Language[];
}

/** An operator known to routing, as the supervisor overview and the transfer list show them. */
export interface OperatorOnRoute {
  id: string;
  displayName: string;
  status: string;
  load: number;
  capacity: number;
  connected: boolean;
}

/** An operator's own status and load (`operator:state`). */
export interface OperatorState {
  status: OperatorStatus;
  load: number;
  capacity: number;
}

/**
 * What routing knows of operators: their status, languages, capacity and name
 * (`route:op:<id>`), who is available, their live sockets and their load. The one place
 * that reads and writes these keys.
 */
export class Roster {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #capacity: number;

  constructor(deps: { redis: Redis; keys: RedisKeys; capacity: number }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#capacity = deps.capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /**
   * A console socket connected: copies what routing needs and counts the socket as live.
   * The status survives reconnects and is never overwritten here (an `operator:status`
   * sent right after connecting may already have landed); the first time it is `away`.
   * @returns the operator's status
   */
  async connected(op: OperatorRef, socketId: string, now = Date.now()): Promise<string> {
    const k = this.#keys;
    const rk = k.routeOperator(op.id);
    const res = await this.#redis
      .multi()
      .hsetnx(rk, 'status', 'away')
      .hset(rk, {
        langs: op.languages.join(','),
        cap: String(this.#capacity),
        name: op.displayName,
        lastSeen: String(now),
      })
      .sadd(k.routeOperators, op.id)
      .zadd(k.operatorSockets(op.id), now + OPERATOR_PRESENCE_TTL_MS, socketId)
      .hget(rk, 'status')
      .exec();
    const status = String(res?.[4]?.[1] ?? 'away');
    if (status === 'available') await this.#redis.sadd(k.routeAvailable, op.id);
    return status;
  }

  /** Refreshes the live sockets of this instance. */
  async heartbeat(entries: { operatorId: string; socketId: string }[], now = Date.now()): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.#redis.multi();
    for (const e of entries) {
      tx.zadd(this.#keys.operatorSockets(e.operatorId), now + OPERATOR_PRESENCE_TTL_MS, e.socketId);
      tx.hset(this.#keys.routeOperator(e.operatorId), 'lastSeen', String(now));
    }
    await tx.exec();
  }

  /**
   * A socket closed. @returns how many live sockets the operator still has; with none,
   * they are no longer available for routing.
   */
  async disconnected(operatorId: string, socketId: string, now = Date.now()): Promise<number> {
    const conns = this.#keys.operatorSockets(operatorId);
    const res = await this.#redis
      .multi()
      .zrem(conns, socketId)
      .zremrangebyscore(conns, '-inf', now)
      .zcard(conns)
      .hset(this.#keys.routeOperator(operatorId), 'lastSeen', String(now))
      .exec();
    const remaining = Number(res?.[2]?.[1] ?? 0);
    if (remaining === 0) await this.#redis.srem(this.#keys.routeAvailable, operatorId);
    return remaining;
  }

  async liveSockets(operatorId: string, now = Date.now()): Promise<number> {
    return this.#redis.zcount(this.#keys.operatorSockets(operatorId), now, '+inf');
  }

  async lastSeen(operatorId: string): Promise<number> {
    return Number((await this.#redis.hget(this.#keys.routeOperator(operatorId), 'lastSeen')) ?? 0);
  }

  /** Every operator who ever signed in to the console. */
  async all(): Promise<string[]> {
    return this.#redis.smembers(this.#keys.routeOperators);
  }

  /** Takes an operator out of automatic routing (their instance died). */
  async unavailable(operatorId: string): Promise<void> {
    await this.#redis.srem(this.#keys.routeAvailable, operatorId);
  }

  async setStatus(operatorId: string, status: OperatorStatus): Promise<void> {
    const k = this.#keys;
    const tx = this.#redis.multi().hset(k.routeOperator(operatorId), 'status', status);
    if (status === 'available') tx.sadd(k.routeAvailable, operatorId);
    else tx.srem(k.routeAvailable, operatorId);
    await tx.exec();
  }

  async state(operatorId: string): Promise<OperatorState> {
    const [[, status], [, load]] = (await this.#redis
      .multi()
      .hget(this.#keys.routeOperator(operatorId), 'status')
      .scard(this.#keys.operatorConversations(operatorId))
      .exec()) as [[unknown, string | null], [unknown, number]];
    return {
      status: status === 'available' ? 'available' : 'away',
      load: Number(load),
      capacity: this.#capacity,
    };
  }

  /** Name and capacity of a signed-in operator, or null for one who never signed in. */
  async target(operatorId: string): Promise<{ name: string; capacity: number } | null> {
    const [name, cap] = await this.#redis.hmget(this.#keys.routeOperator(operatorId), 'name', 'cap');
    return name ? { name, capacity: Number(cap) || this.#capacity } : null;
  }

  /** Operators available now, with what a routing pass needs. */
  async available(): Promise<
    { id: string; name: string; languages: string[]; capacity: number; load: number }[]
  > {
    const ids = await this.#redis.smembers(this.#keys.routeAvailable);
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.hmget(this.#keys.routeOperator(id), 'status', 'langs', 'cap', 'name');
      pipe.scard(this.#keys.operatorConversations(id));
    }
    const rows = (await pipe.exec()) ?? [];
    const out = [];
    for (let i = 0; i < ids.length; i++) {
      const [status, langs, cap, name] = (rows[i * 2]?.[1] ?? []) as (string | null)[];
      if (status !== 'available') continue;
      out.push({
        id: ids[i]!,
        name: name ?? '',
        languages: (langs ?? '').split(',').filter(Boolean),
        capacity: Number(cap) || 0,
        load: Number(rows[i * 2 + 1]?.[1] ?? 0),
      });
    }
    return out;
  }

  /** Every operator on the route, with status, load and whether a console is connected. */
  async onRoute(now = Date.now()): Promise<OperatorOnRoute[]> {
    const ids = await this.all();
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.hmget(this.#keys.routeOperator(id), 'name', 'status', 'cap');
      pipe.scard(this.#keys.operatorConversations(id));
      pipe.zcount(this.#keys.operatorSockets(id), now, '+inf');
    }
    const rows = (await pipe.exec()) ?? [];
    return ids.map((id, i) => {
      const [name, status, cap] = (rows[i * 3]?.[1] ?? []) as (string | null)[];
      return {
        id,
        displayName: name ?? '',
        status: status ?? 'away',
        load: Number(rows[i * 3 + 1]?.[1] ?? 0),
        capacity: Number(cap) || this.#capacity,
        connected: Number(rows[i * 3 + 2]?.[1] ?? 0) > 0,
      };
    });
  }

  /** The conversations an operator holds now. */
  async conversationsOf(operatorId: string): Promise<string[]> {
    return this.#redis.smembers(this.#keys.operatorConversations(operatorId));
  }

  /** Conversations that ended in an operator's hands and are still kept. */
  async endedOf(operatorId: string, now = Date.now()): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#keys.operatorEnded(operatorId), now, '+inf');
  }

  async addEnded(operatorId: string, conversationId: string, until: number): Promise<void> {
    await this.#redis.zadd(this.#keys.operatorEnded(operatorId), until, conversationId);
  }
}
