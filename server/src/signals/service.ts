import {
  AppError,
  type Conversation,
  refusal,
  type SignalCategory,
  type SignalSummary,
  type SupervisorAlert,
} from '@stille-lijn/shared';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { readSignals, type SignalHit } from '@stille-lijn/shared/signals';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { ConversationRecord, ConversationStore, StoredSignal } from '../conversations/index.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';

/** Days the per-category signal counts are kept (they hold no conversation id). */
const FIGURES_TTL_S = 400 * 86_400;

/**
 * Spans kept per category of a conversation: the newest, whole messages only. Each
 * message adds its own spans (up to the reader's 32 per category), and without a bound a
 * visitor repeating one word filled the sealed field that every later message reads,
 * re-seals and sends to the operator (review V2: 6,400 spans after 200 messages). Twice
 * what one message can raise, so the newest message is always whole, and a real
 * conversation (a few words a message) keeps its marks for dozens of messages.
 * @default 64
 */
export const MAX_STORED_SPANS = 64;

/**
 * New spans of a signal the holder already sees reach them at most this often, as one
 * `chat:updated` with the newest state. A new (or dismissed and raised again) category is
 * sent at once. The console marks words only from these spans, so they must still come;
 * but not as one full conversation per message of a visitor who repeats trigger words.
 * @default 1_000
 */
export const SPAN_PUSH_INTERVAL_MS = 1_000;

/**
 * When a reading cut short (Redis away a moment, as in a Sentinel failover) is tried again,
 * after the one before: a failure here never costs the visitor their message, so nobody
 * resends it, and a high signal stored before the cut would otherwise never move its
 * conversation up or alert anyone. Together about as long as a failover takes, and more.
 * @default [1_000, 3_000, 10_000, 30_000, 60_000]
 */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000, 10_000, 30_000, 60_000];

type StoredSpan = StoredSignal['spans'][number];

/**
 * The newest spans, at most MAX_STORED_SPANS, never half a message: a message shows all
 * its marked words or none, so an unmarked word in it never reads as harmless. Spans are
 * appended per message, so each message's spans are one run.
 */
export function newestSpans(spans: StoredSpan[]): StoredSpan[] {
  if (spans.length <= MAX_STORED_SPANS) return spans;
  let from = spans.length - MAX_STORED_SPANS;
  while (from < spans.length && spans[from]!.messageId === spans[from - 1]!.messageId) from++;
  if (from < spans.length) return spans.slice(from);
  // One message alone holds more than the cap (the reader gives at most 32): its first ones.
  let first = spans.length - 1;
  while (first > 0 && spans[first - 1]!.messageId === spans[first]!.messageId) first--;
  return spans.slice(first, first + MAX_STORED_SPANS);
}

export interface SignalsDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  notifier: Notifier;
  audit: AuditLog;
  /** Moves a waiting conversation to the tier its urgency and signals give it. */
  rescore: (r: ConversationRecord, urgent: boolean, highSignal: boolean) => Promise<void>;
  /** The waiting list changed: a new `queue:snapshot` follows. */
  queueChanged: () => void;
}

/** The signal counts of one day, per category (`GET /api/stats`). */
export type SignalFigures = Partial<Record<SignalCategory, { raised: number; dismissed: number }>>;

/** The UTC day of a moment, as the deployment's counts are kept. */
const utcDay = (at = new Date()) => at.toISOString().slice(0, 10);

/**
 * Danger signals in the visitor's words (PROTOCOL.md, "Danger signals"): every visitor
 * message is read in memory, before it is sealed, by the pure reader in
 * `@stille-lijn/shared/signals`. What it finds is stored only sealed, with the ranges of the
 * words; a high signal of a waiting conversation moves it right after the urgent ones and
 * alerts supervisors once per category; after assignment a signal is shown to the operator
 * and changes no routing. No text ever leaves this class: not to a log, a metric or an alert.
 */
export class SignalService {
  readonly #d: SignalsDeps;
  /** One read-modify-write at a time per conversation (a visitor's socket lives on one instance). */
  readonly #chains = new Map<string, Promise<unknown>>();
  /** Conversations pushed to their holder less than SPAN_PUSH_INTERVAL_MS ago; `owed`: new spans wait. */
  readonly #cooling = new Map<string, { timer: NodeJS.Timeout; owed: boolean }>();
  /** Readings cut short, waiting to be tried again (`RETRY_DELAYS_MS`). */
  readonly #retries = new Set<NodeJS.Timeout>();

  constructor(deps: SignalsDeps) {
    this.#d = deps;
  }

