import { languages, type WaitingItem } from '@stille-lijn/shared';
import { estimateWaitSeconds } from '@stille-lijn/shared/domain/wait';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ConversationRecord } from '../conversations/store.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';

/**
 * Queue broadcasts are coalesced: a burst of starts or assignments sends one snapshot to
 * operators and one round of positions to visitors, not one per change.
 */
const SNAPSHOT_COALESCE_MS = 250;
const POSITIONS_COALESCE_MS = 1000;
/** Estimates that differ by less than this (s) are not pushed again. */
const ESTIMATE_STEP_S = 15;
/** Waiting conversations per language shown in `queue:snapshot`. */
const SNAPSHOT_PER_LANGUAGE = 100;

/**
 * What the queue looks like from outside: the waiting list operators see, each waiting
 * visitor's position and estimated wait, pushed when they change.
 */
export class QueueView {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #notifier: Notifier;
  readonly #log: Logger;
  /** Last position pushed to each waiting visitor by this process, to push only changes. */
  readonly #lastPushed = new Map<string, { position: number; estimate: number | null; at: number }>();
  #positionsTimer: NodeJS.Timeout | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: { redis: Redis; keys: RedisKeys; notifier: Notifier; log: Logger }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#notifier = deps.notifier;
    this.#log = deps.log;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#positionsTimer);
    clearTimeout(this.#snapshotTimer);
  }

  /** Every waiting set; routing only ever reads the ones its operators speak. */
  waitingKeys(): string[] {
    return languages.map((l) => this.#keys.waiting(l));
  }

  /**
   * The waiting list in routing order: the heads of every language's set, merged, so that
   * a crowd in one language never hides a conversation in another. Held waiters are left out.
   */
  async waitingList(): Promise<WaitingItem[]> {
    const read = this.#redis.pipeline();
    for (const k of this.waitingKeys()) read.zrange(k, 0, SNAPSHOT_PER_LANGUAGE - 1, 'WITHSCORES');
    const heads: { id: string; score: number }[] = [];
    for (const [, z] of (await read.exec()) ?? []) {
      const flat = (z ?? []) as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) heads.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    }
    if (heads.length === 0) return [];
    heads.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1));
    const pipe = this.#redis.pipeline();
    for (const h of heads)
      pipe.hmget(this.#keys.conversation(h.id), 'role', 'language', 'urgent', 'waitingSince', 'state');
    const rows = (await pipe.exec()) ?? [];
    const out: WaitingItem[] = [];
    rows.forEach(([, v], i) => {
      const [role, language, urgent, since, state] = v as (string | null)[];
      if (state !== 'waiting' || !role || !language || !since) return;
      out.push({
        conversationId: heads[i]!.id,
        role: role as WaitingItem['role'],
        language: language as WaitingItem['language'],
        urgent: urgent === '1',
        waitingSince: new Date(Number(since)).toISOString(),
      });
    });
    return out;
  }

  async pushSnapshot(): Promise<void> {
    this.#notifier.toConsoles('queue:snapshot', { waiting: await this.waitingList() });
  }

  /** Coalesces queue changes: one snapshot and one position push per short window. */
  changed(): void {
    if (this.#closed) return;
    this.#snapshotTimer ??= setTimeout(() => {
      this.#snapshotTimer = undefined;
      this.pushSnapshot().catch((err) => this.#log.warn({ err }, 'queue snapshot failed'));
    }, SNAPSHOT_COALESCE_MS);
    this.#positionsTimer ??= setTimeout(() => {
      this.#positionsTimer = undefined;
      this.pushPositions(false).catch((err) => this.#log.warn({ err }, 'position push failed'));
    }, POSITIONS_COALESCE_MS);
  }

  /** Forgets what was pushed to a conversation's visitor (it left the queue, or came back to it). */
  forget(conversationId: string): void {
    this.#lastPushed.delete(conversationId);
  }

  /** Records a position already told to a visitor (in an ack), so that it is not pushed again at once. */
  told(conversationId: string, position: number, estimate: number | null): void {
    this.#lastPushed.set(conversationId, { position, estimate, at: Date.now() });
  }

  /** Pushes `queue:position` to waiting visitors whose position or estimate changed (or all, when forced). */
  async pushPositions(force: boolean): Promise<void> {
    const read = this.#redis.pipeline();
    for (const k of this.waitingKeys()) read.zrange(k, 0, -1);
    const lines = ((await read.exec()) ?? []).map(([, ids]) => (ids ?? []) as string[]);
    const [ewma, available] = await this.#estimateInputs();
    const now = Date.now();
    const seen = new Set<string>();
    // A position counts within the conversation's own language: only those compete for its operators.
    for (const ids of lines) {
      ids.forEach((id, i) => {
        seen.add(id);
        const position = i + 1;
        const estimate = estimateWaitSeconds({ ewmaSeconds: ewma, position, operatorsAvailable: available });
        const last = this.#lastPushed.get(id);
        const sameEstimate =
          last !== undefined &&
          (last.estimate === estimate ||
            (last.estimate !== null &&
              estimate !== null &&
              Math.abs(last.estimate - estimate) < ESTIMATE_STEP_S));
        if (!force && last && last.position === position && sameEstimate && now - last.at < 50_000) return;
        this.#lastPushed.set(id, { position, estimate, at: now });
        this.#notifier.toVisitor(id, 'queue:position', { position, estimatedWaitSeconds: estimate });
      });
    }
    for (const id of this.#lastPushed.keys()) if (!seen.has(id)) this.#lastPushed.delete(id);
  }

  /** A waiting conversation's position (1 = next) in its language's line. */
  async position(r: Pick<ConversationRecord, 'id' | 'language'>): Promise<number> {
    const rank = await this.#redis.zrank(this.#keys.waiting(r.language), r.id);
    return (rank ?? 0) + 1;
  }

  async estimate(position: number): Promise<number | null> {
    const [ewma, available] = await this.#estimateInputs();
    return estimateWaitSeconds({ ewmaSeconds: ewma, position, operatorsAvailable: available });
  }

  async #estimateInputs(): Promise<[number | null, number]> {
    const [ewma, available] = await Promise.all([
      this.#redis.hget(this.#keys.stats, 'ewma'),
      this.#redis.scard(this.#keys.routeAvailable),
    ]);
    return [ewma === null ? null : Number(ewma), available];
  }

  /** How many wait (held waiters excluded) and since when the longest has, for the figures. */
  async figures(urgentOffset: number): Promise<{ waiting: number; oldestSince: number | null }> {
    const pipe = this.#redis.pipeline();
    for (const k of this.waitingKeys()) {
      pipe.zcard(k);
      pipe.zrangebyscore(k, '-inf', `(${urgentOffset}`, 'WITHSCORES', 'LIMIT', 0, 1);
      pipe.zrangebyscore(k, urgentOffset, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    }
    let waiting = 0;
    const since: number[] = [];
    ((await pipe.exec()) ?? []).forEach(([, v], i) => {
      if (i % 3 === 0) waiting += Number(v ?? 0);
      else if (Array.isArray(v) && v[1] !== undefined) since.push(Number(v[1]) % urgentOffset);
    });
    return { waiting, oldestSince: since.length ? Math.min(...since) : null };
  }
}
