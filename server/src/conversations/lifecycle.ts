import { randomBytes } from 'node:crypto';
import {
  AppError,
  type EndReason,
  type LeaveReason,
  type ResumeAck,
  refusal,
  type StartAck,
  type VisitorLeftReason,
  type VisitorStart,
} from '@stille-lijn/shared';
import { updateEwma } from '@stille-lijn/shared/domain/wait';
import type { SignalHit } from '@stille-lijn/shared/signals';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { DataCipher } from '../crypto/cipher.ts';
import type { LineRegistry } from '../lines/registry.ts';
import type { OnCall } from '../oncall/index.ts';
import type { ConversationJobQueue, RetentionJobQueue } from '../queues/jobs.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { type QueueView, type Roster, type Router, routingScore, type Waiters } from '../routing/index.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { Credentials, newToken } from './credentials.ts';
import { VISITOR_PRESENCE_TTL_MS, VisitorResume } from './resume.ts';
import { endScript, markAwayScript, settleAwayScript, startScript } from './scripts.ts';
import type { ConversationRecord, ConversationStore } from './store.ts';

/** How long an address's set of open conversations outlives its last new conversation. */
const OPEN_SET_TTL_MS = 86_400_000;
/** The window of VISITOR_STARTS_PER_HOUR, from an address's first start in it. */
const START_WINDOW_MS = 3_600_000;
/** How long a conversation's address hash outlives its end, so that it can still be blocked. */
export const ADDRESS_AFTER_END_MS = 60 * 60_000;
/** Days a day's figures are kept. */
const STATS_TTL_MS = 3 * 86_400_000;
/** Overdue away conversations one sweep ends at most; the next sweep takes the rest. */
const OVERDUE_PER_SWEEP = 200;
/**
 * How long an end's own caller has to finish the steps after its script (or to retry) before
 * the sweep does them (`finishPendingEnds`).
 */
const END_PENDING_GRACE_MS = 60_000;
/**
 * How often a process looks for away conversations an earlier release left out of
 * `awayUntil` (its first sweep, then hourly): that release still queued their away-expire
 * jobs, so the index only stands in for a lost one, and reading every open conversation
 * every 10 s would be work the sweep need not do.
 */
const AWAY_INDEX_EVERY_MS = 3_600_000;

const newId = () => randomBytes(16).toString('base64url');

/**
 * One timer of a kind per conversation, for its newest leave. Without it every leave of a
 * script alternating `chat:leave` and `chat:resume` queued one more job that lived for the
 * return window (thousands per socket; with `noeviction` a few hundred sockets fill Redis).
 * BullMQ's deduplication in `replace` mode swaps a delayed job for the new one in one step
 * (a fixed `jobId` would keep the first leave's timer instead, and a failed job kept under
 * it would block every later one); `keepLastIfActive` queues the newest once a running one
 * finishes. A timer that fires for an older leave checks the stored `awaySince` and does
 * nothing; a lost one is the sweep's (`endOverdueAway`, `holdGoneWaiters`).
 */
const newestTimer = (kind: 'away-expire' | 'hold', conversationId: string) => ({
  id: `${kind}:${conversationId}`,
  replace: true,
  keepLastIfActive: true,
});

export interface LifecycleDeps {
  redis: Redis;
  keys: RedisKeys;
  cipher: DataCipher;
  store: ConversationStore;
  router: Router;
  waiters: Waiters;
  roster: Roster;
  view: QueueView;
  notifier: Notifier;
  audit: AuditLog;
  oncall: OnCall;
  config: Readonly<Config>;
  log: Logger;
  /** Danger signals (the signals room): read a first message, and record what it showed. */
  signals: {
    read(text: string): SignalHit[];
    started(conversationId: string, messageId: string, hits: SignalHit[]): Promise<void>;
  };
  /** The BullMQ `conversations` queue, for timers that must survive a crash. */
  conversationsQueue: ConversationJobQueue;
  /** The BullMQ `retention` queue. */
  retentionQueue: RetentionJobQueue;
  /** With REDIS_ACK_REPLICAS: a return-code redemption is acked once replicas have it. */
  durable: DurableAcks;
  /** Version 2: the deployment's lines. */
  lines: LineRegistry;
  /** Redis past its high-water mark: no new conversation (`redis/memory-guard.ts`). */
  memory: { readonly full: boolean };
}

