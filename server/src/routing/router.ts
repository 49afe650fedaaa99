import { AppError, type Conversation, type Message, type Note, refusal } from '@stille-lijn/shared';
import { EWMA_ALPHA } from '@stille-lijn/shared/domain/wait';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import {
  type ConversationRecord,
  type ConversationStore,
  firstName,
  senderOf,
} from '../conversations/store.ts';
import { type LineMember, mayReach } from '../lines/access.ts';
import type { AccountLines, LineRegistry } from '../lines/registry.ts';
import { overflowFromFor } from '../lines/visibility.ts';
import type { ConversationJobQueue, conversationJobs } from '../queues/jobs.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, queueScript, runScript } from '../redis/scripts.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { type Head, planAssignments } from './plan.ts';
import type { QueueView } from './queue-view.ts';
import { FALLBACK_LANGUAGES } from './queue-view.ts';
import type { OperatorRef, Roster } from './roster.ts';
import { FALLBACK_SHIFT, routingScore, SIGNAL_OFFSET, sinceOf, URGENT_OFFSET } from './score.ts';
import { assignScript, requeueScript, transferScript } from './scripts.ts';

export { FALLBACK_SHIFT, routingScore, SIGNAL_OFFSET, URGENT_OFFSET };

/** Days of figures kept. */
const STATS_TTL_MS = 3 * 86_400_000;
/**
 * How long after a move the same move asked again by the operator who made it (an accept,
 * a transfer: the console's retry of one whose answer was lost, or that was cut after its
 * script) is taken for a retry, whose first attempt may have left steps undone. Past it,
 * the move is long done and the ask is answered as any other (`not_waiting`, `not_holder`,
 * `not_active`), doing nothing.
 */
const MOVE_RETRY_WINDOW_MS = 60_000;
/**
 * How long a move's audit entry stands for the same move asked again: far longer than
 * MOVE_RETRY_WINDOW_MS, so that a retry taken within the window and slow to get to its
 * audit step still finds the first attempt's entry.
 */
const MOVE_AUDIT_WINDOW_MS = 3_600_000;
/** Today's UTC date, the key of the daily figures. */
export const today = () => new Date().toISOString().slice(0, 10);

export interface RouterMetrics {
  waitSeconds?: { observe(v: number): void };
  assignments?: { inc(): void };
}

export interface RouterDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  roster: Roster;
  view: QueueView;
  notifier: Notifier;
  audit: AuditLog;
  config: Readonly<Config>;
  log: Logger;
  metrics?: RouterMetrics;
  /** Version 2: the deployment's lines. */
  lines: LineRegistry;
  /** The BullMQ `conversations` queue: a holder's notice retried, an urgent conversation's alert. */
  conversationsQueue: ConversationJobQueue;
}

/**
 * An account as routing knows it, by its lines in the stored form that `OperatorRef` and
 * the roster keep: an admin's are `['*']` (sockets/operator.ts), which reach every line,
 * removed ones included, as the admin role does.
 */
const routedViewer = (lines: AccountLines): LineMember => ({ role: 'operator', lines });

/**
 * Who a move is audited as. By default the holder's own `transfer` / `transfer-queue`; a
 * supervisor's reassign names the supervisor instead, in one entry, since the holder did
 * not act.
 */
export interface MoveAudit {
  action: string;
  actorId: string;
}

/**
 * A committed move's audit entries, for the job that tells its holder when a step after
 * the move failed (`#tellHolderLater`): the `assigned` job's `move`, as its schema says.
 */
export type OwedMove = NonNullable<z.infer<(typeof conversationJobs)['assigned']>['move']>;

/**
 * Told after a conversation changed hands or went back to a queue, once the move is
 * committed and its new holder (if any) got `chat:assigned`: who may reach it can have
 * changed (its line, the line that serves it, waiting or not). `holder`: the operator now
 * holding it; undefined when it went back to a queue.
 */
export type MoveListener = (conversationId: string, holder: string | undefined) => Promise<void>;

/** The whole of a conversation as its operator gets it. */
export interface AssignedView {
  conversation: Conversation;
  messages: Message[];
  notes: Note[];
}

/**
 * Who holds which conversation: routing passes, accepts, requeues, transfers, and holding
 * waiters whose visitor is gone. Every move is one Lua script with every key it touches
 * passed in KEYS; what a script needs to name its keys is read first and checked again
 * inside it.
 */
export class Router {
  readonly #d: RouterDeps;
  readonly #k: RedisKeys;
  #closed = false;
  readonly #assignedListeners: ((conversationId: string, waitingSince: number) => Promise<void>)[] = [];
  readonly #moveListeners: MoveListener[] = [];

