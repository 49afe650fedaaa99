import type { Language, OperatorState, OperatorStatus } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';

/** How long an operator socket counts as connected without a heartbeat from its instance. */
export const OPERATOR_PRESENCE_TTL_MS = 45_000;

/** An operator as routing knows them. */
export interface OperatorRef {
  id: string;
  displayName: string;
  languages: Language[];
  /** Active conversations at once, set per account by admins. @default OPERATOR_CAPACITY */
  capacity?: number;
  /** Version 2 (lines): the account's lines as stored (`['*']` for all); absent = the first line. */
  lines?: readonly string[] | undefined;
}

/** An account's lines as kept on the route: JSON, '' for none (the first line). */
const encodeLines = (lines: readonly string[] | undefined) => (lines?.length ? JSON.stringify(lines) : '');
function decodeLines(v: string | null | undefined): string[] | undefined {
  if (!v) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((l): l is string => typeof l === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** A console that connects after the operator was away this long starts a new shift. */
export const NEW_SHIFT_AFTER_MS = 4 * 3_600_000;

/** An operator known to routing, as the supervisor overview and the transfer list show them. */
export interface OperatorOnRoute {
  id: string;
  displayName: string;
  status: OperatorStatus;
  load: number;
  capacity: number;
  connected: boolean;
  /** Version 2: conversations with a high risk level or acute danger that ended in their hands this shift. */
  highRiskThisShift: number;
  /** Version 2: when their last break began (ISO), if any this shift. */
  lastBreakAt?: string;
  /** Version 2: while on a break after a high-risk conversation, when it ends (ISO). */
  breakUntil?: string;
}

export type { OperatorState } from '@stille-lijn/shared';

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
    // Back after a long absence: a new shift, whose high-risk count starts again.
    const lastSeen = Number((await this.#redis.hget(rk, 'lastSeen')) ?? 0);
    const live = await this.liveSockets(op.id, now);
    const shift: Record<string, string> =
      live === 0 && now - lastSeen > NEW_SHIFT_AFTER_MS
        ? { shiftStart: String(now), highRisk: '0', lastBreakAt: '' }
        : {};
    const res = await this.#redis
      .multi()
      .hsetnx(rk, 'status', 'away')
      .hset(rk, {
        langs: op.languages.join(','),
        cap: String(op.capacity ?? this.#capacity),
        name: op.displayName,
        lines: encodeLines(op.lines),
        lastSeen: String(now),
        ...shift,
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

  /**
   * Sets the status; `break` takes the operator out of automatic routing, until
   * `breakUntil` (ms) when given (a break after a high-risk conversation), else until they
   * end it themselves.
   */
  async setStatus(operatorId: string, status: OperatorStatus, breakUntil?: number): Promise<void> {
    const k = this.#keys;
    const rk = k.routeOperator(operatorId);
    const tx = this.#redis
      .multi()
      .hset(rk, 'status', status, 'breakUntil', breakUntil ? String(breakUntil) : '');
    if (status === 'break') tx.hset(rk, 'lastBreakAt', String(Date.now()));
    if (status === 'available') tx.sadd(k.routeAvailable, operatorId);
    else tx.srem(k.routeAvailable, operatorId);
    await tx.exec();
  }

  /** Counts a conversation with a high risk level or acute danger that ended in an operator's hands. */
  async countHighRisk(operatorId: string): Promise<void> {
    await this.#redis.hincrby(this.#keys.routeOperator(operatorId), 'highRisk', 1);
  }

  async state(operatorId: string): Promise<OperatorState> {
    const [[, info], [, load]] = (await this.#redis
      .multi()
      .hmget(this.#keys.routeOperator(operatorId), 'status', 'cap', 'breakUntil')
      .scard(this.#keys.operatorConversations(operatorId))
      .exec()) as [[unknown, (string | null)[]], [unknown, number]];
    const [status, cap, breakUntil] = info;
    const state: OperatorState = {
      status: status === 'available' || status === 'break' ? status : 'away',
      load: Number(load),
      capacity: Number(cap) || this.#capacity,
    };
    if (status === 'break' && breakUntil) state.breakUntil = new Date(Number(breakUntil)).toISOString();
    return state;
  }

  /** The status and the end of the break, as stored. */
  async status(operatorId: string): Promise<{ status: string; breakUntil: number }> {
    const [status, breakUntil] = await this.#redis.hmget(
      this.#keys.routeOperator(operatorId),
      'status',
      'breakUntil',
    );
    return { status: status ?? 'away', breakUntil: Number(breakUntil ?? 0) };
  }

  /** Name and capacity of a signed-in operator, or null for one who never signed in. */
  async target(
    operatorId: string,
  ): Promise<{ name: string; capacity: number; lines: string[] | undefined } | null> {
    const [name, cap, lines] = await this.#redis.hmget(
      this.#keys.routeOperator(operatorId),
      'name',
      'cap',
      'lines',
    );
    return name ? { name, capacity: Number(cap) || this.#capacity, lines: decodeLines(lines) } : null;
  }

  /** An operator's lines as their last console connect copied them (undefined: the first line). */
  async lines(operatorId: string): Promise<string[] | undefined> {
    return decodeLines(await this.#redis.hget(this.#keys.routeOperator(operatorId), 'lines'));
  }

  /** Operators available now, with what a routing pass needs. */
  async available(): Promise<
    {
      id: string;
      name: string;
      languages: string[];
      capacity: number;
      load: number;
      lines: string[] | undefined;
    }[]
  > {
    const ids = await this.#redis.smembers(this.#keys.routeAvailable);
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.hmget(this.#keys.routeOperator(id), 'status', 'langs', 'cap', 'name', 'lines');
      pipe.scard(this.#keys.operatorConversations(id));
    }
    const rows = (await pipe.exec()) ?? [];
    const out = [];
    for (let i = 0; i < ids.length; i++) {
      const [status, langs, cap, name, lines] = (rows[i * 2]?.[1] ?? []) as (string | null)[];
      if (status !== 'available') continue;
      out.push({
        id: ids[i]!,
        name: name ?? '',
        languages: (langs ?? '').split(',').filter(Boolean),
        capacity: Number(cap) || 0,
        load: Number(rows[i * 2 + 1]?.[1] ?? 0),
        lines: decodeLines(lines),
      });
    }
    return out;
  }

  /**
   * Operators staffed now: status available (busy or not) with a console connected. Away
   * and break do not count. What `staffed` and the wait estimates are made of.
   */
  async staffed(
    now = Date.now(),
  ): Promise<
    { id: string; languages: string[]; capacity: number; load: number; lines: string[] | undefined }[]
  > {
    const available = await this.available();
    if (available.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const o of available) pipe.zcount(this.#keys.operatorSockets(o.id), now, '+inf');
    const live = ((await pipe.exec()) ?? []).map(([, n]) => Number(n ?? 0) > 0);
    return available
      .filter((_, i) => live[i])
      .map((o) => ({
        id: o.id,
        languages: o.languages,
        capacity: o.capacity,
        load: o.load,
        lines: o.lines,
      }));
  }

  /**
   * Operators with a console connected now, with their lines as stored (undefined: the
   * first line): whom `queue:snapshot` goes to, each with what their lines may see.
   */
  async connectedLines(now = Date.now()): Promise<{ id: string; lines: string[] | undefined }[]> {
    const ids = await this.all();
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.zcount(this.#keys.operatorSockets(id), now, '+inf');
      pipe.hget(this.#keys.routeOperator(id), 'lines');
    }
    const rows = (await pipe.exec()) ?? [];
    return ids.flatMap((id, i) =>
      Number(rows[i * 2]?.[1] ?? 0) > 0
        ? [{ id, lines: decodeLines(rows[i * 2 + 1]?.[1] as string | null) }]
        : [],
    );
  }

  /** Every operator on the route, with status, load and whether a console is connected. */
  async onRoute(now = Date.now()): Promise<OperatorOnRoute[]> {
    const ids = await this.all();
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.hmget(
        this.#keys.routeOperator(id),
        'name',
        'status',
        'cap',
        'highRisk',
        'lastBreakAt',
        'breakUntil',
      );
      pipe.scard(this.#keys.operatorConversations(id));
      pipe.zcount(this.#keys.operatorSockets(id), now, '+inf');
    }
    const rows = (await pipe.exec()) ?? [];
    return ids.map((id, i) => {
      const [name, status, cap, highRisk, lastBreakAt, breakUntil] = (rows[i * 3]?.[1] ?? []) as (
        | string
        | null
      )[];
      const o: OperatorOnRoute = {
        id,
        displayName: name ?? '',
        status: status === 'available' || status === 'break' ? status : 'away',
        load: Number(rows[i * 3 + 1]?.[1] ?? 0),
        capacity: Number(cap) || this.#capacity,
        connected: Number(rows[i * 3 + 2]?.[1] ?? 0) > 0,
        highRiskThisShift: Number(highRisk ?? 0),
      };
      if (lastBreakAt) o.lastBreakAt = new Date(Number(lastBreakAt)).toISOString();
      if (status === 'break' && breakUntil) o.breakUntil = new Date(Number(breakUntil)).toISOString();
      return o;
    });
  }

  /** The conversations an operator holds now. */
  async conversationsOf(operatorId: string): Promise<string[]> {
    return this.#redis.smembers(this.#keys.operatorConversations(operatorId));
  }

  /**
   * Conversations that ended in an operator's hands and are still kept. Entries past
   * retention (whose purge failed, or from before the list expired) are dropped here.
   */
  async endedOf(operatorId: string, now = Date.now()): Promise<string[]> {
    const key = this.#keys.operatorEnded(operatorId);
    const res = await this.#redis
      .multi()
      .zremrangebyscore(key, '-inf', `(${now}`)
      .zrangebyscore(key, now, '+inf')
      .exec();
    return (res?.[1]?.[1] ?? []) as string[];
  }

  /**
   * Lists a conversation until `until` (its purge). Drops entries past retention, and the
   * list expires with its latest entry (NX sets a first expiry, GT only ever moves it on).
   */
  async addEnded(operatorId: string, conversationId: string, until: number): Promise<void> {
    const key = this.#keys.operatorEnded(operatorId);
    await this.#redis
      .multi()
      .zremrangebyscore(key, '-inf', `(${Date.now()}`)
      .zadd(key, until, conversationId)
      .pexpireat(key, until, 'NX')
      .pexpireat(key, until, 'GT')
      .exec();
  }
}
