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
import { normalizeReturnCode } from '@stille-lijn/shared/domain/return-code';
import { updateEwma } from '@stille-lijn/shared/domain/wait';
import type { SignalHit } from '@stille-lijn/shared/signals';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { DataCipher } from '../crypto/cipher.ts';
import type { OnCall } from '../oncall/index.ts';
import type { ConversationJobQueue, RetentionJobQueue } from '../queues/jobs.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { type QueueView, type Roster, type Router, routingScore, type Waiters } from '../routing/index.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { generateReturnCode } from './return-code.ts';
import {
  endScript,
  markAwayScript,
  redeemReturnCodeScript,
  rotateTokenScript,
  startScript,
} from './scripts.ts';
import { type ConversationRecord, type ConversationStore, firstName } from './store.ts';

/** Return-code redemption failures per hashed address before each further attempt waits. */
const RETURN_CODE_FREE_FAILURES = 10;
/** The longest a right return code is ever kept waiting by the throttle. */
const RETURN_CODE_MAX_DELAY_MS = 60_000;
/** How long an address's set of open conversations outlives its last new conversation. */
const OPEN_SET_TTL_MS = 86_400_000;
/** How long a conversation's address hash outlives its end, so that it can still be blocked. */
export const ADDRESS_AFTER_END_MS = 60 * 60_000;
/** Days a day's figures are kept. */
const STATS_TTL_MS = 3 * 86_400_000;

const newId = () => randomBytes(16).toString('base64url');
const newToken = () => randomBytes(32).toString('base64url');

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
}

/** How long a redemption's ack is kept for a retry from the same socket (PROTOCOL.md). */
const REDEMPTION_RETRY_MS = 60_000;

/** What features that act on an ending hear (breaks after high risk, figures). */
export interface Ended {
  conversationId: string;
  reason: EndReason;
  /** The state it ended from. */
  previous: string;
  /** The conversation as it was just before it ended. */
  record: ConversationRecord;
}

/**
 * A conversation from the visitor's side: start, resume by token or return code, leave or
 * drop, and its end. All state in Redis, every transition one Lua script.
 */

export class ConversationLifecycle {
  readonly #d: LifecycleDeps;
  readonly #k: RedisKeys;
  readonly #endedListeners: ((e: Ended) => Promise<void>)[] = [];
  /**
   * Redemptions of the last minute, by socket and code key, in memory only: a retry after an
   * `unavailable` ack (the WAIT failed, the redemption stood) gets the same answer.
   */
  readonly #redeemed = new Map<string, { ack: ResumeAck; until: number }>();