  constructor(deps: RouterDeps) {
    this.#d = deps;
    this.#k = deps.keys;
    // Registered before any use: an auto-pipeline made before a script was defined could not load it.
    prepareScripts(deps.redis, [assignScript, requeueScript, transferScript]);
  }

  /** Calls `listener` after each assignment of a waiting conversation (the daily figures). */
  onAssigned(listener: (conversationId: string, waitingSince: number) => Promise<void>): void {
    this.#assignedListeners.push(listener);
  }

  /**
   * Calls `listener` after every move of a conversation: an assignment, an accept, a
   * transfer to a colleague, a requeue (a transfer to a queue, another line's included).
   * Read-alongs follow it (supervision): who may reach a conversation can change with it.
   */
  onMoved(listener: MoveListener): void {
    this.#moveListeners.push(listener);
  }

  /** The move is committed: a failed listener is logged, never undoes or refuses it. */
  async #moved(conversationId: string, holder?: string): Promise<void> {
    for (const listener of this.#moveListeners)
      await listener(conversationId, holder).catch((err: unknown) =>
        this.#d.log.warn({ err, conversationId }, 'a move listener failed'),
      );
  }

  close(): void {
    this.#closed = true;
  }

  /** Why a move of a conversation that is not active was refused: it ended, or it is not active. */
  async #notActive(conversationId: string): Promise<AppError> {
    const r = await this.#d.store.read(conversationId);
    return refusal(r === null || r.state === 'ended' ? 'conversation_ended' : 'not_active');
  }

  // ------------------------------------------------------------------ assignment

  /** Routing passes until nothing more can be assigned; safe from any process. */
  async routeNow(): Promise<number> {
    if (this.#closed) return 0;
    let assigned = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const pass = await this.#pass();
        assigned += pass.assigned;
        if (!pass.again) break;
      }
    } catch (err) {
      this.#d.log.warn({ err }, 'routing pass failed');
    }
    if (assigned > 0) this.#d.view.changed();
    return assigned;
  }

  /** The ids of the lines an account's stored lines give it (`QueueView.linesOf`). */
  linesOf(stored: readonly string[] | undefined): Promise<Set<string>> {
    return this.#d.view.linesOf(stored);
  }

  /**
   * One pass: for each available operator, the heads of the waiting sets of their
   * languages on their lines and the lines that overflow into theirs, merged in routing
   * order, each given to the least loaded operator with room who may take it now (its
   * line, or a line it has overflowed to: `LineRegistry.routableTo`). No number of
   * conversations in other languages or on other lines is ever read. The proposals are
   * then made atomically, one script each, in one round trip; a refused one (a race) is
   * left for the next pass.
   */
  async #pass(): Promise<{ assigned: number; again: boolean }> {
    const available = (await this.#d.roster.available()).filter((o) => o.load < o.capacity);
    if (available.length === 0) return { assigned: 0, again: false };
    const ops = await Promise.all(available.map(async (o) => ({ ...o, lines: await this.linesOf(o.lines) })));
    const free = ops.reduce((n, o) => n + o.capacity - o.load, 0);
    const sets = new Map<string, { line: string; lang: string; fallback: boolean }>();
    for (const o of ops) {
      const feeding = [...new Set([...this.#d.lines.feeding(o.lines), ...o.lines])];
      const speaksFallback = o.languages.some((l) => FALLBACK_LANGUAGES.includes(l));
      for (const line of feeding) {
        for (const lang of o.languages)
          sets.set(this.#k.waiting(line, lang), { line, lang, fallback: false });
        // Dutch and English speakers also take what waits on the line's language fallback.
        if (speaksFallback) sets.set(this.#k.fallback(line), { line, lang: '', fallback: true });
      }
    }
    const read = this.#d.redis.pipeline();
    for (const key of sets.keys()) read.zrange(key, 0, free + 15, 'WITHSCORES');
    const rows = ((await read.exec()) ?? []).map(([, z]) => (z ?? []) as string[]);
    const now = Date.now();
    const routable = (line: string, score: number) => this.#d.lines.routableTo(line, sinceOf(score), now);
    const heads: Head[] = [];
    [...sets.values()].forEach((set, i) => {
      const flat = rows[i] ?? [];
      if (set.fallback) return;
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const score = Number(flat[j + 1]);
        heads.push({
          id: flat[j]!,
          score,
          lang: set.lang,
          line: set.line,
          routable: routable(set.line, score),
        });
      }
    });
    const fallbacks = [...sets.values()].flatMap((set, i) =>
      set.fallback ? [{ set, flat: rows[i] ?? [] }] : [],
    );
    for (const { set, flat } of fallbacks) heads.push(...(await this.#fallbackHeads(set.line, flat, now)));
    const proposals = planAssignments(ops, heads);
    if (proposals.length === 0) return { assigned: 0, again: false };
    const since = new Map(heads.map((h) => [h.id, sinceOf(h.score)]));
    const pipe = this.#d.redis.pipeline();
    for (const p of proposals) {
      const served = this.servedLineFor(p.line, since.get(p.id) ?? now, p.op.lines, now);
      this.#queueAssign(pipe, p.id, p.lang, p.line, served, p.op, now, true);
    }
    const results = (await pipe.exec()) ?? [];
    let assigned = 0;
    let again = false;
    const notices: Promise<void>[] = [];
    results.forEach(([err, raw], i) => {
      const p = proposals[i]!;
      if (err) {
        again = true;
        return;
      }
      const r = assignScript.decode(raw);
      if (r.status === 'ok') {
        assigned++;
        notices.push(
          this.#afterAssigned(p.id, p.op.id, r.waitingSince, p.op.name).catch((err: unknown) =>
            this.#tellHolderLater(p.id, p.op.id, err),
          ),
        );
      } else if (r.status === 'conflict' || r.status === 'not_found') {
        // A stale entry (ended or taken) never blocks the queue.
        this.#d.redis.zrem(this.#k.waiting(p.line, p.lang), p.id).catch(() => {
          // Redis away: the next pass finds the entry stale again.
        });
        again = true;
      } else if (r.status === 'retry') {
        // Read from a set it no longer belongs to (another line or language): the next pass
        // reads it from the right one. Only a stale entry in a set of its own is removed.
        this.#dropIfMisplaced(p.id, p.line, p.lang).catch((err) =>
          this.#d.log.warn({ err }, 'stale waiting entry not removed'),
        );
        again = true;
      } else {
        again = true; // the operator went away or filled up meanwhile
      }
    });
    // The assignments are committed; an operator whose notice failed is told by a job.
    await Promise.all(notices);
    return { assigned, again: again && assigned > 0 };
  }

  /** Removes an entry read from a line's or language's set that its record no longer names. */
  async #dropIfMisplaced(id: string, line: string, lang: string): Promise<void> {
    const r = await this.#d.store.read(id);
    if (r?.state !== 'waiting' || r.language !== lang || this.#d.lines.lineOf(r.line) !== line)
      await this.#d.redis.zrem(this.#k.waiting(line, lang), id);
  }

  /** Heads of a line's fallback set, with each conversation's own language (which names its set). */
  async #fallbackHeads(line: string, flat: string[], now: number): Promise<Head[]> {
    if (flat.length === 0) return [];
    const pipe = this.#d.redis.pipeline();
    for (let j = 0; j < flat.length; j += 2) pipe.hget(this.#k.conversation(flat[j]!), 'language');
    const langs = ((await pipe.exec()) ?? []).map(([, l]) => (l ?? '') as string);
    const heads: Head[] = [];
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const lang = langs[j / 2];
      const score = Number(flat[j + 1]);
      if (lang)
        heads.push({
          id: flat[j]!,
          score,
          lang,
          fallback: true,
          line,
          routable: this.#d.lines.routableTo(line, sinceOf(score), now),
        });
    }
    return heads;
  }

  /**
   * The line an operator of `lines` takes a conversation of `line` through, when it is not
   * one of theirs: the first of their lines along its overflow (`routableTo` order), else
   * the first of their lines on its chain. '' when it is their own line.
   */
  servedLineFor(line: string, waitingSince: number, lines: ReadonlySet<string>, now = Date.now()): string {
    if (lines.has(line)) return '';
    const along = [...this.#d.lines.routableTo(line, waitingSince, now), ...this.#d.lines.chain(line)];
    return along.find((l) => lines.has(l)) ?? [...lines][0] ?? '';
  }

  #assignKeys(id: string, lang: string, line: string, operatorId: string) {
    const k = this.#k;
    const day = today();
    return {
      conversation: k.conversation(id),
      waiting: k.waiting(line, lang),
      held: k.held,
      waitingAway: k.waitingAway,
      operatorConversations: k.operatorConversations(operatorId),
      active: k.active,
      routeOperator: k.routeOperator(operatorId),
      stats: k.stats,
      statsDay: k.statsDay(day),
      statsDayWaits: k.statsDayWaits(day),
      fallback: k.fallback(line),
    };
  }

  #queueAssign(
    pipe: ReturnType<Redis['pipeline']>,
    id: string,
    lang: string,
    line: string,
    servedLine: string,
    op: { id: string; name: string; capacity: number },
    now: number,
    requireAvailable: boolean,
  ): void {
    queueScript(this.#d.redis, pipe, assignScript, this.#assignKeys(id, lang, line, op.id), {
      id,
      operatorId: op.id,
      operatorName: op.name,
      capacity: op.capacity,
      now,
      language: lang,
      requireAvailable: requireAvailable ? 1 : 0,
      ewmaAlpha: EWMA_ALPHA,
      statsTtlMs: STATS_TTL_MS,
      line,
      servedLine,
      firstLine: this.#d.lines.first.id,
      // Routing: the operator did not ask, so nothing of theirs is taken for a retry.
      movedBy: '',
      retryWindowMs: MOVE_RETRY_WINDOW_MS,
    });
  }

  /**
   * Assigns one waiting conversation to one operator, whatever their status, if they have
   * room. Which conversations an account may take by hand is checked by the caller.
   * `movedBy`: the operator when they take it themselves (an accept), '' for a supervisor's
   * assignment; one they accepted themselves within MOVE_RETRY_WINDOW_MS and hold still
   * answers 'held' (the same accept asked again).
   */
  async #assignOne(
    id: string,
    op: { id: string; name: string; capacity: number; lines: readonly string[] | undefined },
    movedBy: string,
  ) {
    const lines = await this.linesOf(op.lines);
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.#d.store.read(id);
      if (!r) return { status: 'not_found' } as const;
      const line = this.#d.lines.lineOf(r.line);
      const now = Date.now();
      const result = await runScript(
        this.#d.redis,
        assignScript,
        this.#assignKeys(id, r.language, line, op.id),
        {
          id,
          operatorId: op.id,
          operatorName: op.name,
          capacity: op.capacity,
          now,
          language: r.language,
          requireAvailable: 0,
          ewmaAlpha: EWMA_ALPHA,
          statsTtlMs: STATS_TTL_MS,
          line,
          servedLine: this.servedLineFor(line, r.waitingSince, lines, now),
          firstLine: this.#d.lines.first.id,
          movedBy,
          retryWindowMs: MOVE_RETRY_WINDOW_MS,
        },
      );
      if (result.status === 'ok') return { ...result, assignedAt: now };
      if (result.status !== 'retry') return result;
    }
    return { status: 'conflict' } as const;
  }

  /**
   * `chat:accept`: an operator takes a waiting conversation by hand. An accept of one that
   * is no longer waiting answers `not_waiting` (PROTOCOL.md), the same accept asked again
   * after it was made included. But when that is the caller's retry of their own accept,
   * within MOVE_RETRY_WINDOW_MS (its answer was lost, or a step after it failed: the console
   * retries, its socket still up), what the first left undone is done first: the caller's
   * `chat:assigned` again, the entry audited and its visitor told, once.
   */
  async accept(
    conversationId: string,
    op: OperatorRef,
  ): Promise<{ conversation: Conversation; messages: Message[] }> {
    const r = await this.#assignOne(
      conversationId,
      { id: op.id, name: op.displayName, capacity: op.capacity ?? this.#d.roster.capacity, lines: op.lines },
      op.id,
    );
    if (r.status === 'not_found') throw new AppError('not_found');
    if (r.status === 'full') throw refusal('at_capacity');
    if (r.status !== 'ok' && r.status !== 'held') throw refusal('not_waiting');
    this.#d.view.changed();
    // The visitor is told with the entry, so a retry never tells them twice; and after the
    // operator's consoles, below, so that what she does on hearing it (a message, a quick
    // exit) never reaches a console that does not have the conversation yet. Told all the
    // same when a step in between fails (the holder hears of it from a job then).
    const visitor = this.#moveNotice(conversationId, op.displayName);
    try {
      if (r.status === 'ok') await this.#counted(conversationId, r.waitingSince);
      visitor.owed = await this.#auditMove('accept', op.id, conversationId, r.assignedAt);
      await this.pushOperatorState(op.id);
      const view = await this.#operatorView(conversationId, routedViewer(op.lines));
      if (!view) {
        // Its lines changed meanwhile (the event's line check asked before the assignment):
        // not kept by someone who may not answer it.
        await this.requeue(conversationId, op.id);
        throw refusal('not_waiting');
      }
      // Other sockets of the same operator learn of it too.
      this.#d.notifier.toOperator(op.id, 'chat:assigned', view);
      visitor.send();
      await this.#moved(conversationId, op.id);
      // A retry: the conversation was not waiting when it was asked, whatever came first.
      if (r.status === 'held') throw refusal('not_waiting');
      return { conversation: view.conversation, messages: view.messages };
    } catch (err) {
      if (!(err instanceof AppError)) {
        visitor.send();
        this.#tellHolderLater(conversationId, op.id, err, {
          action: 'accept',
          actorId: op.id,
          movedAt: r.assignedAt,
        });
      }
      throw err;
    }
  }

  /**
   * A supervisor gives a waiting conversation to a named, signed-in operator. Not marked as
   * the operator's move: their own accept of it later is never taken for a retry. `audit`:
   * the move's entry, written after its notices, or by the job when any step failed.
   */
  async assignTo(conversationId: string, operatorId: string, audit?: MoveAudit): Promise<void> {
    const target = await this.#d.roster.target(operatorId);
    if (!target) throw refusal('operator_offline');
    const r = await this.#assignOne(
      conversationId,
      { id: operatorId, name: target.name, capacity: target.capacity, lines: target.lines },
      '',
    );
    if (r.status === 'full') throw refusal('colleague_full');
    if (r.status !== 'ok') throw refusal('not_waiting');
    this.#d.view.changed();
    try {
      // After the notices and the figures, which must not wait on it; the visitor is told
      // there in any case, so the job never tells her again.
      await this.#afterAssigned(conversationId, operatorId, r.waitingSince, target.name);
      if (audit) await this.#auditMove(audit.action, audit.actorId, conversationId, r.assignedAt);
    } catch (err) {
      const move = audit && { ...audit, movedAt: r.assignedAt, visitorTold: true };
      this.#tellHolderLater(conversationId, operatorId, err, move);
      throw err;
    }
  }

  /** What a committed assignment counts for (its figures were recorded in the same script). */
  async #counted(conversationId: string, waitingSince: number): Promise<void> {
    this.#d.metrics?.waitSeconds?.observe(Math.max(0, (Date.now() - waitingSince) / 1000));
    this.#d.metrics?.assignments?.inc();
    for (const listener of this.#assignedListeners)
      await listener(conversationId, waitingSince).catch((err: unknown) =>
        this.#d.log.warn({ err }, 'an assignment listener failed'),
      );
    this.#d.view.forget(conversationId);
  }

  /**
   * After an assignment by routing or by a supervisor is committed: tell the visitor, the
   * operator (`name`) and the operator's load display. When it fails, its callers have the
   * operator told by a job (`#tellHolderLater`).
   */
  async #afterAssigned(
    conversationId: string,
    operatorId: string,
    waitingSince: number,
    name: string,
  ): Promise<void> {
    await this.#counted(conversationId, waitingSince);
    // The operator first: what the visitor does on hearing it must find the conversation on
    // the console; she is told all the same when that fails (a job tells the operator then).
    try {
      await this.sendAssigned(conversationId, operatorId);
    } finally {
      this.#d.notifier.toVisitor(conversationId, 'chat:assigned', { operatorName: firstName(name) });
    }
    await this.#moved(conversationId, operatorId);
    await this.pushOperatorState(operatorId);
  }

  /**
   * Audits a move once, however often it is asked: gated by the conversation and the time
   * that names the move (`assignedAt`, or `movedAt` of a move to a queue). The move's own
   * entry (`accept`, `transfer`, `transfer-queue`, a supervisor's `reassign`) shares one
   * gate, so a move is one entry whoever asks again; its hand-over note has its own.
   * @returns whether this call wrote the entry (false: an earlier try of the same move did)
   */
  #auditMove(
    action: string,
    actorId: string,
    conversationId: string,
    movedAt: number | string,
  ): Promise<boolean> {
    const gate = this.#k.auditOnce(action === 'note' ? 'move-note' : 'move', `${conversationId}:${movedAt}`);
    return this.#d.audit.recordOncePer(
      { gate, windowMs: MOVE_AUDIT_WINDOW_MS },
      action,
      actorId,
      conversationId,
    );
  }

  /**
   * The visitor's `chat:assigned` for an operator's own move (`name`: the new holder's):
   * sent by the first `send()` once `owed`, the move's audit entry having just been written
   * by this call, never by a retry whose first try told her already.
   */
  #moveNotice(conversationId: string, name: string): { owed: boolean; send(): void } {
    const notifier = this.#d.notifier;
    return {
      owed: false,
      send() {
        if (!this.owed) return;
        this.owed = false;
        notifier.toVisitor(conversationId, 'chat:assigned', { operatorName: firstName(name) });
      },
    };
  }

  /**
   * A step after a committed move failed (a Redis failover fails commands within a second):
   * its new holder may not have been told, and their console never learns of it otherwise,
   * since its socket stays up and no reconnect resends it. A job tells them (`tellHolder`):
   * queued on BullMQ's own connection, which waits for Redis rather than failing, and retried.
   */
  #tellHolderLater(conversationId: string, operatorId: string, err: unknown, move?: OwedMove): void {
    this.#d.log.warn({ err, conversationId, operatorId }, 'assignment notice failed; a job tells the holder');
    this.#d.conversationsQueue
      .add('assigned', { conversationId, operatorId, ...(move ? { move } : {}) })
      .catch((e: unknown) =>
        this.#d.log.warn({ err: e, conversationId }, 'assignment notice job not queued'),
      );
  }

  /**
   * Job: `chat:assigned` and `operator:state` again to an operator not told of a
   * conversation, while they hold it; and the entries of the `move` its call left unwritten,
   * whoever holds it now (the move was made), its visitor told with the move's entry while
   * it is still theirs.
   */
  async tellHolder(conversationId: string, operatorId: string, move?: OwedMove): Promise<boolean> {
    const r = await this.#d.store.read(conversationId);
    const holds = r?.state === 'active' && r.operatorId === operatorId;
    // The console first, as on the move itself: what she does on hearing it must find it there.
    if (holds) await this.sendAssigned(conversationId, operatorId);
    if (move) {
      if (move.noteBy) await this.#auditMove('note', move.noteBy, conversationId, move.movedAt);
      const visitor = this.#moveNotice(conversationId, r?.operatorName ?? '');
      visitor.owed = await this.#auditMove(move.action, move.actorId, conversationId, move.movedAt);
      if (holds && !move.visitorTold) visitor.send();
    }
    if (!holds) return false;
    await this.pushOperatorState(operatorId);
    return true;
  }

  /**
   * The whole of a conversation, unchecked: for a supervisor reading along, whose reach the
   * event's line check asked. Every view for an operator is built by `#operatorView`.
   */
  async assignedView(conversationId: string): Promise<AssignedView> {
    return this.#view(await this.#d.store.get(conversationId));
  }

  async #view(r: ConversationRecord): Promise<AssignedView> {
    const [messages, notes] = await Promise.all([
      this.#d.store.messages(r.id, { forOperator: true }),
      this.#d.store.notes(r.id),
    ]);
    return { conversation: this.#d.store.toConversation(r), messages, notes };
  }

  /**
   * The whole of a conversation for an operator (`overflowFrom` set when it reached their
   * lines through overflow), or null when the account may not reach it (`mayReach`, the
   * rule of `app.lineAccess`). Every `chat:assigned` to an operator (an accept, an
   * assignment, a transfer, the resend on connect) is built here, so none is sent for a
   * conversation that stayed held on a line the account lost: its requeue can fail
   * (`requeueUnreachable` skips it), and the check is then all that stands between the
   * holder and its messages. The check and the view are of one read of the record.
   */
  async #operatorView(conversationId: string, viewer: LineMember): Promise<AssignedView | null> {
    const r = await this.#d.store.get(conversationId);
    if (!mayReach(this.#d.lines, viewer, r)) return null;
    const view = await this.#view(r);
    const lines = await this.linesOf(viewer.role === 'admin' ? ['*'] : viewer.lines);
    const from = overflowFromFor(this.#d.lines, lines, view.conversation.line);
    if (from) view.conversation.overflowFrom = from;
    return view;
  }

  /** An operator as routing knows them: the lines their last console connect copied to the roster. */
  async #routedViewer(operatorId: string): Promise<LineMember> {
    return routedViewer(await this.#d.roster.lines(operatorId));
  }

  async sendAssigned(conversationId: string, operatorId: string): Promise<void> {
    const view = await this.#operatorView(conversationId, await this.#routedViewer(operatorId));
    if (view) this.#d.notifier.toOperator(operatorId, 'chat:assigned', view);
    else
      this.#d.log.warn(
        { operatorId, conversationId },
        'assigned conversation out of the operator’s lines not sent',
      );
  }

  /**
   * Re-sends `chat:assigned` for every active conversation of an operator (on reconnect),
   * but for those `account` (the account the socket was built on) may not reach: one held
   * on a line it lost whose requeue failed stays held, unseen, for the next requeue or a
   * supervisor's reassign.
   */
  async resendAssigned(
    operatorId: string,
    account: LineMember,
    emit: (payload: AssignedView) => void,
  ): Promise<void> {
    for (const id of await this.#d.roster.conversationsOf(operatorId)) {
      const view = await this.#operatorView(id, account);
      if (view) emit(view);
      else
        this.#d.log.warn(
          { operatorId, conversationId: id },
          'held conversation out of the account’s lines not resent',
        );
    }
  }

  async pushOperatorState(operatorId: string): Promise<void> {
    this.#d.notifier.toOperator(operatorId, 'operator:state', await this.#d.roster.state(operatorId));
  }

  // --------------------------------------------------------------------- moving

  /**
   * Returns an active conversation to the queue (its place kept), from the operator expected
   * to hold it; an optional sealed hand-over note is stored in the same step. `movedBy`: the
   * holder when they ask for it themselves (their transfer to a queue, `note` its note in
   * clear), so that the same move asked again within MOVE_RETRY_WINDOW_MS answers 'moved';
   * asked with another note it is another ask, a 'conflict' as any requeue of a conversation
   * that waits. '' for any other. An urgent conversation is alerted on again while it waits.
   */
  async requeue(
    conversationId: string,
    operatorId: string,
    sealedNote = '',
    toLine = '',
    movedBy = '',
    note?: string,
  ): Promise<{ status: 'ok' | 'moved' | 'conflict' | 'forbidden'; noteId: string; movedAt: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.#d.store.read(conversationId);
      if (!r) return { status: 'conflict', noteId: '', movedAt: '' };
      const k = this.#k;
      const line = this.#d.lines.lineOf(r.line);
      // Back to its own line's sets, or to those of the line it is transferred to.
      const target = toLine || line;
      const res = await runScript(
        this.#d.redis,
        requeueScript,
        {
          conversation: k.conversation(conversationId),
          notes: k.notes(conversationId),
          operatorConversations: k.operatorConversations(operatorId),
          waiting: k.waiting(target, r.language),
          active: k.active,
          waitingAway: k.waitingAway,
          fallback: k.fallback(target),
        },
        {
          id: conversationId,
          operatorId,
          sealedNote,
          language: r.language,
          urgentOffset: URGENT_OFFSET,
          fallbackShift: FALLBACK_SHIFT,
          signalOffset: SIGNAL_OFFSET,
          line,
          toLine,
          firstLine: this.#d.lines.first.id,
          movedBy,
          now: Date.now(),
          retryWindowMs: MOVE_RETRY_WINDOW_MS,
        },
      );
      if (res.status === 'retry') continue;
      if (res.status === 'moved' && !(await this.#sameNote(conversationId, res.noteId, note)))
        return { status: 'conflict', noteId: '', movedAt: '' };
      if (res.status === 'ok' || res.status === 'moved') {
        if (res.urgent) await this.#alertWhileWaiting(conversationId);
        await this.#moved(conversationId);
      }
      return { status: res.status, noteId: res.noteId, movedAt: res.movedAt };
    }
    return { status: 'conflict', noteId: '', movedAt: '' };
  }

  /**
   * An urgent (or acute) conversation waits again: supervisors are alerted URGENT_ALERT_S
   * from now, and again while it waits, as after an urgent start (`urgent-alert`). Its alert
   * chain stopped when it was taken; the queue keeps one chain per conversation, so one still
   * running (it was taken and put back before its alert fell due) goes on alone.
   */
  async #alertWhileWaiting(conversationId: string): Promise<void> {
    await this.#d.conversationsQueue.add(
      'urgent-alert',
      { conversationId },
      { delay: this.#d.config.urgentAlertMs },
    );
  }

  /**
   * `chat:transfer` (and a supervisor's reassign): to a colleague, or back to the queue.
   * Audited as the holder's `transfer` / `transfer-queue` unless `audit` says otherwise.
   * The same transfer asked again after it was made is refused as any transfer of a
   * conversation that is no longer the caller's (`not_holder`; `not_active` once it waits).
   * But when that is the holder's retry of their own transfer (same colleague or queue, same
   * note), within MOVE_RETRY_WINDOW_MS (its answer was lost, or a step after it failed: the
   * console retries, its socket still up), what the first left undone is done first:
   * audited, the colleague's `chat:assigned`, and its visitor told, once.
   */
  async transfer(
    conversationId: string,
    from: OperatorRef,
    to: { operatorId: string } | { queue: true; line?: string | undefined },
    note?: string,
    audit?: MoveAudit,
  ): Promise<void> {
    // Version 2 (lines): another line's queue must be a line of this deployment.
    const toLine = 'queue' in to ? (to.line ?? '') : '';
    if (toLine && !this.#d.lines.get(toLine)) throw refusal('unknown_line');
    // The hand-over note is written by the same script as the move, so a refused transfer
    // leaves no note behind and a retry does not add it twice.
    const sealedNote = note ? this.#d.store.seal(conversationId, 'note', note, senderOf('o', from.id)) : '';
    const n = this.#d.notifier;
    // Only a move the holder asks for themselves is marked as theirs: a supervisor's
    // reassign (which names its own actor in `audit`) is never taken for the holder's retry.
    const movedBy = audit ? '' : from.id;
    if ('queue' in to) {
      const r = await this.requeue(conversationId, from.id, sealedNote, toLine, movedBy, note);
      if (r.status === 'forbidden') throw refusal('not_holder');
      if (r.status !== 'ok' && r.status !== 'moved') throw await this.#notActive(conversationId);
      const retry = r.status === 'moved';
      // Told before any step that can fail: nobody holds it now.
      n.toOperator(from.id, 'chat:unassigned', { conversationId, reason: 'transferred' });
      // Its visitor waits again: position and staffing now follow its (new) line.
      this.#d.view.forget(conversationId);
      this.#d.view.changed();
      if (sealedNote) await this.#auditMove('note', from.id, conversationId, r.movedAt);
      await this.#auditMove(
        audit?.action ?? 'transfer-queue',
        audit?.actorId ?? from.id,
        conversationId,
        r.movedAt,
      );
      await this.pushOperatorState(from.id);
      void this.routeNow();
      // A retry: the conversation was no longer active when it was asked.
      if (retry) throw await this.#notActive(conversationId);
      return;
    }
    const target = await this.#d.roster.target(to.operatorId);
    if (!target) throw refusal('operator_offline');
    const k = this.#k;
    const r = await runScript(
      this.#d.redis,
      transferScript,
      {
        conversation: k.conversation(conversationId),
        notes: k.notes(conversationId),
        fromConversations: k.operatorConversations(from.id),
        toConversations: k.operatorConversations(to.operatorId),
      },
      {
        id: conversationId,
        fromOperatorId: from.id,
        toOperatorId: to.operatorId,
        toName: target.name,
        toCapacity: target.capacity,
        now: Date.now(),
        sealedNote,
        movedBy,
        retryWindowMs: MOVE_RETRY_WINDOW_MS,
      },
    );
    if (r.status === 'forbidden') throw refusal('not_holder');
    if (r.status === 'full') throw refusal('colleague_full');
    if (r.status !== 'ok' && r.status !== 'moved') throw await this.#notActive(conversationId);
    // Asked again with another note: another ask, refused as any once the move is made.
    const retry = r.status === 'moved';
    if (retry && !(await this.#sameNote(conversationId, r.noteId, note))) throw refusal('not_holder');
    n.toOperator(from.id, 'chat:unassigned', { conversationId, reason: 'transferred' });
    // The visitor is told with the entry, so a retry never tells them twice; after the
    // colleague, so that what she does on hearing it finds the conversation there, and all
    // the same when a step in between fails.
    const visitor = this.#moveNotice(conversationId, target.name);
    const move: OwedMove = {
      action: audit?.action ?? 'transfer',
      actorId: audit?.actorId ?? from.id,
      movedAt: r.assignedAt,
      ...(sealedNote ? { noteBy: from.id } : {}),
    };
    try {
      if (sealedNote) await this.#auditMove('note', from.id, conversationId, r.assignedAt);
      visitor.owed = await this.#auditMove(move.action, move.actorId, conversationId, r.assignedAt);
      await this.sendAssigned(conversationId, to.operatorId);
      visitor.send();
      await this.#moved(conversationId, to.operatorId);
      await Promise.all([this.pushOperatorState(from.id), this.pushOperatorState(to.operatorId)]);
    } catch (err) {
      visitor.send();
      this.#tellHolderLater(conversationId, to.operatorId, err, move);
      throw err;
    }
    void this.routeNow();
    // A retry: the conversation was no longer the caller's when it was asked.
    if (retry) throw refusal('not_holder');
  }

  /**
   * Whether `note` (none: '' or undefined) is the hand-over note a move stored (`noteId`, ''
   * for none): the same move asked with another note is another ask, not a retry. Notes are
   * sealed with a fresh nonce each, so the stored one is opened to compare.
   */
  async #sameNote(conversationId: string, noteId: string, note = ''): Promise<boolean> {
    if (!noteId || !note) return !noteId && !note;
    return (await this.#d.store.notes(conversationId)).some((n) => n.noteId === noteId && n.text === note);
  }

  /** Every conversation of an operator gone past the grace period goes back to the queue. */
  async requeueOperator(operatorId: string): Promise<number> {
    let n = 0;
    for (const id of await this.#d.roster.conversationsOf(operatorId)) {
      if ((await this.requeue(id, operatorId)).status !== 'ok') continue;
      n++;
      this.#d.notifier.toOperator(operatorId, 'chat:unassigned', { conversationId: id, reason: 'requeued' });
      this.#d.view.forget(id);
    }
    if (n > 0) {
      this.#d.log.info({ operatorId, conversations: n }, 'conversations requeued after grace period');
      this.#d.view.changed();
      void this.routeNow();
    }
    return n;
  }

  /**
   * A conversation marked urgent, or showing a high danger signal, while it waits moves
   * ahead in its line (and on the fallback), held or not.
   */
  async rescore(r: ConversationRecord, urgent: boolean, highSignal = r.highSignal): Promise<void> {
    if (r.state !== 'waiting') return;
    const score = routingScore(urgent, r.waitingSince, highSignal);
    const line = this.#d.lines.lineOf(r.line);
    await this.#d.redis
      .multi()
      .zadd(this.#k.waiting(line, r.language), 'XX', score, r.id)
      .zadd(this.#k.held, 'XX', score, r.id)
      .zadd(this.#k.fallback(line), 'XX', score + FALLBACK_SHIFT, r.id)
      .exec();
    this.#d.view.changed();
  }
}
