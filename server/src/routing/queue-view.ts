import { languages, type QueuePosition, type WaitingItem } from '@stille-lijn/shared';
import { estimateWait, type StaffedOperator } from '@stille-lijn/shared/domain/wait';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ConversationRecord } from '../conversations/store.ts';
import type { LineRegistry } from '../lines/registry.ts';
import { canSeeWaiting, overflowFromFor } from '../lines/visibility.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';
import type { Roster } from './roster.ts';
import { SIGNAL_OFFSET, sinceOf, URGENT_OFFSET } from './score.ts';

/** The languages every operator on the fallback answers in. */
export const FALLBACK_LANGUAGES: readonly string[] = ['nl', 'en'];

/** A staffed operator with the ids of their lines. */
type StaffedWithLines = Awaited<ReturnType<Roster['staffed']>>[number] & { lineSet: ReadonlySet<string> };

/** What every estimate of one push is made from. */
interface EstimateInputs {
  staffed: StaffedWithLines[];
  /** The moving average of handling times (s), or null without history. */
  handle: number | null;
}

/** One waiting set: a line and a language. */
interface WaitingSet {
  key: string;
  line: string;
  language: string;
}

/** A waiting item with what the line rules need, before it is shown to a viewer. */
type ListedItem = WaitingItem & { line: string; since: number };