  /** The signals in a text (for `chat:start`, which scores before it stores). */
  read(text: string): SignalHit[] {
    return text ? readSignals(text) : [];
  }

  /** Records what the first message of `chat:start` showed (the conversation is already scored). */
  async started(conversationId: string, messageId: string, hits: SignalHit[]): Promise<void> {
    if (hits.length) await this.#recordOrRetry(conversationId, messageId, hits, 0);
  }

  /** A stored visitor message: read it, and act on what is new. */
  async visitorMessage(conversationId: string, messageId: string, text: string): Promise<void> {
    const hits = this.read(text);
    if (hits.length) await this.#recordOrRetry(conversationId, messageId, hits, 0);
  }

  /** `signal:dismiss`: the holding operator marks a signal wrong; audited and counted. */
  async dismiss(conversationId: string, operatorId: string, category: SignalCategory): Promise<Conversation> {
    return this.#serial(conversationId, async () => {
      const d = this.#d;
      const r = await d.store.get(conversationId);
      if (r.operatorId !== operatorId) throw refusal('not_holder');
      const signals = d.store.signalsOf(r);
      const s = signals.find((x) => x.category === category && !x.dismissed);
      if (!s) throw new AppError('not_found', 'No such signal on this conversation.');
      s.dismissed = true;
      await d.store.setSignals(conversationId, signals);
      await d.audit.record('signal-dismiss', operatorId, conversationId);
      await this.#count(r, category, 'dismissed');
      return d.store.conversation(conversationId);
    });
  }

  /** The deployment's counts per category of today (or a day), UTC. */
  async figures(day = utcDay()): Promise<SignalFigures> {
    return sumFigures([await this.#d.redis.hgetall(this.#d.keys.signalFigures(day))]);
  }

  /**
   * The counts per category of some lines, summed, for one Europe/Amsterdam day: each
   * signal counts on the line its conversation started on, as the daily figures do.
   */
  async figuresOfLines(lines: readonly string[], day: string): Promise<SignalFigures> {
    const read = this.#d.redis.pipeline();
    for (const line of lines) read.hgetall(this.#d.keys.lineDaySignals(line, day));
    const replies = (await read.exec()) ?? [];
    // A failed read fails the request: read as "no signals", it would tell the supervisor so.
    return sumFigures(
      replies.map(([err, h]) => {
        if (err) throw err;
        return h as Record<string, string>;
      }),
    );
  }

  async #record(conversationId: string, messageId: string, hits: SignalHit[]): Promise<void> {
    const d = this.#d;
    const r = await d.store.read(conversationId);
    if (!r || r.state === 'ended') return;
    const signals = d.store.signalsOf(r);
    const fresh: StoredSignal[] = [];
    /** A category appeared or came back: what a queue item or the holder's badges show changed. */
    let shown = false;
    let spansAdded = false;
    for (const hit of hits) {
      const spans = hit.spans.map((s) => ({ messageId, start: s.start, end: s.end }));
      const known = signals.find((s) => s.category === hit.category);
      if (known) {
        if (known.spans.some((s) => s.messageId === messageId)) continue;
        known.spans = newestSpans([...known.spans, ...spans]);
        spansAdded = true;
        // A dismissed signal raised again by a later message is shown again.
        if (known.dismissed) {
          delete known.dismissed;
          shown = true;
        }
      } else {
        const s: StoredSignal = { category: hit.category, weight: hit.weight, spans: newestSpans(spans) };
        signals.push(s);
        fresh.push(s);
        shown = true;
      }
    }
    const waiting = r.state === 'waiting';
    // High signals of a waiting conversation not yet alerted: new ones, and any whose alert
    // an earlier reading stored but was cut before sending (`alerted` is set only after).
    const alert = waiting ? signals.filter((s) => s.weight === 'high' && !s.alerted) : [];
    // Nothing new (this message's words were read before) and nothing owed: nothing to do.
    if (!shown && !spansAdded && alert.length === 0) return;
    // Also trims a record stored before spans were bounded.
    for (const s of signals) s.spans = newestSpans(s.spans);
    await d.store.setSignals(conversationId, signals, { highSignal: alert.length > 0 });
    for (const s of fresh) await this.#count(r, s.category, 'raised');
    if (waiting) {
      // A new queue:snapshot follows (rescore marks the view changed); queue items show
      // no spans, so new words of a known category change nothing there. The move is made
      // whenever an alert is owed, not only when the stored tier was plain: a reading cut
      // after the write above left the tier stored but the score unmoved, and the same
      // score written again changes nothing.
      if (alert.length) await d.rescore(r, r.urgent, true);
      else if (shown) d.queueChanged();
    } else if (r.operatorId) {
      const cooling = this.#cooling.get(conversationId);
      if (shown || !cooling) await this.#pushToHolder(conversationId);
      else cooling.owed = true;
    }
    if (alert.length) {
      const payload: SupervisorAlert = {
        kind: 'danger-signal',
        conversationId,
        signals: alert.map(({ category, weight }): SignalSummary => ({ category, weight })),
        at: new Date().toISOString(),
      };
      await d.notifier.toSupervisorsAbout(conversationId, 'supervisor:alert', payload);
      // Marked once it went out: a cut before this leaves it owed, and the next reading
      // (a retry, a resend read again, a later message) moves and alerts then. A cut of
      // this write alone alerts once more: better twice than never.
      for (const s of alert) s.alerted = true;
      await d.store.setSignals(conversationId, signals);
    }
  }

  /**
   * Records a reading; one cut short is tried again later (`RETRY_DELAYS_MS`) with the same
   * hits (categories and ranges, never text), which `#record` takes only once per message.
   * The caller still gets the failure, to log it.
   */
  #recordOrRetry(
    conversationId: string,
    messageId: string,
    hits: SignalHit[],
    attempt: number,
  ): Promise<void> {
    return this.#serial(conversationId, () => this.#record(conversationId, messageId, hits)).catch(
      (err: unknown) => {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay !== undefined) {
          const timer = setTimeout(() => {
            this.#retries.delete(timer);
            void this.#recordOrRetry(conversationId, messageId, hits, attempt + 1).catch(() => undefined);
          }, delay);
          timer.unref();
          this.#retries.add(timer);
        }
        throw err;
      },
    );
  }

  /**
   * The holder's `chat:updated` with the conversation as stored now; new spans are held
   * back for SPAN_PUSH_INTERVAL_MS after it, and then go out together.
   */
  async #pushToHolder(conversationId: string): Promise<void> {
    const d = this.#d;
    this.#cool(conversationId);
    const r = await d.store.read(conversationId);
    if (!r || r.state === 'waiting' || r.state === 'ended' || !r.operatorId) return;
    d.notifier.toOperator(r.operatorId, 'chat:updated', { conversation: d.store.toConversation(r) });
  }

  #cool(conversationId: string): void {
    const previous = this.#cooling.get(conversationId);
    if (previous) clearTimeout(previous.timer);
    const entry = {
      owed: false,
      timer: setTimeout(() => {
        this.#cooling.delete(conversationId);
        // A failed read (Redis away, shutting down) drops this push; the next one carries it.
        if (entry.owed)
          void this.#serial(conversationId, () => this.#pushToHolder(conversationId)).catch(() => undefined);
      }, SPAN_PUSH_INTERVAL_MS),
    };
    entry.timer.unref();
    this.#cooling.set(conversationId, entry);
  }

  /** Drops the pushes and retries still waiting (the app is closing). */
  close(): void {
    for (const { timer } of this.#cooling.values()) clearTimeout(timer);
    this.#cooling.clear();
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
  }

  /** Counts a signal for the deployment (UTC day) and for the conversation's line (Amsterdam day). */
  async #count(r: ConversationRecord, category: SignalCategory, what: 'raised' | 'dismissed'): Promise<void> {
    const now = new Date();
    const k = this.#d.keys.signalFigures(utcDay(now));
    const line = this.#d.keys.lineDaySignals(this.#d.store.lineOf(r.line), amsterdamDate(now));
    const field = `${what}:${category}`;
    await this.#d.redis
      .multi()
      .hincrby(k, field, 1)
      .expire(k, FIGURES_TTL_S)
      .hincrby(line, field, 1)
      .expire(line, FIGURES_TTL_S)
      .exec();
  }

  #serial<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(conversationId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#chains.set(conversationId, tail);
    void tail.then(() => {
      if (this.#chains.get(conversationId) === tail) this.#chains.delete(conversationId);
    });
    return next;
  }
}

/** Adds up stored counts (`raised:<category>` → n) per category. */
function sumFigures(hashes: Record<string, string>[]): SignalFigures {
  const out: SignalFigures = {};
  for (const h of hashes) {
    for (const [field, n] of Object.entries(h)) {
      const [what, category] = field.split(':') as ['raised' | 'dismissed', SignalCategory];
      const f = out[category] ?? { raised: 0, dismissed: 0 };
      f[what] += Number(n);
      out[category] = f;
    }
  }
  return out;
}