/** What features that act on an ending hear (breaks after high risk, figures). */
export interface Ended {
  conversationId: string;
  reason: EndReason;
  /** The state it ended from. */
  previous: string;
  /** The conversation as it was just before it ended. */
  record: ConversationRecord;
  /** When the break the end put its holder on ends (ms; see `setBreakRule`), 0 for none. */
  breakUntil: number;
}

/** What the steps after an end script need: from that call, or from the hash on a retry. */
interface EndSteps {
  reason: EndReason;
  previous: string;
  operatorId: string;
  byOperatorId: string | undefined;
  notifyVisitor: boolean;
  /** As read before the script (ended already on a retry; operator and risk still there). */
  record: ConversationRecord;
  breakUntil: number;
}

/**
 * A conversation from the visitor's side: start, resume by token or return code, leave or
 * drop, and its end. All state in Redis, every transition one Lua script.
 */

export class ConversationLifecycle {
  /** When this process last indexed away conversations an earlier release left (`endOverdueAway`). */
  #awayIndexedAt = Number.NEGATIVE_INFINITY;
  readonly #d: LifecycleDeps;
  readonly #k: RedisKeys;
  readonly #c: Credentials;
  readonly #resume: VisitorResume;
  readonly #endedListeners: ((e: Ended) => Promise<void>)[] = [];
  readonly #startedListeners: ((conversationId: string) => Promise<void>)[] = [];
  #breakRule: (record: ConversationRecord) => number = () => 0;

  /** Calls `listener` after each conversation ends (in the process that ended it). */
  onEnded(listener: (e: Ended) => Promise<void>): void {
    this.#endedListeners.push(listener);
  }

  /**
   * How long a break the holder of a conversation ending in their hands goes on (ms, 0 for
   * none): a break after a high risk level. The end script sets it, in the step that frees
   * their place, so that no routing pass gives that place away first; `Ended.breakUntil`
   * says when it ends.
   */
  setBreakRule(rule: (record: ConversationRecord) => number): void {
    this.#breakRule = rule;
  }