  /** Calls `listener` after each conversation ends (in the process that ended it). */
  onEnded(listener: (e: Ended) => Promise<void>): void {
    this.#endedListeners.push(listener);
  }

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
    this.#k = deps.keys;
    prepareScripts(deps.redis, [
      startScript,
      endScript,
      markAwayScript,
      rotateTokenScript,
      redeemReturnCodeScript,
    ]);
  }

  /** Keys a resume token may be stored under: today's hash key, then release 1's. */
  #tokenKeys(token: string): string[] {
    const c = this.#d.cipher;
    return [c.keyedHash(token, 'resume'), ...c.legacyKeyedHashes(token, 'resume')].map((h) =>
      this.#k.resumeToken(h),
    );
  }

  #codeKeys(code: string): string[] {
    const c = this.#d.cipher;
    const n = normalizeReturnCode(code);
    return [c.keyedHash(n, 'return'), ...c.legacyKeyedHashes(n, 'return')].map((h) => this.#k.returnCode(h));
  }

  #tokenKey(token: string): string {
    return this.#k.resumeToken(this.#d.cipher.keyedHash(token, 'resume'));
  }

  #newCode(): { code: string; key: string } {
    const code = generateReturnCode();
    return { code, key: this.#k.returnCode(this.#d.cipher.keyedHash(normalizeReturnCode(code), 'return')) };
  }

  /**
   * `chat:start`: creates the conversation, queues it, and routes at once. Refused for a
   * blocked address (`forbidden`) and for an address with too many conversations open
   * (`rate_limited`), both checked in the same atomic step as the creation.
   */
  async start(
    input: VisitorStart,
    socketId: string,
    addr: string,
  ): Promise<StartAck & { conversationId: string }> {
    const id = newId();
    const now = Date.now();
    const resumeToken = newToken();
    const urgent = input.urgent === true;
    const k = this.#k;
    const d = this.#d;
    // Danger signals in the first message, read in memory before it is sealed: a high one
    // scores the conversation right after the urgent ones from the start.
    const hits = input.text ? d.signals.read(input.text) : [];
    const highSignal = hits.some((h) => h.weight === 'high');
    for (let attempt = 0; attempt < 5; attempt++) {
      // A clash with another conversation's live code is retried with a new code.
      const fresh = this.#newCode();
      const r = await runScript(
        d.redis,
        startScript,
        {
          conversation: k.conversation(id),
          messages: k.messages(id),
          waiting: k.waiting(input.language),
          open: k.openByAddress(addr),
          blocked: k.blockedAddress(addr),
          resumeToken: this.#tokenKey(resumeToken),
          returnCode: fresh.key,
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
      if (r.status !== 'ok') continue;
      if (hits.length) await d.signals.started(id, r.messageId, hits);
      const position = await d.view.positionOf({ id, language: input.language });
      d.view.told(id, position);
      const q = d.conversationsQueue;
      await q.add('route', { conversationId: id });
      await q.add('fallback', { conversationId: id }, { delay: d.config.languageFallbackMs });
      if (urgent) await q.add('urgent-alert', { conversationId: id }, { delay: d.config.urgentAlertMs });
      // Nobody to answer: page the on-call phone (no content, no ids), without holding up the visitor.
      if (!position.staffed) d.oncall.page('unstaffed');
      d.view.changed();
      void d.router.routeNow();
      return { conversationId: id, resumeToken, returnCode: fresh.code, ...position };
    }
    throw new AppError('unavailable');
  }

  /**
   * `chat:resume` with a resume token: rotates it and returns what the visitor missed,
   * never anything up to the last return-code redemption.
   */
  async resumeByToken(
    token: string,
    lastMessageId: string | undefined,
    socketId: string,
  ): Promise<ResumeAck> {
    const candidates = this.#tokenKeys(token);
    const found = await this.#d.redis.mget(...candidates);
    const i = found.findIndex((v) => v !== null);
    const id = i >= 0 ? found[i]! : '';
    const fresh = newToken();
    const ok =
      id !== '' &&
      (await runScript(
        this.#d.redis,
        rotateTokenScript,
        { oldToken: candidates[i]!, newToken: this.#tokenKey(fresh), conversation: this.#k.conversation(id) },
        { id },
      ));
    if (!ok) throw refusal('not_resumable');
    const r = await this.#d.store.get(id);
    const missed = await this.#d.store.messages(id, {
      after: lastMessageId,
      floor: r.visitorFloor,
      forOperator: false,
    });
    const ack: ResumeAck = { conversationId: id, resumeToken: fresh, state: r.state, missed };
    await this.#visitorBack(r, socketId, ack);
    return ack;
  }

  /**
   * `chat:resume` with a return code: once, within the return window, showing nothing
   * old, ever again. Failures are counted per hashed address in the same atomic step.
   */
  async resumeByReturnCode(code: string, socketId: string, addr: string): Promise<ResumeAck> {
    const codeKeys = this.#codeKeys(code);
    const k = this.#k;
    const retryKey = `${socketId} ${codeKeys[0]}`;
    const nowMs = Date.now();
    for (const [key, r] of this.#redeemed) if (r.until <= nowMs) this.#redeemed.delete(key);
    const earlier = this.#redeemed.get(retryKey);
    if (earlier) {
      await this.#d.durable.confirm();
      return structuredClone(earlier.ack);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await this.#d.redis.mget(...codeKeys);
      const i = found.findIndex((v) => v !== null);
      const id = i >= 0 ? found[i]! : '';
      const before = id ? await this.#d.store.read(id) : null;
      const fresh = newToken();
      const candidates = [this.#newCode(), this.#newCode(), this.#newCode()];
      const r = await runScript(
        this.#d.redis,
        redeemReturnCodeScript,
        {
          throttle: k.returnCodeThrottle(addr),
          code: codeKeys[Math.max(0, i)]!,
          conversation: k.conversation(id || '-'),
          messages: k.messages(id || '-'),
          oldToken: before?.resumeKey || k.resumeToken('-'),
          newToken: this.#tokenKey(fresh),
          newCodes: candidates.map((c) => c.key),
        },
        {
          id,
          now: Date.now(),
          windowMs: this.#d.config.returnCodeFailWindowMs,
          freeFailures: RETURN_CODE_FREE_FAILURES,
          maxDelayMs: RETURN_CODE_MAX_DELAY_MS,
          resumeKey: before?.resumeKey ?? '',
        },
      );
      if (r.status === 'rate_limited') {
        throw refusal('return_code_throttled', {
          message: 'Too many attempts. Please wait a moment and try again.',
          retryAfterSeconds: Math.max(1, Math.ceil(r.retryMs / 1000)),
        });
      }
      if (r.status === 'not_found')
        throw refusal('not_resumable', { message: 'This return code is not valid.' });
      if (r.status !== 'ok') continue; // a race, or every candidate code taken: draw again
      const now = await this.#d.store.get(id);
      const ack: ResumeAck = {
        conversationId: id,
        resumeToken: fresh,
        state: now.state,
        returnCode: candidates[r.newCodeIndex - 1]!.code,
      };
      // Nothing old is shown, but the client needs the point to resume from after a later drop.
      if (r.floor) ack.lastMessageId = r.floor;
      await this.#visitorBack(now, socketId, ack);
      this.#redeemed.set(retryKey, { ack: structuredClone(ack), until: Date.now() + REDEMPTION_RETRY_MS });
      await this.#d.durable.confirm();
      return ack;
    }
    throw new AppError('unavailable');
  }

  async #visitorBack(r: ConversationRecord, socketId: string, ack: ResumeAck): Promise<void> {
    if (r.state === 'ended') return;
    await this.#d.store.attachVisitor(r.id, socketId);
    if (r.state === 'waiting') {
      // A held waiter goes back to its place in line.
      await this.#d.waiters.unhold(r);
      Object.assign(ack, await this.#d.view.positionOf(r));
    }
    if (r.state === 'active' && r.operatorName) ack.operatorName = firstName(r.operatorName);
    if (r.away && r.operatorId) {
      this.#d.notifier.toOperator(r.operatorId, 'chat:visitor-returned', { conversationId: r.id });
    }
    if (r.away) this.#d.view.changed();
  }

  /** `chat:leave`: 'ended' ends now; 'quick-exit' keeps the conversation for the return window. */
  async visitorLeave(conversationId: string, reason: LeaveReason): Promise<void> {
    if (reason === 'ended') {
      const op = await this.#d.store.lastOperatorOf(conversationId);
      if (op) this.#d.notifier.toOperator(op, 'chat:visitor-left', { conversationId, reason: 'ended' });
      await this.end(conversationId, 'visitor', { notifyVisitor: false });
      return;
    }
    await this.markAway(conversationId, 'quick-exit');
  }

  /** The visitor left or dropped: away, resumable for the return window, then it ends. */
  async markAway(conversationId: string, reason: VisitorLeftReason): Promise<void> {
    const now = Date.now();
    const returnUntil = now + this.#d.config.returnWindowMs;
    const r = await runScript(
      this.#d.redis,
      markAwayScript,
      { conversation: this.#k.conversation(conversationId), waitingAway: this.#k.waitingAway },
      { id: conversationId, reason, now, returnUntil },
    );
    if (!r) return;
    const q = this.#d.conversationsQueue;
    await q.add('away-expire', { conversationId, awaySince: now }, { delay: this.#d.config.returnWindowMs });
    if (r.state === 'waiting') {
      // Held out of routing if the visitor is still gone then (the sweep is the safety net).
      await q.add('hold', { conversationId }, { delay: this.#d.config.waiterHoldMs + 100 });
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

  /** Ends a conversation (by operator, visitor, timeout or block) and starts retention. */
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
      res = await runScript(
        d.redis,
        endScript,
        {
          conversation: k.conversation(conversationId),
          messages: k.messages(conversationId),
          clientMessageIds: k.clientMessageIds(conversationId),
          notes: k.notes(conversationId),
          waiting: k.waiting(r.language),
          held: k.held,
          waitingAway: k.waitingAway,
          active: k.active,
          operatorConversations: k.operatorConversations(r.operatorId || '-'),
          open: k.openByAddress(r.addr || '-'),
          endedAddress: k.endedAddress(conversationId),
          resumeToken: r.resumeKey || k.resumeToken('-'),
          returnCode: r.returnKey || k.returnCode('-'),
          fallback: k.fallback,
        },
        {
          id: conversationId,
          reason,
          now: Date.now(),
          retentionMs: d.config.retentionMs,
          expectedOperatorId: opts.byOperatorId ?? '',
          addressTtlMs: ADDRESS_AFTER_END_MS,
          operatorId: r.operatorId,
          language: r.language,
          addr: r.addr,
          resumeKey: r.resumeKey,
          returnKey: r.returnKey,
        },
      );
    }
    if (!res || res.status === 'retry') throw new AppError('unavailable');
    if (res.status === 'not_found') throw new AppError('not_found');
    if (res.status === 'forbidden') throw refusal('not_holder');
    if (res.status === 'already') return;
    const op = res.operatorId;
    const statsKey = k.statsDay(new Date().toISOString().slice(0, 10));
    const tx = d.redis.multi().hincrby(statsKey, 'ended', 1);
    if (res.previous === 'waiting') tx.hincrby(statsKey, 'abandoned', 1);
    await tx.pexpire(statsKey, STATS_TTL_MS).exec();
    if (op) await d.roster.addEnded(op, conversationId, Date.now() + d.config.retentionMs);
    await d.retentionQueue.add('purge', { conversationId }, { delay: d.config.retentionMs });
    if (opts.notifyVisitor !== false) d.notifier.toVisitor(conversationId, 'chat:ended', { reason });
    // Supervisors reading along learn of the end at once.
    d.notifier.toWatchers(conversationId, 'chat:ended', { conversationId, reason });
    if (op) {
      d.notifier.toOperator(op, 'chat:ended', { conversationId, reason });
      await d.router.pushOperatorState(op);
    }
    if (opts.byOperatorId) await d.audit.record('end', opts.byOperatorId, conversationId);
    if (res.previous === 'active' && r?.assignedAt)
      await this.#recordHandling((Date.now() - r.assignedAt) / 1000);
    for (const listener of this.#endedListeners) {
      await listener({ conversationId, reason, previous: res.previous, record: r! }).catch((err: unknown) =>
        d.log.warn({ err }, 'an end listener failed'),
      );
    }
    if (res.previous === 'waiting') d.view.changed();
    else void d.router.routeNow();
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
