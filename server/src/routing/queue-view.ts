import { languages, type QueuePosition, type WaitingItem } from '@stille-lijn/shared';
import { estimateWait, type StaffedOperator } from '@stille-lijn/shared/domain/wait';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ConversationRecord } from '../conversations/store.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';
import type { Roster } from './roster.ts';
import { SIGNAL_OFFSET, sinceOf, URGENT_OFFSET } from './score.ts';

/** The languages every operator on the fallback answers in. */
export const FALLBACK_LANGUAGES: readonly string[] = ['nl', 'en'];

/** What every estimate of one push is made from. */
interface EstimateInputs {
  staffed: Awaited<ReturnType<Roster['staffed']>>;
  /** The moving average of handling times (s), or null without history. */
  handle: number | null;
}

/** Who can take conversations of one language, now. */
export interface Staffing {
  staffed: boolean;
  operators: StaffedOperator[];
}

/**
 * Queue broadcasts are coalesced: a burst of starts or assignments sends one snapshot to
 * operators and one round of positions to visitors, not one per change.
 */
const SNAPSHOT_COALESCE_MS = 250;
const POSITIONS_COALESCE_MS = 1000;
/** Estimates that differ by less than this (s) are not pushed again. */
const ESTIMATE_STEP_S = 15;
/** Waiting conversations per language shown in `queue:snapshot`. */
const SNAPSHOT_PER_LANGUAGE = 300;

/**
 * What the queue looks like from outside: the waiting list operators see, each waiting
 * visitor's position and estimated wait, pushed when they change.
 */
/** Opens a conversation's sealed `signals` field into what a queue item shows. */
export type SignalOpener = (conversationId: string, sealed: string) => NonNullable<WaitingItem['signals']>;

export class QueueView {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #notifier: Notifier;
  readonly #roster: Roster;
  readonly #log: Logger;
  /** Last position pushed to each waiting visitor by this process, to push only changes. */
  readonly #lastPushed = new Map<
    string,
    { position: number; estimate: number | null; staffed: boolean; at: number }
  >();
  #positionsTimer: NodeJS.Timeout | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Opens a conversation's sealed signals into categories and weights (none when absent). */
  readonly #openSignals: SignalOpener;