  /** Calls `listener` after each conversation is created (the daily figures). */
  onStarted(listener: (conversationId: string) => Promise<void>): void {
    this.#startedListeners.push(listener);
  }

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
    this.#k = deps.keys;
    this.#c = new Credentials(deps.cipher, deps.keys);
    this.#resume = new VisitorResume(deps, this.#c);
    prepareScripts(deps.redis, [startScript, endScript, markAwayScript, settleAwayScript]);
  }

  /**
   * `chat:resume` with a resume token: rotates it and returns what the visitor missed,
   * never anything up to the last return-code redemption.
   */
  resumeByToken(
    token: string,
    lastMessageId: string | undefined,
    socketId: string,
    join: (conversationId: string, floor: string) => Promise<void>,
  ): Promise<ResumeAck> {
    return this.#resume.resumeByToken(token, lastMessageId, socketId, join);
  }

  /** `chat:resume` with a return code: once, within the return window, showing nothing old, ever again. */
  resumeByReturnCode(code: string, socketId: string, addr: string, network: string): Promise<ResumeAck> {
    return this.#resume.resumeByReturnCode(code, socketId, addr, network);
  }

  /**
   * `chat:start`: creates the conversation, queues it, and routes at once. Refused for a
   * blocked address (`forbidden`) and for an address with too many conversations open
   * (`rate_limited`), both checked in the same atomic step as the creation; for a line this
   * deployment lacks (`invalid_payload`, reason `unknown_line`) and for a line that is
   * closed with no open overflow line (`unavailable`, reason `line_closed`), before
   * anything is written.
   */
  async start(
    input: VisitorStart,
    socketId: string,
    addr: string,
    net: string,
  ): Promise<StartAck & { conversationId: string }> {
    const d = this.#d;
    const line = d.lines.resolve(input.line);
    if (!line) throw refusal('unknown_line');
    const now = Date.now();
    if (!d.lines.accepts(line.id, new Date(now))) throw refusal('line_closed');
    if (d.memory.full) throw refusal('line_full');
    const id = newId();
    const resumeToken = newToken();
    const urgent = input.urgent === true;
    const k = this.#k;
    // Danger signals in the first message, read in memory before it is sealed: a high one
    // scores the conversation right after the urgent ones from the start.
    const hits = input.text ? d.signals.read(input.text) : [];
    const highSignal = hits.some((h) => h.weight === 'high');
    for (let attempt = 0; attempt < 5; attempt++) {
      // A clash with another conversation's live code is retried with a new code.
      const fresh = this.#c.newCode();
      const r = await runScript(
        d.redis,
        startScript,
        {
          conversation: k.conversation(id),
          messages: k.messages(id),
          waiting: k.waiting(line.id, input.language),
          open: k.openByAddress(addr),
          blocked: k.blockedAddress(addr),
          resumeToken: this.#c.tokenKey(resumeToken),
          returnCode: fresh.key,
          starts: k.startsByAddress(addr),
          presence: k.visitorPresence,
          openNetwork: k.openByNetwork(net),
          startsNetwork: k.startsByNetwork(net),
        },
        {
          id,
          now,
          language: input.language,
          urgent: urgent ? 1 : 0,
          role: input.role,
          addr,
          openLimit: d.config.visitorOpenPerAddress,
          sealedText: input.text ? d.store.seal(id, 'message', input.text, 'v') : '',
          textBytes: input.text ? Buffer.byteLength(input.text, 'utf8') : 0,
          socketId,
          score: routingScore(urgent, now, highSignal),
          openTtlMs: OPEN_SET_TTL_MS,
          signalTier: highSignal ? '1' : '',
          line: line.id,
          startLimit: d.config.visitorStartsPerHour,
          startWindowMs: START_WINDOW_MS,
          // Present until then unless her socket is attached and refreshes it: one that never
          // is (a step below failed, and her retry made another) is dropped by the sweeps.
          presenceUntil: now + VISITOR_PRESENCE_TTL_MS,
          net,
          netOpenLimit: d.config.visitorOpenPerNetwork,
          netStartLimit: d.config.visitorStartsPerNetworkHour,
        },
      );
      if (r.status === 'blocked') {
        throw refusal('blocked', {
          message: 'New conversations from this connection are paused for a while.',
        });
      }
      if (r.status === 'limit') {
        throw refusal('open_limit');
      }
      if (r.status === 'start_limit') {
        throw refusal('start_limit', { retryAfterSeconds: Math.max(1, Math.ceil(r.retryMs / 1000)) });
      }
      if (r.status !== 'ok') continue;
      for (const listener of this.#startedListeners)
        await listener(id).catch((err: unknown) => d.log.warn({ err }, 'a start listener failed'));
      if (hits.length) await d.signals.started(id, r.messageId, hits);
      const position = await d.view.positionOf({
        id,
        language: input.language,
        line: line.id,
        waitingSince: now,
      });
      d.view.told(id, position);
      const q = d.conversationsQueue;
      await q.add('route', { conversationId: id });
      // A routing pass as each overflow step falls due, so that an overflowed conversation
      // reaches the next line's operators without waiting for an unrelated event.
      for (const delay of d.lines.overflowDelays(line.id))
        await q.add('route', { conversationId: id, overflow: true }, { delay });
      await q.add('fallback', { conversationId: id }, { delay: d.config.languageFallbackMs });
      if (urgent) await q.add('urgent-alert', { conversationId: id }, { delay: d.config.urgentAlertMs });
      // Nobody to answer: page the on-call phone (no content, no ids), without holding up the visitor.
      if (!position.staffed) d.oncall.page('unstaffed', line.id);
      d.view.changed();
      void d.router.routeNow();
      return { conversationId: id, resumeToken, returnCode: fresh.code, ...position };
    }
    throw new AppError('unavailable');
  }

  /**
   * `chat:leave`: 'ended' ends now; 'quick-exit' keeps the conversation for the return window.
   * `socketId`: the socket that leaves; a resume it made is retried no more.
   */
  async visitorLeave(conversationId: string, reason: LeaveReason, socketId: string): Promise<void> {
    this.#resume.forgetRetries(socketId);
    if (reason === 'ended') {
      const op = await this.#d.store.lastOperatorOf(conversationId);
      if (op) this.#d.notifier.toOperator(op, 'chat:visitor-left', { conversationId, reason: 'ended' });
      await this.end(conversationId, 'visitor', { notifyVisitor: false });
      return;
    }
    await this.markAway(conversationId, 'quick-exit');
  }

  /**
   * The visitor left or dropped (`reason`): away, resumable for the return window, then it
   * ends. With `socketId` (a drop), only while that socket still holds the conversation,
   * checked in the same step as the mark.
   */
  async markAway(conversationId: string, reason: VisitorLeftReason, socketId = ''): Promise<void> {
    const now = Date.now();
    const returnUntil = now + this.#d.config.returnWindowMs;
    const r = await runScript(
      this.#d.redis,
      markAwayScript,
      {
        conversation: this.#k.conversation(conversationId),
        waitingAway: this.#k.waitingAway,
        awayUntil: this.#k.awayUntil,
      },
      { id: conversationId, reason, now, returnUntil, socket: socketId },
    );
    if (!r) return;
    const q = this.#d.conversationsQueue;
    try {
      await q.add(
        'away-expire',
        { conversationId, awaySince: now },
        { delay: this.#d.config.returnWindowMs, deduplication: newestTimer('away-expire', conversationId) },
      );
      if (r.state === 'waiting') {
        // Held out of routing if the visitor is still gone then.
        await q.add(
          'hold',
          { conversationId },
          { delay: this.#d.config.waiterHoldMs + 100, deduplication: newestTimer('hold', conversationId) },
        );
      }
    } catch (err) {
      // The sweep holds and ends it in their place; the operator still hears the visitor left.
      this.#d.log.warn({ err }, 'return-window timers not queued; the sweep stands in');
    }
    if (r.operatorId) {
      this.#d.notifier.toOperator(r.operatorId, 'chat:visitor-left', {
        conversationId,
        reason,
        returnUntil: new Date(returnUntil).toISOString(),
      });
    }
  }

  /** Job: ends a conversation whose visitor did not come back in time. */
  async expireAway(conversationId: string, awaySince: number): Promise<void> {
    const r = await this.#d.store.read(conversationId);
    if (!r?.away || r.state === 'ended' || r.away.since !== awaySince) return;
    await this.end(conversationId, 'timeout', { notifyVisitor: false });
  }

  /**
   * Sweep: ends the away conversations whose return window closed by `now`, as their
   * away-expire job would have; that one job may be lost (a crash before it was queued, a
   * failed attempt), and a conversation nobody ends is never purged. First indexes the away
   * conversations an earlier release (or an instance of it still running) left unindexed,
   * on this process's first sweep and then hourly (AWAY_INDEX_EVERY_MS).
   * @param now the time windows are compared with; tests move it on
   * @returns how many it ended
   */
  async endOverdueAway(now = Date.now()): Promise<number> {
    if (now - this.#awayIndexedAt >= AWAY_INDEX_EVERY_MS) {
      await this.#indexUnindexedAway();
      this.#awayIndexedAt = now;
    }
    const d = this.#d;
    const key = this.#k.awayUntil;
    const due = await d.redis.zrangebyscore(key, '-inf', now, 'LIMIT', 0, OVERDUE_PER_SWEEP);
    let ended = 0;
    for (const id of due) {
      try {
        const r = await runScript(
          d.redis,
          settleAwayScript,
          { conversation: this.#k.conversation(id), awayUntil: key },
          { id, now },
        );
        if (r.status !== 'due') continue;
        await this.end(id, 'timeout', { notifyVisitor: false });
        ended++;
      } catch (err) {
        // One conversation that fails to end must not keep the others: the next sweep tries again.
        d.log.warn({ err }, 'an overdue away conversation did not end');
      }
    }
    if (ended > 0) d.log.info({ conversations: ended }, 'away conversations ended by the sweep');
    return ended;
  }

  /**
   * Every away conversation is in the held set, the waiter away index or the active set:
   * those with no entry in awayUntil (written before it existed) get one, by the window
   * their record holds. Instances of the earlier release may still mark visitors away during
   * a deploy; they also queue the away-expire jobs, so an hourly pass catches what one lost.
   */
  async #indexUnindexedAway(): Promise<void> {
    const d = this.#d;
    const k = this.#k;
    const [held, waitingAway, active] = await Promise.all([
      d.redis.zrange(k.held, 0, -1),
      d.redis.zrange(k.waitingAway, 0, -1),
      d.redis.smembers(k.active),
    ]);
    const ids = [...new Set([...held, ...waitingAway, ...active])];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const read = d.redis.pipeline();
      for (const id of chunk) read.hmget(k.conversation(id), 'state', 'away', 'returnUntil');
      const rows = (await read.exec()) ?? [];
      const add = d.redis.pipeline();
      chunk.forEach((id, j) => {
        const [state, away, returnUntil] = (rows[j]?.[1] ?? []) as (string | null)[];
        const until = Number(returnUntil);
        // NX: an entry mark-away wrote is never moved back by this older read.
        if (state && state !== 'ended' && away && until > 0) add.zadd(this.#k.awayUntil, 'NX', until, id);
      });
      if (add.length > 0) await add.exec();
    }
  }

  /**
   * Ends a conversation (by operator, visitor, timeout or block) and starts retention. Cut
   * off after its script (a failover), a call that is retried (by anyone) gets 'already'
   * from the script with what the first call left pending, and finishes it.
   */
  async end(
    conversationId: string,
    reason: EndReason,
    opts: { byOperatorId?: string; notifyVisitor?: boolean } = {},
  ): Promise<void> {
    const d = this.#d;
    const k = this.#k;
    let res: Awaited<ReturnType<typeof endScript.decode>> | undefined;
    let r: ConversationRecord | null = null;
    for (let attempt = 0; attempt < 5 && (!res || res.status === 'retry'); attempt++) {
      r = await d.store.read(conversationId);
      if (!r) throw new AppError('not_found');
      const now = Date.now();
      const breakMs = r.state === 'active' && r.operatorId ? this.#breakRule(r) : 0;
      res = await runScript(
        d.redis,
        endScript,
        {
          conversation: k.conversation(conversationId),
          messages: k.messages(conversationId),
          clientMessageIds: k.clientMessageIds(conversationId),
          notes: k.notes(conversationId),
          waiting: k.waiting(d.lines.lineOf(r.line), r.language),
          held: k.held,
          waitingAway: k.waitingAway,
          active: k.active,
          operatorConversations: k.operatorConversations(r.operatorId || '-'),
          open: k.openByAddress(r.addr || '-'),
          endedAddress: k.endedAddress(conversationId),
          resumeToken: r.resumeKey || k.resumeToken('-'),
          returnCode: r.returnKey || k.returnCode('-'),
          fallback: k.fallback(d.lines.lineOf(r.line)),
          endsPending: k.endsPending,
          routeOperator: k.routeOperator(r.operatorId || '-'),
          routeAvailable: k.routeAvailable,
          openNetwork: k.openByNetwork(r.net || '-'),
        },
        {
          id: conversationId,
          reason,
          now,
          retentionMs: d.config.retentionMs,
          expectedOperatorId: opts.byOperatorId ?? '',
          // Never past the retention period: it links the address to the conversation.
          addressTtlMs: Math.min(ADDRESS_AFTER_END_MS, d.config.retentionMs),
          operatorId: r.operatorId,
          language: r.language,
          addr: r.addr,
          resumeKey: r.resumeKey,
          returnKey: r.returnKey,
          line: d.lines.lineOf(r.line),
          firstLine: d.lines.first.id,
          breakUntil: breakMs > 0 ? now + breakMs : 0,
          net: r.net,
        },
      );
    }
    if (!res || res.status === 'retry') throw new AppError('unavailable');
    if (res.status === 'not_found') throw new AppError('not_found');
    if (res.status === 'forbidden') throw refusal('not_holder');
    if (res.status === 'already') {
      // Ended before; a call cut off after the script left its steps to do: done here, as it asked.
      if (!res.pending) {
        await d.redis.zrem(k.endsPending, conversationId);
        return;
      }
      const first = (res.endReason || reason) as EndReason;
      await this.#afterEnd(conversationId, {
        reason: first,
        previous: res.endedFrom,
        operatorId: res.operatorId,
        byOperatorId: res.endedBy || undefined,
        // As its caller asked: a visitor who left, or whose return window closed, is gone.
        notifyVisitor: first !== 'visitor' && first !== 'timeout',
        record: r!,
        breakUntil: res.breakUntil,
      });
      return;
    }
    await this.#afterEnd(conversationId, {
      reason,
      previous: res.previous,
      operatorId: res.operatorId,
      byOperatorId: opts.byOperatorId,
      notifyVisitor: opts.notifyVisitor !== false,
      record: r!,
      breakUntil: res.breakUntil,
    });
  }

  /**
   * What follows an end script. The notices go first, so that nothing failing below keeps
   * the visitor or the consoles from learning of the end. Each step up to the claim may run
   * again on a retry (a set, a job with a fixed id, an audit entry written once); the one
   * caller that clears `endPending` runs what may not (the figures, the handling time, the
   * end listeners: a break after a high-risk conversation), each on its own, at most once.
   */
  async #afterEnd(conversationId: string, e: EndSteps): Promise<void> {
    const d = this.#d;
    const op = e.operatorId;
    if (e.notifyVisitor) d.notifier.toVisitor(conversationId, 'chat:ended', { reason: e.reason });
    // Supervisors reading along learn of the end at once.
    d.notifier.toWatchers(conversationId, 'chat:ended', { conversationId, reason: e.reason });
    if (op) d.notifier.toOperator(op, 'chat:ended', { conversationId, reason: e.reason });
    // Out of the away index; the sweep drops an entry left by a failure here.
    await d.redis.zrem(this.#k.awayUntil, conversationId);
    if (op) await d.roster.addEnded(op, conversationId, Date.now() + d.config.retentionMs);
    await d.retentionQueue.add(
      'purge',
      { conversationId },
      { delay: d.config.retentionMs, jobId: `purge-${conversationId}` },
    );
    if (op && e.breakUntil > 0) {
      // The break end.lua began ends by this job, queued here with the steps that may run
      // again (one job per break), not after the claim: a failure there must not leave the
      // operator on a break nothing ends.
      await d.conversationsQueue.add(
        'break-end',
        { operatorId: op, until: e.breakUntil },
        { delay: Math.max(0, e.breakUntil - Date.now()), jobId: `break-end-${op}-${e.breakUntil}` },
      );
    }
    if (op) await d.router.pushOperatorState(op);
    if (e.byOperatorId) {
      await d.audit.recordOncePer(
        { gate: this.#k.auditOnce('end', conversationId), windowMs: d.config.retentionMs },
        'end',
        e.byOperatorId,
        conversationId,
      );
    }
    if ((await d.redis.hdel(this.#k.conversation(conversationId), 'endPending')) === 1) {
      // Claimed: what is left runs here, at most once, and the sweep has nothing to finish.
      await d.redis.zrem(this.#k.endsPending, conversationId);
      const statsKey = this.#k.statsDay(new Date().toISOString().slice(0, 10));
      const tx = d.redis.multi().hincrby(statsKey, 'ended', 1);
      if (e.previous === 'waiting') tx.hincrby(statsKey, 'abandoned', 1);
      await tx
        .pexpire(statsKey, STATS_TTL_MS)
        .exec()
        .catch((err: unknown) => d.log.warn({ err }, 'end figures not recorded'));
      if (e.previous === 'active' && e.record.assignedAt) {
        // Until the end itself: one finished later (a retry, the sweep) is no longer handling.
        const endedAt = e.record.endedAt ?? Date.now();
        await this.#recordHandling((endedAt - e.record.assignedAt) / 1000).catch((err: unknown) =>
          d.log.warn({ err }, 'handling time not recorded'),
        );
      }
      for (const listener of this.#endedListeners) {
        const { reason, previous, record, breakUntil } = e;
        await listener({ conversationId, reason, previous, record, breakUntil }).catch((err: unknown) =>
          d.log.warn({ err }, 'an end listener failed'),
        );
      }
    }
    // Routed last. A break after a high-risk conversation was set by the end script itself.
    if (e.previous === 'waiting') d.view.changed();
    else void d.router.routeNow();
  }

  /**
   * Sweep: ends cut off after their script (a failover) and never asked again, such as by a
   * console closed meanwhile, are finished here once END_PENDING_GRACE_MS has passed: the
   * visitor's `chat:ended`, the ended list, the purge job, the audit entry, the figures.
   * One that fails goes to the back of the index, to be tried again a minute later: a batch
   * of ends that fail every time must not keep newer ones from being finished.
   */
  async finishPendingEnds(now = Date.now()): Promise<number> {
    const k = this.#k;
    const ids = await this.#d.redis.zrangebyscore(
      k.endsPending,
      '-inf',
      now - END_PENDING_GRACE_MS,
      'LIMIT',
      0,
      100,
    );
    let finished = 0;
    for (const id of ids) {
      try {
        // The reason is the first end's, kept with it: this one only finishes it.
        await this.end(id, 'operator');
        finished++;
      } catch (err) {
        // Purged or expired meanwhile: nothing left to finish.
        if (err instanceof AppError && err.code === 'not_found') await this.#d.redis.zrem(k.endsPending, id);
        else {
          this.#d.log.warn({ err, conversationId: id }, 'a pending end could not be finished');
          // XX: never back into the index once its end was finished meanwhile.
          await this.#d.redis.zadd(k.endsPending, 'XX', now, id).catch(() => {});
        }
      }
    }
    return finished;
  }

  /** Folds a handling time into its moving average, the basis of wait estimates. */
  async #recordHandling(seconds: number): Promise<void> {
    const prev = await this.#d.redis.hget(this.#k.stats, 'handle');
    const next = updateEwma(prev === null ? null : Number(prev), seconds);
    await this.#d.redis.hset(this.#k.stats, 'handle', String(next));
  }

  /** Retention job: removes what is left of an ended conversation. */
  async purge(conversationId: string): Promise<void> {
    await this.#d.store.purge(conversationId);
  }
}