/** Who can take conversations of one line and language, now. */
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
/** Waiting conversations per line and language shown in `queue:snapshot`. */
const SNAPSHOT_PER_LANGUAGE = 300;
/** How long the ids of removed lines read from Redis are reused (ms). */
const REMOVED_LINES_TTL_MS = 10_000;

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
  readonly #lines: LineRegistry;
  #removed: { ids: string[]; at: number } | undefined;
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
    lines: LineRegistry;
  }) {
    this.#lines = deps.lines;
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

  /**
   * Lines this deployment ran with whose ids are no longer in `LINES_FILE`: their waiting
   * conversations stay, reachable by accounts of every line (`'*'`). Read from Redis, and
   * reused for a few seconds.
   */
  async removedLines(): Promise<string[]> {
    const now = Date.now();
    if (this.#removed && now - this.#removed.at < REMOVED_LINES_TTL_MS) return this.#removed.ids;
    const ids = (await this.#redis.smembers(this.#keys.linesSeen)).filter((id) => !this.#lines.get(id));
    this.#removed = { ids, at: now };
    return ids;
  }

  /**
   * The ids of the lines an account's stored lines give it; an account of every line (`'*'`,
   * as admins are on the route) also gets the lines removed from the file, which nobody
   * else can reach.
   */
  async linesOf(stored: readonly string[] | undefined): Promise<Set<string>> {
    const lines = new Set(this.#lines.accountLines(stored));
    if (stored?.includes('*')) for (const l of await this.removedLines()) lines.add(l);
    return lines;
  }

  /** Every line whose waiting sets may hold conversations: those of the file, then removed ones. */
  async lineIds(): Promise<string[]> {
    return [...this.#lines.all.map((l) => l.id), ...(await this.removedLines())];
  }

  /** Every waiting set (each line × each language); routing only ever reads the ones its operators may take. */
  async waitingSets(): Promise<WaitingSet[]> {
    return (await this.lineIds()).flatMap((line) =>
      languages.map((language) => ({ key: this.#keys.waiting(line, language), line, language })),
    );
  }

  /** Every waiting set's key. */
  async waitingKeys(): Promise<string[]> {
    return (await this.waitingSets()).map((s) => s.key);
  }

  /**
   * The waiting list in routing order as an account of `viewer.lines` (as stored) may see
   * it (every line without a viewer): the heads of each line's and language's set, merged, so that a crowd
   * in one never hides a conversation in another. Held waiters are left out. Items carry
   * `line`, and `overflowFrom` when they reach the viewer through overflow.
   */
  async waitingList(viewer?: { lines: readonly string[] | undefined }): Promise<WaitingItem[]> {
    const all = await this.#listed();
    if (!viewer) return all.map(({ since: _since, ...item }) => item);
    return this.#forViewer(all, await this.linesOf(viewer.lines), Date.now());
  }

  /** The list filtered and labelled for a viewer of `lines` (`canSeeWaiting`, `overflowFrom`). */
  #forViewer(all: ListedItem[], lines: ReadonlySet<string>, now: number): WaitingItem[] {
    const out: WaitingItem[] = [];
    for (const { since, ...item } of all) {
      if (!canSeeWaiting(this.#lines, lines, { line: item.line, waitingSince: since }, now)) continue;
      const from = overflowFromFor(this.#lines, lines, item.line);
      out.push(from ? { ...item, overflowFrom: from } : item);
    }
    return out;
  }

  async #listed(): Promise<ListedItem[]> {
    const sets = await this.waitingSets();
    const read = this.#redis.pipeline();
    for (const s of sets) read.zrange(s.key, 0, SNAPSHOT_PER_LANGUAGE - 1, 'WITHSCORES');
    const heads: { id: string; score: number; line: string }[] = [];
    ((await read.exec()) ?? []).forEach(([, z], si) => {
      const flat = (z ?? []) as string[];
      for (let i = 0; i + 1 < flat.length; i += 2)
        heads.push({ id: flat[i]!, score: Number(flat[i + 1]), line: sets[si]!.line });
    });
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
    const out: ListedItem[] = [];
    rows.forEach(([, v], i) => {
      const [role, language, urgent, since, state, fallback, signals] = v as (string | null)[];
      if (state !== 'waiting' || !role || !language || !since) return;
      const item: ListedItem = {
        conversationId: heads[i]!.id,
        role: role as WaitingItem['role'],
        language: language as WaitingItem['language'],
        urgent: urgent === '1',
        waitingSince: new Date(Number(since)).toISOString(),
        line: heads[i]!.line,
        since: Number(since),
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

  /**
   * `queue:snapshot` to every connected console, each with only the conversations its
   * account may reach (its lines, and what has overflowed to them): one list per distinct
   * set of lines, sent to those operators' rooms.
   */
  async pushSnapshot(): Promise<void> {
    const [all, online] = await Promise.all([this.#listed(), this.#roster.connectedLines()]);
    const groups = new Map<string, { stored: string[] | undefined; ids: string[] }>();
    for (const o of online) {
      const key = JSON.stringify(o.lines ?? null);
      const g = groups.get(key) ?? { stored: o.lines, ids: [] };
      g.ids.push(o.id);
      groups.set(key, g);
    }
    const now = Date.now();
    for (const g of groups.values()) {
      const waiting = this.#forViewer(all, await this.linesOf(g.stored), now);
      this.#notifier.toOperators(g.ids, 'queue:snapshot', { waiting });
    }
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
    const sets = await this.waitingSets();
    const lineIds = [...new Set(sets.map((s) => s.line))];
    const read = this.#redis.pipeline();
    for (const s of sets) read.zrange(s.key, 0, -1, 'WITHSCORES');
    for (const line of lineIds) read.zrange(this.#keys.fallback(line), 0, -1);
    const rows = ((await read.exec()) ?? []).map(([, ids]) => (ids ?? []) as string[]);
    const fallback = new Set(rows.slice(sets.length).flat());
    const inputs = await this.#inputs();
    const now = Date.now();
    const seen = new Set<string>();
    // A position counts within the conversation's own line and language: only those compete for its operators.
    sets.forEach((set, si) => {
      const flat = rows[si] ?? [];
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const id = flat[j]!;
        seen.add(id);
        const since = sinceOf(Number(flat[j + 1]));
        const p = this.#position(inputs, set.line, since, set.language, j / 2 + 1, fallback.has(id), now);
        const last = this.#lastPushed.get(id);
        const estimate = p.estimatedWaitSeconds;
        const sameEstimate =
          last !== undefined &&
          (last.estimate === estimate ||
            (last.estimate !== null &&
              estimate !== null &&
              Math.abs(last.estimate - estimate) < ESTIMATE_STEP_S));
        const same = last && last.position === p.position && last.staffed === p.staffed && sameEstimate;
        if (!force && same && now - last.at < 50_000) continue;
        this.told(id, p);
        this.#notifier.toVisitor(id, 'queue:position', p);
      }
    });
    for (const id of this.#lastPushed.keys()) if (!seen.has(id)) this.#lastPushed.delete(id);
  }

  /** Who is staffed now (with their lines) and the handling-time average: read once, used for every waiting visitor. */
  async #inputs(): Promise<EstimateInputs> {
    const [staffed, handle] = await Promise.all([
      this.#roster.staffed(),
      this.#redis.hget(this.#keys.stats, 'handle'),
    ]);
    const withLines = await Promise.all(
      staffed.map(async (o) => ({ ...o, lineSet: await this.linesOf(o.lines) })),
    );
    return { staffed: withLines, handle: handle === null ? null : Number(handle) };
  }

  /**
   * Who can take a conversation of `line` and `language` that has waited since `since` (ms)
   * now: operators of a line it is routable to (its own, or one it has overflowed to), who
   * speak its language (any Dutch or English speaker once it is on the fallback).
   */
  staffingFrom(
    staffed: StaffedWithLines[],
    line: string,
    since: number,
    language: string,
    fallback: boolean,
    now = Date.now(),
  ): Staffing {
    const routable = this.#lines.routableTo(line, since, now);
    const operators = staffed.filter(
      (o) =>
        routable.some((l) => o.lineSet.has(l)) &&
        (o.languages.includes(language) ||
          (fallback && o.languages.some((l) => FALLBACK_LANGUAGES.includes(l)))),
    );
    return { staffed: operators.length > 0, operators };
  }

  #position(
    inputs: EstimateInputs,
    line: string,
    since: number,
    language: string,
    position: number,
    fallback: boolean,
    now = Date.now(),
  ): QueuePosition {
    const staffing = this.staffingFrom(inputs.staffed, line, since, language, fallback, now);
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
  async positionOf(
    r: Pick<ConversationRecord, 'id' | 'language' | 'line' | 'waitingSince'>,
  ): Promise<QueuePosition> {
    const line = this.#lines.lineOf(r.line);
    const [rank, fallback] = await Promise.all([
      this.#redis.zrank(this.#keys.waiting(line, r.language), r.id),
      this.#redis.zscore(this.#keys.fallback(line), r.id),
    ]);
    return this.#position(
      await this.#inputs(),
      line,
      r.waitingSince,
      r.language,
      (rank ?? 0) + 1,
      fallback !== null,
    );
  }

  /** Is anyone staffed now for a waiting conversation of this line and language, waiting since `since`? */
  async staffing(
    r: Pick<ConversationRecord, 'line' | 'waitingSince' | 'language'>,
    fallback = false,
  ): Promise<Staffing> {
    return this.staffingFrom(
      (await this.#inputs()).staffed,
      this.#lines.lineOf(r.line),
      r.waitingSince,
      r.language,
      fallback,
    );
  }

  /**
   * How many wait (held waiters excluded) and since when the longest has, for the figures:
   * on every line, or on `line` alone.
   */
  async figures(line?: string): Promise<{ waiting: number; oldestSince: number | null }> {
    const pipe = this.#redis.pipeline();
    // The oldest of each tier: urgent, a high danger signal, the rest.
    const tiers = [
      ['-inf', `(${SIGNAL_OFFSET}`],
      [SIGNAL_OFFSET, `(${URGENT_OFFSET}`],
      [URGENT_OFFSET, '+inf'],
    ] as const;
    for (const s of await this.waitingSets()) {
      if (line !== undefined && s.line !== line) continue;
      const k = s.key;
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