  constructor(deps: {
    redis: Redis;
    keys: RedisKeys;
    notifier: Notifier;
    roster: Roster;
    log: Logger;
    openSignals?: SignalOpener;
  }) {
    this.#openSignals = deps.openSignals ?? (() => []);
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#notifier = deps.notifier;
    this.#roster = deps.roster;
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
      pipe.hmget(
        this.#keys.conversation(h.id),
        'role',
        'language',
        'urgent',
        'waitingSince',
        'state',
        'languageFallback',
        'signals',
      );
    const rows = (await pipe.exec()) ?? [];
    const out: WaitingItem[] = [];
    rows.forEach(([, v], i) => {
      const [role, language, urgent, since, state, fallback, signals] = v as (string | null)[];
      if (state !== 'waiting' || !role || !language || !since) return;
      const item: WaitingItem = {
        conversationId: heads[i]!.id,
        role: role as WaitingItem['role'],
        language: language as WaitingItem['language'],
        urgent: urgent === '1',
        waitingSince: new Date(Number(since)).toISOString(),
      };
      if (fallback === '1') item.languageFallback = true;
      if (signals) {
        const s = this.#openSignals(heads[i]!.id, signals);
        if (s.length) item.signals = s;
      }
      out.push(item);
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
  told(conversationId: string, p: QueuePosition): void {
    this.#lastPushed.set(conversationId, {
      position: p.position,
      estimate: p.estimatedWaitSeconds,
      staffed: p.staffed,
      at: Date.now(),
    });
  }

  /** Pushes `queue:position` to waiting visitors whose position, estimate or staffing changed (or all, when forced). */
  async pushPositions(force: boolean): Promise<void> {
    const read = this.#redis.pipeline();
    for (const k of this.waitingKeys()) read.zrange(k, 0, -1);
    read.zrange(this.#keys.fallback, 0, -1);
    const rows = ((await read.exec()) ?? []).map(([, ids]) => (ids ?? []) as string[]);
    const fallback = new Set(rows.pop() ?? []);
    const inputs = await this.#inputs();
    const now = Date.now();
    const seen = new Set<string>();
    // A position counts within the conversation's own language: only those compete for its operators.
    rows.forEach((ids, li) => {
      const language = languages[li]!;
      ids.forEach((id, i) => {
        seen.add(id);
        const p = this.#position(inputs, language, i + 1, fallback.has(id));
        const last = this.#lastPushed.get(id);
        const estimate = p.estimatedWaitSeconds;
        const sameEstimate =
          last !== undefined &&
          (last.estimate === estimate ||
            (last.estimate !== null &&
              estimate !== null &&
              Math.abs(last.estimate - estimate) < ESTIMATE_STEP_S));
        const same = last && last.position === p.position && last.staffed === p.staffed && sameEstimate;
        if (!force && same && now - last.at < 50_000) return;
        this.told(id, p);
        this.#notifier.toVisitor(id, 'queue:position', p);
      });
    });
    for (const id of this.#lastPushed.keys()) if (!seen.has(id)) this.#lastPushed.delete(id);
  }

  /** Who is staffed now and the handling-time average: read once, used for every waiting visitor. */
  async #inputs(): Promise<EstimateInputs> {
    const [staffed, handle] = await Promise.all([
      this.#roster.staffed(),
      this.#redis.hget(this.#keys.stats, 'handle'),
    ]);
    return { staffed, handle: handle === null ? null : Number(handle) };
  }

  /** Who can take a conversation of `language` now (any Dutch or English speaker once it is on the fallback). */
  staffingFrom(
    staffed: Awaited<ReturnType<Roster['staffed']>>,
    language: string,
    fallback: boolean,
  ): Staffing {
    const operators = staffed.filter(
      (o) =>
        o.languages.includes(language) ||
        (fallback && o.languages.some((l) => FALLBACK_LANGUAGES.includes(l))),
    );
    return { staffed: operators.length > 0, operators };
  }

  #position(inputs: EstimateInputs, language: string, position: number, fallback: boolean): QueuePosition {
    const staffing = this.staffingFrom(inputs.staffed, language, fallback);
    const range = staffing.staffed
      ? estimateWait({ position, operators: staffing.operators, handleSeconds: inputs.handle })
      : null;
    const p: QueuePosition = {
      position,
      estimatedWaitSeconds: range?.high ?? null,
      estimatedWaitMinSeconds: range?.low ?? null,
      staffed: staffing.staffed,
    };
    if (fallback) p.languageFallback = true;
    return p;
  }

  /** The position, staffing and estimate of one waiting conversation, as `queue:position` gives them. */
  async positionOf(r: Pick<ConversationRecord, 'id' | 'language'>): Promise<QueuePosition> {
    const [rank, fallback] = await Promise.all([
      this.#redis.zrank(this.#keys.waiting(r.language), r.id),
      this.#redis.zscore(this.#keys.fallback, r.id),
    ]);
    return this.#position(await this.#inputs(), r.language, (rank ?? 0) + 1, fallback !== null);
  }

  /** Is anyone staffed for a conversation of this language now? */
  async staffing(language: string, fallback = false): Promise<Staffing> {
    return this.staffingFrom(await this.#roster.staffed(), language, fallback);
  }

  /** How many wait (held waiters excluded) and since when the longest has, for the figures. */
  async figures(): Promise<{ waiting: number; oldestSince: number | null }> {
    const pipe = this.#redis.pipeline();
    // The oldest of each tier: urgent, a high danger signal, the rest.
    const tiers = [
      ['-inf', `(${SIGNAL_OFFSET}`],
      [SIGNAL_OFFSET, `(${URGENT_OFFSET}`],
      [URGENT_OFFSET, '+inf'],
    ] as const;
    for (const k of this.waitingKeys()) {
      pipe.zcard(k);
      for (const [min, max] of tiers) pipe.zrangebyscore(k, min, max, 'WITHSCORES', 'LIMIT', 0, 1);
    }
    let waiting = 0;
    const since: number[] = [];
    ((await pipe.exec()) ?? []).forEach(([, v], i) => {
      if (i % 4 === 0) waiting += Number(v ?? 0);
      else if (Array.isArray(v) && v[1] !== undefined) since.push(sinceOf(Number(v[1])));
    });
    return { waiting, oldestSince: since.length ? Math.min(...since) : null };
  }
}
