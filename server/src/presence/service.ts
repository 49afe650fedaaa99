import type { OperatorStatus } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import {
  type ConversationLifecycle,
  type ConversationStore,
  VISITOR_PRESENCE_TTL_MS,
} from '../conversations/index.ts';
import type { ConversationJobQueue } from '../queues/jobs.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { OperatorRef, OperatorState, QueueView, Roster, Router } from '../routing/index.ts';

export interface PresenceDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  lifecycle: ConversationLifecycle;
  router: Router;
  roster: Roster;
  view: QueueView;
  config: Readonly<Config>;
  conversationsQueue: ConversationJobQueue;
}

/**
 * Who is there: operators' consoles and visitors' sockets, kept alive by heartbeats from
 * their instance, so that a dead instance is noticed. An operator gone past the grace
 * period loses their conversations to the queue; a visitor gone is away until the return
 * window closes.
 */
export class Presence {
  readonly #d: PresenceDeps;
  constructor(deps: PresenceDeps) {
    this.#d = deps;
  }

  // ---------------------------------------------------------------- operators

  async operatorConnected(op: OperatorRef, socketId: string): Promise<void> {
    if ((await this.#d.roster.connected(op, socketId)) === 'available') void this.#d.router.routeNow();
    // Waiting visitors learn that someone is staffed now.
    this.#d.view.changed();
  }

  /** Refreshes presence for this process's operator sockets (every 15 s). */
  async operatorHeartbeat(entries: { operatorId: string; socketId: string }[]): Promise<void> {
    await this.#d.roster.heartbeat(entries);
  }

  async operatorDisconnected(operatorId: string, socketId: string): Promise<void> {
    const now = Date.now();
    if ((await this.#d.roster.disconnected(operatorId, socketId, now)) > 0) return;
    this.#d.view.changed();
    await this.#d.conversationsQueue.add(
      'grace',
      { operatorId, since: now },
      { delay: this.#d.config.operatorGraceMs },
    );
  }

  /** Job: the grace period is over; requeue the operator's conversations if still gone. */
  async graceExpired(operatorId: string): Promise<number> {
    if ((await this.#d.roster.liveSockets(operatorId)) > 0) return 0;
    return this.#d.router.requeueOperator(operatorId);
  }

  /** Sweep: catches operators whose instance died without a disconnect event. */
  async sweepOperators(): Promise<void> {
    const now = Date.now();
    for (const op of await this.#d.roster.all()) {
      if ((await this.#d.roster.liveSockets(op, now)) > 0) continue;
      await this.#d.roster.unavailable(op);
      this.#d.view.changed();
      if (now - (await this.#d.roster.lastSeen(op)) >= this.#d.config.operatorGraceMs) {
        await this.#d.router.requeueOperator(op);
      }
    }
  }

  async setStatus(operatorId: string, status: OperatorStatus): Promise<void> {
    await this.#d.roster.setStatus(operatorId, status);
    await this.#d.router.pushOperatorState(operatorId);
    if (status === 'available') await this.#d.router.routeNow();
    this.#d.view.changed();
  }

  async operatorState(operatorId: string): Promise<OperatorState> {
    return this.#d.roster.state(operatorId);
  }

  // ----------------------------------------------------------------- visitors

  /** Refreshes presence for this process's visitor sockets; a conversation whose instance died stops being refreshed. */
  async visitorHeartbeat(conversationIds: string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    const until = Date.now() + VISITOR_PRESENCE_TTL_MS;
    const args: (string | number)[] = [];
    for (const id of conversationIds) args.push(until, id);
    await this.#d.redis.zadd(this.#d.keys.visitorPresence, ...args);
  }

  async visitorGone(conversationId: string): Promise<void> {
    await this.#d.redis.zrem(this.#d.keys.visitorPresence, conversationId);
  }

  /**
   * Sweep: visitors whose instance stopped refreshing them (or never did) are treated as dropped.
   * @param now the time entries are compared with; tests move it on
   */
  async sweepVisitors(now = Date.now()): Promise<void> {
    const key = this.#d.keys.visitorPresence;
    const stale = await this.#d.redis.zrangebyscore(key, '-inf', now, 'LIMIT', 0, 1000);
    for (const id of stale) {
      // Only one sweeper wins each entry.
      if ((await this.#d.redis.zrem(key, id)) === 0) continue;
      const r = await this.#d.store.read(id);
      if (!r || r.state === 'ended' || r.away) continue;
      await this.#d.lifecycle.markAway(id, 'disconnected');
    }
  }

  /** The visitor's socket closed without leaving: away, resumable for the return window. */
  async visitorDisconnected(conversationId: string, socketId: string): Promise<void> {
    const r = await this.#d.store.read(conversationId);
    if (!r || r.state === 'ended' || r.visitorSocket !== socketId || r.away) return;
    // Checked again in the script: her resume on another instance may land in between.
    await this.#d.lifecycle.markAway(conversationId, 'disconnected', socketId);
  }
}
