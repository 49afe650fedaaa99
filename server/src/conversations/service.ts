import { randomBytes } from 'node:crypto';
import type { AcuteRecord, SupervisorAlert } from '@stille-lijn/shared';
import {
  AppError,
  type Conversation,
  type EndReason,
  type Language,
  type LeaveReason,
  languages,
  type Message,
  type Note,
  type ResumeAck,
  type StartAck,
  type VisitorLeftReason,
  type VisitorRole,
  type VisitorStart,
  type WaitingItem,
} from '@stille-lijn/shared';
import { normalizeReturnCode } from '@stille-lijn/shared/domain/return-code';
import { type RiskResult, scoreRisk } from '@stille-lijn/shared/domain/risk';
import { estimateWaitSeconds } from '@stille-lijn/shared/domain/wait';
import type { Queue } from 'bullmq';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis, Result } from 'ioredis';
import type { Config } from '../config.ts';
import { type DataCipher, fieldBinding } from '../crypto/cipher.ts';
import {
  acceptLua,
  appendMessageLua,
  endLua,
  holdWaiterLua,
  markAwayLua,
  migrateWaitingLua,
  redeemReturnCodeLua,
  requeueLua,
  rotateTokenLua,
  routePassLua,
  startLua,
  transferLua,
  unholdWaiterLua,
} from './lua.ts';
import { generateReturnCode } from './return-code.ts';

/** Anything that can emit to a room of a namespace: the Socket.IO server, or a Redis emitter in a worker. */
export interface Broadcaster {
  of(nsp: string): {
    to(room: string): { emit(ev: string, ...args: unknown[]): unknown };
  };
}

export interface ServiceMetrics {
  waitSeconds?: { observe(v: number): void };
  assignments?: { inc(): void };
}

export interface ConversationServiceDeps {
  redis: Redis;
  config: Readonly<Config>;
  cipher: DataCipher;
  broadcast: Broadcaster;
  log: Logger;
  /** The BullMQ `conversations` queue, for timers that must survive a crash. */
  conversationsQueue: Queue;
  /** The BullMQ `retention` queue. */
  retentionQueue: Queue;
  metrics?: ServiceMetrics;
}

export interface OperatorRef {
  id: string;
  displayName: string;
  languages: Language[];
}

interface ConvFields {
  state?: string;
  role?: string;
  language?: string;
  urgent?: string;
  waitingSince?: string;
  assignedAt?: string;
  operatorId?: string;
  operatorName?: string;
  tags?: string;
  away?: string;
  awaySince?: string;
  returnUntil?: string;
  endedAt?: string;
  endReason?: string;
  vsock?: string;
  tagsEnc?: string;
  risk?: string;
  acute?: string;
  watchers?: string;
  held?: string;
  vfloor?: string;
}

type Reply = (string | null)[];

/** An operator known to routing, as the supervisor overview and the transfer list show them. */
export interface OperatorOnRoute {
  id: string;
  displayName: string;
  status: string;
  load: number;
  capacity: number;
  connected: boolean;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slAppendMessage(k1: string, k2: string, k3: string, ...argv: string[]): Result<Reply, Context>;
    slStart(...argv: string[]): Result<Reply, Context>;
    slHoldWaiter(...argv: string[]): Result<Reply, Context>;
    slUnholdWaiter(...argv: string[]): Result<Reply, Context>;
    slMigrateWaiting(...argv: string[]): Result<number, Context>;
    slRoutePass(...argv: string[]): Result<Reply, Context>;
    slAccept(...argv: string[]): Result<Reply, Context>;
    slRequeue(...argv: string[]): Result<Reply, Context>;
    slTransfer(...argv: string[]): Result<Reply, Context>;
    slEnd(...argv: string[]): Result<Reply, Context>;
    slRotateToken(...argv: string[]): Result<Reply, Context>;
    slRedeemReturnCode(throttleKey: string, ...argv: string[]): Result<Reply, Context>;
    slMarkAway(...argv: string[]): Result<Reply, Context>;
  }
}

/** Registers the Lua scripts on a connection (EVALSHA with automatic load). */
export function defineConversationCommands(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).slAppendMessage === 'function') return;
  redis.defineCommand('slAppendMessage', { numberOfKeys: 3, lua: appendMessageLua });
  redis.defineCommand('slStart', { numberOfKeys: 0, lua: startLua });
  redis.defineCommand('slHoldWaiter', { numberOfKeys: 0, lua: holdWaiterLua });
  redis.defineCommand('slUnholdWaiter', { numberOfKeys: 0, lua: unholdWaiterLua });
  redis.defineCommand('slMigrateWaiting', { numberOfKeys: 0, lua: migrateWaitingLua });
  redis.defineCommand('slMarkAway', { numberOfKeys: 0, lua: markAwayLua });
  redis.defineCommand('slRoutePass', { numberOfKeys: 0, lua: routePassLua });
  redis.defineCommand('slAccept', { numberOfKeys: 0, lua: acceptLua });
  redis.defineCommand('slRequeue', { numberOfKeys: 0, lua: requeueLua });
  redis.defineCommand('slTransfer', { numberOfKeys: 0, lua: transferLua });
  redis.defineCommand('slEnd', { numberOfKeys: 0, lua: endLua });
  redis.defineCommand('slRotateToken', { numberOfKeys: 0, lua: rotateTokenLua });
  redis.defineCommand('slRedeemReturnCode', { numberOfKeys: 1, lua: redeemReturnCodeLua });
}

const ROOM_OPERATORS = 'operators';
export const visitorRoom = (conversationId: string) => `v:${conversationId}`;
export const operatorRoom = (operatorId: string) => `op:${operatorId}`;
export const watchRoom = (conversationId: string) => `watch:${conversationId}`;
export const ROOM_SUPERVISORS = 'supervisors';
export { ROOM_OPERATORS };

const fromCode = { v: 'visitor', o: 'operator', s: 'system' } as const;
const atOf = (streamId: string) => new Date(Number(streamId.split('-')[0])).toISOString();
const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : undefined);
const newId = () => randomBytes(16).toString('base64url');

/**
 * Queue broadcasts are coalesced: a burst of starts or assignments sends one snapshot to
 * operators and one round of positions to visitors, not one per change.
 */
const SNAPSHOT_COALESCE_MS = 250;
const POSITIONS_COALESCE_MS = 1000;
/** Estimates that differ by less than this (s) are not pushed again. */
const ESTIMATE_STEP_S = 15;

/** How long a visitor counts as present without a heartbeat from its instance. */
const VISITOR_PRESENCE_TTL_MS = 45_000;

/** Return-code redemption failures per hashed address before each further attempt waits. */
const RETURN_CODE_FREE_FAILURES = 10;
/** The longest a right return code is ever kept waiting by the throttle. */
const RETURN_CODE_MAX_DELAY_MS = 60_000;
/** Waiting conversations per language shown in `queue:snapshot`. */
const SNAPSHOT_PER_LANGUAGE = 100;

/** Compares two Redis stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** The sender of a stored message or note, as its ciphertext is bound to. */
const senderOf = (from: 'v' | 'o' | 's', operatorId: string) => (from === 'o' ? `o:${operatorId}` : from);

/**
 * The conversation spine: lifecycle, messages, routing and presence, all state in
 * Redis, every transition atomic in Lua. Used by the socket handlers and by the
 * BullMQ workers (in-process or in `npm run worker`).
 */
export class ConversationService {
  readonly #redis: Redis;
  readonly #config: Readonly<Config>;
  readonly #cipher: DataCipher;
  readonly #broadcast: Broadcaster;
  readonly #log: Logger;
  readonly #queue: Queue;
  readonly #retention: Queue;
  readonly #metrics: ServiceMetrics;
  readonly #p: string;
  /** Last position pushed to each waiting visitor by this process, to push only changes. */
  readonly #lastPushed = new Map<string, { position: number; estimate: number | null; at: number }>();
  #positionsTimer: NodeJS.Timeout | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: ConversationServiceDeps) {
    this.#redis = deps.redis;
    this.#config = deps.config;
    this.#cipher = deps.cipher;
    this.#broadcast = deps.broadcast;
    this.#log = deps.log;
    this.#queue = deps.conversationsQueue;
    this.#retention = deps.retentionQueue;
    this.#metrics = deps.metrics ?? {};
    this.#p = deps.config.redisPrefix;
    defineConversationCommands(this.#redis);
  }

  key(...parts: string[]): string {
    return [this.#p, ...parts].join(':');
  }
  #conv(id: string): string {
    return this.key('conv', id);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#positionsTimer);
    clearTimeout(this.#snapshotTimer);
  }

  // ---------------------------------------------------------------- visitor side

  /** The waiting set of one language. */
  waitingKey(language: string): string {
    return this.key('waiting', language);
  }

  /** Every waiting set; routing only ever reads the ones its operators speak. */
  #waitingKeys(): string[] {
    return languages.map((l) => this.waitingKey(l));
  }

  /** The resume-token key under today's hash key, then under release 1's. */
  #resumeKeys(token: string): string[] {
    return [this.#cipher.keyedHash(token, 'resume'), ...this.#cipher.legacyKeyedHashes(token, 'resume')].map(
      (h) => this.key('resume', h),
    );
  }

  #returnKeys(code: string): string[] {
    const normalized = normalizeReturnCode(code);
    return [
      this.#cipher.keyedHash(normalized, 'return'),
      ...this.#cipher.legacyKeyedHashes(normalized, 'return'),
    ].map((h) => this.key('return', h));
  }

  #newReturnCode(): { code: string; key: string } {
    const code = generateReturnCode();
    return { code, key: this.key('return', this.#cipher.keyedHash(normalizeReturnCode(code), 'return')) };
  }

  /**
   * `chat:start`: creates the conversation, queues it, and routes at once. Refused for a
   * blocked address (`forbidden`) and for an address with too many conversations open
   * (`rate_limited`), both checked in the same atomic step as the creation.
   */
  async start(
    input: VisitorStart,
    socketId: string,
    addressHash: string,
  ): Promise<StartAck & { conversationId: string }> {
    const id = newId();
    const now = Date.now();
    const resumeToken = randomBytes(32).toString('base64url');
    const resumeKey = this.key('resume', this.#cipher.keyedHash(resumeToken, 'resume'));
    const urgent = input.urgent === true;
    const sealed = input.text ? this.#cipher.encrypt(input.text, fieldBinding(id, 'message', 'v')) : '';
    const bytes = input.text ? Buffer.byteLength(input.text, 'utf8') : 0;
    let rank = -1;
    let returnCode = '';
    // A clash with another conversation's live code is retried with a new code.
    for (let attempt = 0; attempt < 5 && rank < 0; attempt++) {
      const fresh = this.#newReturnCode();
      const r = await this.#redis.slStart(
        this.#p,
        id,
        String(now),
        input.language,
        urgent ? '1' : '0',
        input.role,
        addressHash,
        String(this.#config.visitorOpenPerAddress),
        resumeKey,
        fresh.key,
        sealed,
        String(bytes),
        socketId,
      );
      if (r[0] === 'blocked') {
        throw new AppError(
          'forbidden',
          'New conversations from this connection are paused for a while.',
          undefined,
          {
            reason: 'blocked',
          },
        );
      }
      if (r[0] === 'limit') {
        throw new AppError(
          'rate_limited',
          'Too many conversations are open from this connection.',
          undefined,
          {
            reason: 'open_limit',
          },
        );
      }
      if (r[0] === 'ok') {
        rank = Number(r[1] ?? 0);
        returnCode = fresh.code;
      }
    }
    if (rank < 0) throw new AppError('unavailable');
    const position = rank + 1;
    const estimatedWaitSeconds = await this.#estimate(position);
    this.#lastPushed.set(id, { position, estimate: estimatedWaitSeconds, at: Date.now() });
    await this.#queue.add('route', { conversationId: id });
    this.#afterQueueChange();
    void this.routeNow();
    return { conversationId: id, resumeToken, returnCode, position, estimatedWaitSeconds };
  }

  /**
   * `chat:resume` with a resume token: rotates it and returns what the visitor missed,
   * never anything up to the last return-code redemption.
   */
  async resumeByToken(
    resumeToken: string,
    lastMessageId: string | undefined,
    socketId: string,
  ): Promise<ResumeAck> {
    const newToken = randomBytes(32).toString('base64url');
    const r = await this.#redis.slRotateToken(
      this.#p,
      this.key('resume', this.#cipher.keyedHash(newToken, 'resume')),
      ...this.#resumeKeys(resumeToken),
    );
    if (r[0] !== 'ok' || !r[1]) throw new AppError('not_found', 'This conversation cannot be resumed.');
    const id = r[1];
    const fields = await this.#fields(id);
    const missed = await this.messages(id, {
      after: lastMessageId,
      floor: fields.vfloor,
      forOperator: false,
    });
    const ack: ResumeAck = { conversationId: id, resumeToken: newToken, state: this.#state(fields), missed };
    await this.#visitorBack(id, fields, socketId, ack);
    return ack;
  }

  /**
   * `chat:resume` with a return code: once, within the return window, showing nothing
   * old, ever again. Failures are counted per hashed address in the same atomic step.
   */
  async resumeByReturnCode(code: string, socketId: string, addressHash: string): Promise<ResumeAck> {
    const newToken = randomBytes(32).toString('base64url');
    const codeKeys = this.#returnKeys(code);
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidates = [this.#newReturnCode(), this.#newReturnCode(), this.#newReturnCode()];
      const r = await this.#redis.slRedeemReturnCode(
        this.key('throttle', 'return-code', addressHash),
        this.#p,
        String(Date.now()),
        String(this.#config.returnCodeFailWindowMs),
        String(RETURN_CODE_FREE_FAILURES),
        String(RETURN_CODE_MAX_DELAY_MS),
        this.key('resume', this.#cipher.keyedHash(newToken, 'resume')),
        String(codeKeys.length),
        ...codeKeys,
        ...candidates.map((c) => c.key),
      );
      if (r[0] === 'rate_limited') {
        const retryAfterSeconds = Math.max(1, Math.ceil(Number(r[1]) / 1000));
        throw new AppError(
          'rate_limited',
          'Too many attempts. Please wait a moment and try again.',
          undefined,
          {
            reason: 'return_code_throttled',
            retryAfterSeconds,
          },
        );
      }
      if (r[0] === 'not_found') throw new AppError('not_found', 'This return code is not valid.');
      if (r[0] !== 'ok' || !r[1]) continue; // a clash of all candidates: draw new ones
      const id = r[1];
      const fields = await this.#fields(id);
      const ack: ResumeAck = {
        conversationId: id,
        resumeToken: newToken,
        state: this.#state(fields),
        returnCode: candidates[Number(r[3]) - 1]!.code,
      };
      // Nothing old is shown, but the client needs the point to resume from after a later drop.
      if (r[2]) ack.lastMessageId = r[2];
      await this.#visitorBack(id, fields, socketId, ack);
      return ack;
    }
    throw new AppError('unavailable');
  }

  async #visitorBack(id: string, fields: ConvFields, socketId: string, ack: ResumeAck): Promise<void> {
    if (fields.state === 'ended') return;
    await this.#redis.hset(this.#conv(id), { vsock: socketId, away: '', awaySince: '', returnUntil: '' });
    if (fields.state === 'waiting') {
      // A held waiter goes back to its place in line.
      await this.#redis.slUnholdWaiter(this.#p, id);
      const rank = await this.#redis.zrank(this.waitingKey(fields.language ?? ''), id);
      const position = (rank ?? 0) + 1;
      ack.position = position;
      ack.estimatedWaitSeconds = await this.#estimate(position);
    }
    if (fields.state === 'active' && fields.operatorName) ack.operatorName = firstName(fields.operatorName);
    if (fields.away && fields.operatorId) {
      this.#toOperator(fields.operatorId, 'chat:visitor-returned', { conversationId: id });
    }
    if (fields.away) this.#afterQueueChange();
  }

  /** A visitor message: encrypted, stored once per client message id, then relayed. */
  async visitorMessage(
    conversationId: string,
    clientMessageId: string,
    text: string,
  ): Promise<{ messageId: string; at: string; relay: (() => void) | undefined }> {
    const r = await this.#append(conversationId, 'v', '', clientMessageId, text);
    const messageId = r.messageId;
    const at = atOf(messageId);
    const relay =
      r.fresh && ((r.state === 'active' && r.operatorId) || r.watched)
        ? () => {
            const message = { conversationId, messageId, from: 'visitor' as const, text, at };
            if (r.state === 'active' && r.operatorId) this.#toOperator(r.operatorId, 'chat:message', message);
            if (r.watched) this.#toWatchers(conversationId, message);
          }
        : undefined;
    return { messageId, at, relay };
  }

  #toWatchers(conversationId: string, message: Message & { conversationId: string }): void {
    this.#broadcast.of('/operator').to(watchRoom(conversationId)).emit('monitor:message', message);
  }

  async #append(
    conversationId: string,
    from: 'v' | 'o' | 's',
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<{ messageId: string; operatorId: string; state: string; fresh: boolean; watched: boolean }> {
    const k = this.#conv(conversationId);
    const r = await this.#redis.slAppendMessage(
      k,
      `${k}:msgs`,
      `${k}:cmids`,
      this.#p,
      from,
      operatorId,
      this.#cipher.encrypt(text, fieldBinding(conversationId, 'message', senderOf(from, operatorId))),
      clientMessageId,
      String(Date.now()),
      String(Buffer.byteLength(text, 'utf8')),
      String(this.#config.waitingMessages),
      String(this.#config.conversationMaxBytes),
    );
    switch (r[0]) {
      case 'ok':
      case 'duplicate':
        return {
          messageId: r[1]!,
          operatorId: r[2] ?? '',
          state: r[3] ?? '',
          fresh: r[0] === 'ok',
          watched: Number(r[4] ?? 0) > 0,
        };
      case 'not_found':
        throw new AppError('not_found');
      case 'ended':
        throw new AppError('conflict', 'This conversation has ended.');
      case 'rate_limited':
        throw new AppError('rate_limited', 'Please wait for a counsellor before sending more.', undefined, {
          reason: 'waiting_messages',
        });
      case 'too_large':
        throw new AppError('too_large', 'This conversation has reached its size limit.', undefined, {
          reason: 'conversation_full',
        });
      default:
        throw new AppError('forbidden');
    }
  }

  async visitorTyping(conversationId: string, typing: boolean): Promise<void> {
    const op = await this.#redis.hget(this.#conv(conversationId), 'operatorId');
    if (op) this.#toOperator(op, 'chat:typing', { conversationId, typing });
  }

  /** `chat:leave`: 'ended' ends now; 'quick-exit' keeps the conversation for the return window. */
  async visitorLeave(conversationId: string, reason: LeaveReason): Promise<void> {
    if (reason === 'ended') {
      const op = await this.#redis.hget(this.#conv(conversationId), 'operatorId');
      if (op) this.#toOperator(op, 'chat:visitor-left', { conversationId, reason: 'ended' });
      await this.end(conversationId, 'visitor', { notifyVisitor: false });
      return;
    }
    await this.#markAway(conversationId, 'quick-exit');
  }

  /** Refreshes presence for this process's visitor sockets; a conversation whose instance died stops being refreshed. */
  async visitorHeartbeat(conversationIds: string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    const until = Date.now() + VISITOR_PRESENCE_TTL_MS;
    const args: (string | number)[] = [];
    for (const id of conversationIds) args.push(until, id);
    await this.#redis.zadd(this.key('vpresence'), ...args);
  }

  async visitorGone(conversationId: string): Promise<void> {
    await this.#redis.zrem(this.key('vpresence'), conversationId);
  }

  /** Sweep: visitors whose instance stopped refreshing them are treated as dropped. */
  async sweepVisitors(): Promise<void> {
    const key = this.key('vpresence');
    const stale = await this.#redis.zrangebyscore(key, '-inf', Date.now(), 'LIMIT', 0, 1000);
    for (const id of stale) {
      // Only one sweeper wins each entry.
      if ((await this.#redis.zrem(key, id)) === 0) continue;
      const f = await this.#fields(id);
      if (!f.state || f.state === 'ended' || f.away) continue;
      await this.#markAway(id, 'disconnected');
    }
  }

  /** The visitor's socket closed without leaving: away, resumable for the return window. */
  async visitorDisconnected(conversationId: string, socketId: string): Promise<void> {
    const f = await this.#fields(conversationId);
    if (!f.state || f.state === 'ended' || f.vsock !== socketId || f.away) return;
    await this.#markAway(conversationId, 'disconnected');
  }

  async #markAway(conversationId: string, reason: VisitorLeftReason): Promise<void> {
    const now = Date.now();
    const returnUntil = now + this.#config.returnWindowMs;
    const [state, op] = await this.#redis.slMarkAway(
      this.#p,
      conversationId,
      reason,
      String(now),
      String(returnUntil),
    );
    if (!state) return;
    await this.#queue.add(
      'away-expire',
      { conversationId, awaySince: now },
      { delay: this.#config.returnWindowMs },
    );
    if (state === 'waiting') {
      // Held out of routing if the visitor is still gone then (the sweep is the safety net).
      await this.#queue.add('hold', { conversationId }, { delay: this.#config.waiterHoldMs + 100 });
    }
    if (op) {
      this.#toOperator(op, 'chat:visitor-left', {
        conversationId,
        reason,
        returnUntil: new Date(returnUntil).toISOString(),
      });
    }
  }

  /** Job: ends a conversation whose visitor did not come back in time. */
  async expireAway(conversationId: string, awaySince: number): Promise<void> {
    const f = await this.#fields(conversationId);
    if (!f.away || f.state === 'ended' || Number(f.awaySince) !== awaySince) return;
    await this.end(conversationId, 'timeout', { notifyVisitor: false });
  }

  // --------------------------------------------------------------- operator side

  async accept(
    conversationId: string,
    op: OperatorRef,
  ): Promise<{ conversation: Conversation; messages: Message[] }> {
    const r = await this.#redis.slAccept(
      this.#p,
      conversationId,
      op.id,
      op.displayName,
      String(this.#config.operatorCapacity),
      String(Date.now()),
      today(),
    );
    if (r[0] === 'not_found') throw new AppError('not_found');
    if (r[0] === 'conflict') throw new AppError('conflict', 'This conversation is no longer waiting.');
    if (r[0] === 'full') throw new AppError('conflict', 'You are at capacity.');
    await this.#afterAssigned(conversationId, op.id, Number(r[1]), { notifyOperator: false });
    await this.audit('accept', op.id, conversationId);
    const conversation = await this.conversation(conversationId);
    const messages = await this.messages(conversationId, { forOperator: true });
    // Other sockets of the same operator learn of it too.
    const notes = await this.notes(conversationId);
    this.#toOperator(op.id, 'chat:assigned', { conversation, messages, notes });
    return { conversation: conversation, messages };
  }

  async operatorMessage(
    conversationId: string,
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<{ messageId: string; at: string; relay: (() => void) | undefined }> {
    const r = await this.#append(conversationId, 'o', operatorId, clientMessageId, text);
    const messageId = r.messageId;
    const at = atOf(messageId);
    const relay = r.fresh
      ? () => {
          this.#broadcast
            .of('/visitor')
            .to(visitorRoom(conversationId))
            .emit('chat:message', { messageId, from: 'operator', text, at });
          if (r.watched)
            this.#toWatchers(conversationId, {
              conversationId,
              messageId,
              from: 'operator',
              operatorId,
              text,
              at,
            });
        }
      : undefined;
    return { messageId, at, relay };
  }

  async assertOwner(conversationId: string, operatorId: string): Promise<ConvFields> {
    const f = await this.#fields(conversationId);
    if (!f.state) throw new AppError('not_found');
    if (f.operatorId !== operatorId) throw new AppError('forbidden');
    return f;
  }

  async operatorTyping(conversationId: string, operatorId: string, typing: boolean): Promise<void> {
    const f = await this.assertOwner(conversationId, operatorId);
    if (f.state === 'active')
      this.#broadcast.of('/visitor').to(visitorRoom(conversationId)).emit('chat:typing', { typing });
  }

  async addNote(conversationId: string, operatorId: string, text: string): Promise<Note> {
    await this.assertOwner(conversationId, operatorId);
    const k = this.key('conv', conversationId, 'notes');
    const noteId = (await this.#redis.xadd(
      k,
      '*',
      'o',
      operatorId,
      'c',
      this.#cipher.encrypt(text, fieldBinding(conversationId, 'note', senderOf('o', operatorId))),
    ))!;
    const ttl = await this.#redis.pttl(this.#conv(conversationId));
    if (ttl > 0) await this.#redis.pexpire(k, ttl);
    await this.audit('note', operatorId, conversationId);
    return { noteId, conversationId, operatorId, text, at: atOf(noteId) };
  }

  async transfer(
    conversationId: string,
    from: OperatorRef,
    to: { operatorId: string } | { queue: true },
    note?: string,
  ): Promise<void> {
    // The hand-over note is written by the same script as the move, so a refused transfer
    // leaves no note behind and a retry does not add it twice.
    const sealedNote = note
      ? this.#cipher.encrypt(note, fieldBinding(conversationId, 'note', senderOf('o', from.id)))
      : '';
    if ('queue' in to) {
      const r = await this.#redis.slRequeue(this.#p, conversationId, from.id, sealedNote);
      if (r[0] === 'forbidden') throw new AppError('forbidden');
      if (r[0] !== 'ok') throw new AppError('conflict');
      if (r[2]) await this.audit('note', from.id, conversationId);
      this.#toOperator(from.id, 'chat:unassigned', { conversationId, reason: 'transferred' });
      await this.audit('transfer-queue', from.id, conversationId);
      this.#afterQueueChange();
      await this.#pushOperatorState(from.id);
      void this.routeNow();
      return;
    }
    const target = await this.#redis.hmget(this.key('route', 'op', to.operatorId), 'name', 'cap');
    if (!target[0]) throw new AppError('not_found', 'That operator is not signed in.');
    const r = await this.#redis.slTransfer(
      this.#p,
      conversationId,
      from.id,
      to.operatorId,
      target[0],
      target[1] ?? String(this.#config.operatorCapacity),
      String(Date.now()),
      sealedNote,
    );
    if (r[0] === 'forbidden') throw new AppError('forbidden');
    if (r[0] === 'full') throw new AppError('conflict', 'That operator is at capacity.');
    if (r[0] !== 'ok') throw new AppError('conflict');
    if (r[1]) await this.audit('note', from.id, conversationId);
    this.#toOperator(from.id, 'chat:unassigned', { conversationId, reason: 'transferred' });
    await this.audit('transfer', from.id, conversationId);
    await this.#sendAssigned(conversationId, to.operatorId);
    this.#broadcast
      .of('/visitor')
      .to(visitorRoom(conversationId))
      .emit('chat:assigned', { operatorName: firstName(target[0]) });
    await Promise.all([this.#pushOperatorState(from.id), this.#pushOperatorState(to.operatorId)]);
    void this.routeNow();
  }

  /** Ends a conversation (by operator, visitor, timeout or block) and starts retention. */
  async end(
    conversationId: string,
    reason: EndReason,
    opts: { byOperatorId?: string; notifyVisitor?: boolean } = {},
  ): Promise<void> {
    const r = await this.#redis.slEnd(
      this.#p,
      conversationId,
      reason,
      String(Date.now()),
      String(this.#config.retentionMs),
      opts.byOperatorId ?? '',
    );
    if (r[0] === 'not_found') throw new AppError('not_found');
    if (r[0] === 'forbidden') throw new AppError('forbidden');
    if (r[0] === 'already') return;
    const previous = r[1];
    const op = r[2] ?? '';
    const today = new Date().toISOString().slice(0, 10);
    const statsKey = this.key('stats', today);
    const tx = this.#redis.multi().hincrby(statsKey, 'ended', 1);
    if (previous === 'waiting') tx.hincrby(statsKey, 'abandoned', 1);
    if (op) tx.zadd(this.key('op', op, 'ended'), Date.now() + this.#config.retentionMs, conversationId);
    await tx.pexpire(statsKey, 3 * 86_400_000).exec();
    await this.#retention.add('purge', { conversationId }, { delay: this.#config.retentionMs });
    if (opts.notifyVisitor !== false) {
      this.#broadcast.of('/visitor').to(visitorRoom(conversationId)).emit('chat:ended', { reason });
    }
    // Supervisors reading along learn of the end at once.
    this.#broadcast
      .of('/operator')
      .to(watchRoom(conversationId))
      .emit('chat:ended', { conversationId, reason });
    if (op) {
      this.#toOperator(op, 'chat:ended', { conversationId, reason });
      await this.#pushOperatorState(op);
    }
    if (opts.byOperatorId) await this.audit('end', opts.byOperatorId, conversationId);
    if (previous === 'waiting') this.#afterQueueChange();
    else void this.routeNow();
  }

  /** Retention job: removes what is left of an ended conversation. */
  async purge(conversationId: string): Promise<void> {
    const k = this.#conv(conversationId);
    const f = await this.#fields(conversationId);
    if (f.state && f.state !== 'ended') return;
    await this.#redis.del(k, `${k}:msgs`, `${k}:cmids`, `${k}:notes`, `${k}:addr`);
    if (f.operatorId) await this.#redis.zrem(this.key('op', f.operatorId, 'ended'), conversationId);
  }

  // ------------------------------------------------------------- routing & presence

  /** One atomic routing pass, then the notifications it implies. Safe from any process. */
  async routeNow(): Promise<number> {
    if (this.#closed) return 0;
    let flat: Reply;
    try {
      flat = await this.#redis.slRoutePass(this.#p, String(Date.now()), today());
    } catch (err) {
      this.#log.warn({ err }, 'routing pass failed');
      return 0;
    }
    const jobs: Promise<void>[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      jobs.push(
        this.#afterAssigned(flat[i]!, flat[i + 1]!, Number(flat[i + 2]), {
          notifyOperator: true,
          operatorName: flat[i + 3] ?? '',
          load: Number(flat[i + 4]),
        }),
      );
    }
    // The assignment itself is committed; a failed notification is repaired by the
    // operator's reconnect (chat:assigned is re-sent) and the visitor's resume.
    const results = await Promise.allSettled(jobs);
    for (const r of results)
      if (r.status === 'rejected') this.#log.warn({ err: r.reason }, 'assignment notice failed');
    if (jobs.length > 0) this.#afterQueueChange();
    return jobs.length;
  }

  /**
   * After an assignment is committed (stats were recorded in the same script): tell the
   * operator, the visitor and the operator's load display.
   */
  async #afterAssigned(
    conversationId: string,
    operatorId: string,
    waitingSince: number,
    opts: { notifyOperator: boolean; operatorName?: string; load?: number },
  ): Promise<void> {
    this.#metrics.waitSeconds?.observe(Math.max(0, (Date.now() - waitingSince) / 1000));
    this.#metrics.assignments?.inc();
    this.#lastPushed.delete(conversationId);
    const name =
      opts.operatorName ?? (await this.#redis.hget(this.#conv(conversationId), 'operatorName')) ?? '';
    this.#broadcast
      .of('/visitor')
      .to(visitorRoom(conversationId))
      .emit('chat:assigned', { operatorName: firstName(name) });
    if (opts.notifyOperator) await this.#sendAssigned(conversationId, operatorId);
    if (opts.load !== undefined) {
      // Routing only assigns to available operators, so the status is known.
      this.#toOperator(operatorId, 'operator:state', {
        status: 'available',
        load: opts.load,
        capacity: this.#config.operatorCapacity,
      });
    } else {
      await this.#pushOperatorState(operatorId);
    }
  }

  async #sendAssigned(conversationId: string, operatorId: string): Promise<void> {
    const [conversation, messages, notes] = await Promise.all([
      this.conversation(conversationId),
      this.messages(conversationId, { forOperator: true }),
      this.notes(conversationId),
    ]);
    this.#toOperator(operatorId, 'chat:assigned', { conversation, messages, notes });
  }

  /** Re-sends `chat:assigned` for every active conversation of an operator (on reconnect). */
  async resendAssigned(operatorId: string, emit: (payload: unknown) => void): Promise<void> {
    const ids = await this.#redis.smembers(this.key('op', operatorId, 'convs'));
    for (const id of ids) {
      const [conversation, messages, notes] = await Promise.all([
        this.conversation(id),
        this.messages(id, { forOperator: true }),
        this.notes(id),
      ]);
      emit({ conversation, messages, notes });
    }
  }

  /** Marks an operator socket as connected and copies what routing needs. */
  async operatorConnected(op: OperatorRef, socketId: string): Promise<void> {
    const now = Date.now();
    const rk = this.key('route', 'op', op.id);
    // The status survives reconnects and is never overwritten here: an operator:status
    // sent right after connecting may already have landed.
    const res = await this.#redis
      .multi()
      .hsetnx(rk, 'status', 'away')
      .hset(rk, {
        langs: op.languages.join(','),
        cap: String(this.#config.operatorCapacity),
        name: op.displayName,
        lastSeen: String(now),
      })
      .sadd(this.key('route', 'ops'), op.id)
      .zadd(this.key('op', op.id, 'conns'), now + this.#presenceTtl(), socketId)
      .hget(rk, 'status')
      .exec();
    if (res?.[4]?.[1] === 'available') {
      await this.#redis.sadd(this.key('route', 'available'), op.id);
      void this.routeNow();
    }
  }

  #presenceTtl(): number {
    return 45_000;
  }

  /** Refreshes presence for this process's operator sockets (every 15 s). */
  async operatorHeartbeat(entries: { operatorId: string; socketId: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const now = Date.now();
    const tx = this.#redis.multi();
    for (const e of entries) {
      tx.zadd(this.key('op', e.operatorId, 'conns'), now + this.#presenceTtl(), e.socketId);
      tx.hset(this.key('route', 'op', e.operatorId), 'lastSeen', String(now));
    }
    await tx.exec();
  }

  async operatorDisconnected(operatorId: string, socketId: string): Promise<void> {
    const now = Date.now();
    const connsKey = this.key('op', operatorId, 'conns');
    const res = await this.#redis
      .multi()
      .zrem(connsKey, socketId)
      .zremrangebyscore(connsKey, '-inf', now)
      .zcard(connsKey)
      .hset(this.key('route', 'op', operatorId), 'lastSeen', String(now))
      .exec();
    const remaining = Number(res?.[2]?.[1] ?? 0);
    if (remaining > 0) return;
    await this.#redis.srem(this.key('route', 'available'), operatorId);
    await this.#queue.add('grace', { operatorId, since: now }, { delay: this.#config.operatorGraceMs });
  }

  /** Job: the grace period is over; requeue the operator's conversations if still gone. */
  async graceExpired(operatorId: string): Promise<number> {
    const live = await this.#redis.zcount(this.key('op', operatorId, 'conns'), Date.now(), '+inf');
    if (live > 0) return 0;
    return this.requeueOperator(operatorId);
  }

  async requeueOperator(operatorId: string): Promise<number> {
    const ids = await this.#redis.smembers(this.key('op', operatorId, 'convs'));
    let n = 0;
    for (const id of ids) {
      const r = await this.#redis.slRequeue(this.#p, id, operatorId);
      if (r[0] !== 'ok') continue;
      n++;
      this.#toOperator(operatorId, 'chat:unassigned', { conversationId: id, reason: 'requeued' });
      this.#lastPushed.delete(id);
    }
    if (n > 0) {
      this.#log.info({ operatorId, conversations: n }, 'conversations requeued after grace period');
      this.#afterQueueChange();
      void this.routeNow();
    }
    return n;
  }

  /** Sweep job: catches operators whose instance died without a disconnect event. */
  async sweep(): Promise<void> {
    const now = Date.now();
    const ops = await this.#redis.smembers(this.key('route', 'ops'));
    for (const op of ops) {
      const live = await this.#redis.zcount(this.key('op', op, 'conns'), now, '+inf');
      if (live > 0) continue;
      await this.#redis.srem(this.key('route', 'available'), op);
      const lastSeen = Number((await this.#redis.hget(this.key('route', 'op', op), 'lastSeen')) ?? 0);
      if (now - lastSeen >= this.#config.operatorGraceMs) await this.requeueOperator(op);
    }
    await this.migrateLegacyWaiting();
    await this.sweepVisitors();
    await this.holdGoneWaiters();
    await this.routeNow();
    await this.pushPositions(true);
    await this.pushSnapshot();
  }

  /** Moves what release 1 left in its single waiting set into the per-language sets. */
  async migrateLegacyWaiting(): Promise<number> {
    let moved = 0;
    while ((await this.#redis.zcard(this.key('waiting'))) > 0) {
      moved += Number(await this.#redis.slMigrateWaiting(this.#p));
    }
    if (moved > 0) {
      this.#log.info({ conversations: moved }, 'waiting conversations moved to per-language sets');
      this.#afterQueueChange();
    }
    return moved;
  }

  /** Holds out of routing the waiting conversations whose visitor has been gone longer than WAITER_HOLD_S. */
  async holdGoneWaiters(): Promise<number> {
    const cutoff = Date.now() - this.#config.waiterHoldMs;
    const ids = await this.#redis.zrangebyscore(this.key('waiting-away'), '-inf', cutoff, 'LIMIT', 0, 500);
    let held = 0;
    for (const id of ids) if ((await this.#redis.slHoldWaiter(this.#p, id))[0] === 'held') held++;
    if (held > 0) this.#afterQueueChange();
    return held;
  }

  /** Job: holds one waiting conversation if its visitor is still gone after WAITER_HOLD_S. */
  async holdIfGone(conversationId: string): Promise<void> {
    const [state, away, awaySince] = await this.#redis.hmget(
      this.#conv(conversationId),
      'state',
      'away',
      'awaySince',
    );
    if (state !== 'waiting' || !away || Date.now() - Number(awaySince) < this.#config.waiterHoldMs) return;
    if ((await this.#redis.slHoldWaiter(this.#p, conversationId))[0] === 'held') this.#afterQueueChange();
  }

  async setStatus(operatorId: string, status: 'available' | 'away'): Promise<void> {
    const tx = this.#redis.multi().hset(this.key('route', 'op', operatorId), 'status', status);
    if (status === 'available') tx.sadd(this.key('route', 'available'), operatorId);
    else tx.srem(this.key('route', 'available'), operatorId);
    await tx.exec();
    await this.#pushOperatorState(operatorId);
    if (status === 'available') await this.routeNow();
    this.#afterQueueChange();
  }

  async operatorState(
    operatorId: string,
  ): Promise<{ status: 'available' | 'away'; load: number; capacity: number }> {
    const [[, status], [, load]] = (await this.#redis
      .multi()
      .hget(this.key('route', 'op', operatorId), 'status')
      .scard(this.key('op', operatorId, 'convs'))
      .exec()) as [[unknown, string | null], [unknown, number]];
    return {
      status: status === 'available' ? 'available' : 'away',
      load: Number(load),
      capacity: this.#config.operatorCapacity,
    };
  }

  async #pushOperatorState(operatorId: string): Promise<void> {
    this.#toOperator(operatorId, 'operator:state', await this.operatorState(operatorId));
  }

  // -------------------------------------------------------------- queue broadcasts

  /** The waiting list in routing order. */
  /**
   * The waiting list in routing order: the heads of every language's set, merged, so that
   * a crowd in one language never hides a conversation in another. Held waiters are left out.
   */
  async waitingList(): Promise<WaitingItem[]> {
    const read = this.#redis.pipeline();
    for (const k of this.#waitingKeys()) read.zrange(k, 0, SNAPSHOT_PER_LANGUAGE - 1, 'WITHSCORES');
    const heads: { id: string; score: number }[] = [];
    for (const [, z] of (await read.exec()) ?? []) {
      const flat = (z ?? []) as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) heads.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    }
    if (heads.length === 0) return [];
    heads.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1));
    const ids = heads.map((h) => h.id);
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hmget(this.#conv(id), 'role', 'language', 'urgent', 'waitingSince', 'state');
    const rows = (await pipe.exec()) ?? [];
    const out: WaitingItem[] = [];
    rows.forEach(([, v], i) => {
      const [role, language, urgent, since, state] = v as (string | null)[];
      if (state !== 'waiting' || !role || !language || !since) return;
      out.push({
        conversationId: ids[i]!,
        role: role as VisitorRole,
        language: language as Language,
        urgent: urgent === '1',
        waitingSince: new Date(Number(since)).toISOString(),
      });
    });
    return out;
  }

  async pushSnapshot(): Promise<void> {
    const waiting = await this.waitingList();
    this.#broadcast.of('/operator').to(ROOM_OPERATORS).emit('queue:snapshot', { waiting });
  }

  /** Coalesces queue changes: one snapshot and one position push per short window. */
  #afterQueueChange(): void {
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

  /** Pushes `queue:position` to waiting visitors whose position or estimate changed (or all, when forced). */
  async pushPositions(force: boolean): Promise<void> {
    const read = this.#redis.pipeline();
    for (const k of this.#waitingKeys()) read.zrange(k, 0, -1);
    const lines = ((await read.exec()) ?? []).map(([, ids]) => (ids ?? []) as string[]);
    const [ewma, available] = await Promise.all([
      this.#redis.hget(this.key('stats'), 'ewma'),
      this.#redis.scard(this.key('route', 'available')),
    ]);
    const now = Date.now();
    const seen = new Set<string>();
    // A position counts within the conversation's own language: only those compete for its operators.
    for (const ids of lines)
      ids.forEach((id, i) => {
        seen.add(id);
        const position = i + 1;
        const estimate = estimateWaitSeconds({
          ewmaSeconds: ewma === null ? null : Number(ewma),
          position,
          operatorsAvailable: available,
        });
        const last = this.#lastPushed.get(id);
        const sameEstimate =
          last !== undefined &&
          (last.estimate === estimate ||
            (last.estimate !== null &&
              estimate !== null &&
              Math.abs(last.estimate - estimate) < ESTIMATE_STEP_S));
        if (!force && last && last.position === position && sameEstimate && now - last.at < 50_000) return;
        this.#lastPushed.set(id, { position, estimate, at: now });
        this.#broadcast
          .of('/visitor')
          .to(visitorRoom(id))
          .emit('queue:position', { position, estimatedWaitSeconds: estimate });
      });
    for (const id of this.#lastPushed.keys()) if (!seen.has(id)) this.#lastPushed.delete(id);
  }

  async #estimate(position: number): Promise<number | null> {
    const [ewma, available] = await Promise.all([
      this.#redis.hget(this.key('stats'), 'ewma'),
      this.#redis.scard(this.key('route', 'available')),
    ]);
    return estimateWaitSeconds({
      ewmaSeconds: ewma === null ? null : Number(ewma),
      position,
      operatorsAvailable: available,
    });
  }

  // ------------------------------------------------------------ console features

  /** Tells the operator's sockets and any watching supervisor that a conversation changed. */
  async #changed(conversationId: string): Promise<Conversation> {
    const conversation = await this.conversation(conversationId);
    if (conversation.operatorId) this.#toOperator(conversation.operatorId, 'chat:updated', { conversation });
    this.#broadcast.of('/operator').to(watchRoom(conversationId)).emit('chat:updated', { conversation });
    return conversation;
  }

  async setTags(conversationId: string, operatorId: string, tags: string[]): Promise<Conversation> {
    await this.assertOwner(conversationId, operatorId);
    await this.#redis.hset(
      this.#conv(conversationId),
      'tagsEnc',
      this.#cipher.encrypt(JSON.stringify(tags), fieldBinding(conversationId, 'tags')),
    );
    await this.audit('tags', operatorId, conversationId);
    return this.#changed(conversationId);
  }

  /** Saves the risk checklist, re-scored here so a client cannot claim a level it did not earn. */
  async saveRisk(
    conversationId: string,
    operatorId: string,
    risk: { answers: RiskResult['answers']; override?: RiskResult['override'] | undefined },
  ): Promise<Conversation> {
    await this.assertOwner(conversationId, operatorId);
    const scored = scoreRisk(risk.answers, risk.override);
    await this.#redis.hset(
      this.#conv(conversationId),
      'risk',
      this.#cipher.encrypt(JSON.stringify(scored), fieldBinding(conversationId, 'risk')),
    );
    await this.audit('risk', operatorId, conversationId);
    return this.#changed(conversationId);
  }

  /** Acute danger: urgent, supervisors alerted (once), the 112 script's answers stored encrypted. */
  async markAcute(
    conversationId: string,
    op: OperatorRef,
    details: { location?: string | undefined; consentToCall112?: boolean | undefined },
  ): Promise<Conversation> {
    const f = await this.assertOwner(conversationId, op.id);
    const previous = f.acute
      ? (JSON.parse(this.#cipher.decrypt(f.acute, fieldBinding(conversationId, 'acute'))) as AcuteRecord)
      : undefined;
    const record: AcuteRecord = previous ?? { at: new Date().toISOString(), markedBy: op.id };
    if (details.location !== undefined) record.location = details.location;
    if (details.consentToCall112 !== undefined) record.consentToCall112 = details.consentToCall112;
    const tx = this.#redis.multi().hset(this.#conv(conversationId), {
      urgent: '1',
      acute: this.#cipher.encrypt(JSON.stringify(record), fieldBinding(conversationId, 'acute')),
    });
    if (f.state === 'waiting' && f.waitingSince) {
      // Urgent now: ahead in its line, whether it waits or is held.
      tx.zadd(this.waitingKey(f.language ?? ''), 'XX', Number(f.waitingSince), conversationId);
      tx.zadd(this.key('held'), 'XX', Number(f.waitingSince), conversationId);
    }
    await tx.exec();
    await this.audit(previous ? 'acute-update' : 'acute', op.id, conversationId);
    if (!previous) {
      const alert: SupervisorAlert = {
        kind: 'acute-danger',
        conversationId,
        operatorId: op.id,
        operatorName: op.displayName,
        at: record.at,
      };
      this.alertSupervisors(alert);
    }
    return this.#changed(conversationId);
  }

  /** A supervisor starts watching: everything is returned, the look is audited, the operator told. */
  async monitor(
    conversationId: string,
    supervisor: { id: string; displayName: string },
  ): Promise<{ conversation: Conversation; messages: Message[]; notes: Note[] }> {
    const f = await this.#fields(conversationId);
    if (!f.state) throw new AppError('not_found');
    await this.#redis.hincrby(this.#conv(conversationId), 'watchers', 1);
    await this.audit('monitor', supervisor.id, conversationId);
    if (f.operatorId) {
      this.#toOperator(f.operatorId, 'chat:monitored', {
        conversationId,
        supervisorName: supervisor.displayName,
        watching: true,
      });
    }
    const [conversation, messages, notes] = await Promise.all([
      this.conversation(conversationId),
      this.messages(conversationId, { forOperator: true }),
      this.notes(conversationId),
    ]);
    return { conversation, messages, notes };
  }

  async unmonitor(conversationId: string, supervisor: { id: string; displayName: string }): Promise<void> {
    const k = this.#conv(conversationId);
    const left = await this.#redis.hincrby(k, 'watchers', -1);
    if (left < 0) await this.#redis.hset(k, 'watchers', '0');
    await this.audit('unmonitor', supervisor.id, conversationId);
    const op = await this.#redis.hget(k, 'operatorId');
    if (op) {
      this.#toOperator(op, 'chat:monitored', {
        conversationId,
        supervisorName: supervisor.displayName,
        watching: false,
      });
    }
  }

  /** A supervisor moves a conversation from whoever holds it, to a colleague or back to the queue. */
  async reassign(
    conversationId: string,
    supervisor: OperatorRef,
    to: { operatorId: string } | { queue: true },
  ): Promise<void> {
    const f = await this.#fields(conversationId);
    if (!f.state) throw new AppError('not_found');
    if (f.state === 'active' && f.operatorId) {
      await this.transfer(
        conversationId,
        { id: f.operatorId, displayName: f.operatorName ?? '', languages: [] },
        to,
      );
    } else if (f.state === 'waiting' && 'operatorId' in to) {
      const target = await this.#redis.hget(this.key('route', 'op', to.operatorId), 'name');
      if (!target) throw new AppError('not_found', 'That operator is not signed in.');
      const r = await this.#redis.slAccept(
        this.#p,
        conversationId,
        to.operatorId,
        target,
        String(this.#config.operatorCapacity),
        String(Date.now()),
        today(),
      );
      if (r[0] === 'full') throw new AppError('conflict', 'That operator is at capacity.');
      if (r[0] !== 'ok') throw new AppError('conflict');
      await this.#afterAssigned(conversationId, to.operatorId, Number(r[1]), { notifyOperator: true });
      this.#afterQueueChange();
    } else {
      throw new AppError('conflict');
    }
    await this.audit('reassign', supervisor.id, conversationId);
  }

  /**
   * Active conversations with their operators, for the supervisor view. A bulk view: it
   * carries the risk level but not the checklist answers, and that acute danger was marked
   * but not where the visitor is. Reading one conversation (`monitor`) shows the rest.
   * The look is audited.
   */
  async overview(
    supervisorId: string,
  ): Promise<{ conversations: Conversation[]; operators: OperatorOnRoute[] }> {
    const ids = await this.#redis.smembers(this.key('active'));
    const [conversations, operators] = await Promise.all([
      Promise.all(ids.map((id) => this.conversation(id).catch(() => null))).then((list) =>
        list.filter((c): c is Conversation => c !== null).map(forBulkView),
      ),
      this.#operatorsOnRoute(),
    ]);
    await this.audit('overview', supervisorId, '');
    return { conversations, operators };
  }

  // ------------------------------------------------------------------- blocks

  /**
   * `chat:block`: ends the conversation with reason `blocked` and refuses new
   * conversations from the same hashed address for BLOCK_HOURS. Only the keyed hash of the
   * address is kept, with the block. Works on an open conversation, and for an hour after
   * it ended (the troll who leaves at once can still be blocked).
   */
  async block(
    conversationId: string,
    actor: { id: string; displayName: string; supervisor: boolean },
  ): Promise<{ blockId: string }> {
    const f = await this.#fields(conversationId);
    if (!f.state) throw new AppError('not_found');
    if (!actor.supervisor && f.operatorId !== actor.id) throw new AppError('forbidden');
    const addr =
      (f as ConvFields & { addr?: string }).addr ||
      (await this.#redis.get(`${this.#conv(conversationId)}:addr`));
    if (!addr) throw new AppError('conflict', 'This conversation ended too long ago to block.');
    if (f.state !== 'ended') {
      const op = f.operatorId;
      if (op) this.#toOperator(op, 'chat:visitor-left', { conversationId, reason: 'ended' });
      await this.end(conversationId, 'blocked');
    }
    const blockId = newId();
    const now = Date.now();
    const expiresAt = now + this.#config.blockMs;
    await this.#redis
      .multi()
      .set(this.key('block', 'addr', addr), blockId, 'PX', this.#config.blockMs)
      .hset(this.key('block', blockId), {
        addr,
        createdAt: String(now),
        expiresAt: String(expiresAt),
        operatorName: actor.displayName,
      })
      .pexpire(this.key('block', blockId), this.#config.blockMs)
      .zadd(this.key('blocks'), expiresAt, blockId)
      .exec();
    await this.audit('block', actor.id, conversationId);
    return { blockId };
  }

  /** The blocks in force, newest first, without any address (`GET /api/blocks`). */
  async listBlocks(): Promise<BlockInfo[]> {
    const now = Date.now();
    await this.#redis.zremrangebyscore(this.key('blocks'), '-inf', now);
    const ids = await this.#redis.zrevrangebyscore(this.key('blocks'), '+inf', now);
    const rows = await Promise.all(ids.map((id) => this.#redis.hgetall(this.key('block', id))));
    const out: BlockInfo[] = [];
    rows.forEach((r, i) => {
      if (!r.createdAt || !r.expiresAt) return;
      out.push({
        blockId: ids[i]!,
        createdAt: new Date(Number(r.createdAt)).toISOString(),
        expiresAt: new Date(Number(r.expiresAt)).toISOString(),
        operatorName: r.operatorName ?? '',
      });
    });
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Lifts a block (`DELETE /api/blocks/:blockId`); audited. */
  async liftBlock(blockId: string, actorId: string): Promise<void> {
    const addr = await this.#redis.hget(this.key('block', blockId), 'addr');
    if (!addr) throw new AppError('not_found');
    const addrKey = this.key('block', 'addr', addr);
    const tx = this.#redis.multi();
    // Only this block: a newer one on the same address stays.
    if ((await this.#redis.get(addrKey)) === blockId) tx.del(addrKey);
    await tx.del(this.key('block', blockId)).zrem(this.key('blocks'), blockId).exec();
    await this.audit('block-lift', actorId, blockId);
  }

  /**
   * The colleagues an operator can hand a conversation to: everyone signed in to the
   * console but the caller, with their status and load (`GET /api/colleagues`).
   */
  async colleaguesOf(operatorId: string): Promise<OperatorOnRoute[]> {
    return (await this.#operatorsOnRoute())
      .filter((o) => o.id !== operatorId && o.connected)
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'nl'));
  }

  async #operatorsOnRoute(): Promise<OperatorOnRoute[]> {
    const now = Date.now();
    const opIds = await this.#redis.smembers(this.key('route', 'ops'));
    const operators = await Promise.all(
      opIds.map(async (id) => {
        const [info, load, live] = await Promise.all([
          this.#redis.hmget(this.key('route', 'op', id), 'name', 'status', 'cap'),
          this.#redis.scard(this.key('op', id, 'convs')),
          this.#redis.zcount(this.key('op', id, 'conns'), now, '+inf'),
        ]);
        return {
          id,
          displayName: info[0] ?? '',
          status: info[1] ?? 'away',
          load,
          capacity: Number(info[2]) || this.#config.operatorCapacity,
          connected: live > 0,
        };
      }),
    );
    return operators;
  }

  /** The conversations an operator holds now, and those that ended in their hands and are still kept. */
  async listForOperator(operatorId: string): Promise<Conversation[]> {
    const [active, ended] = await Promise.all([
      this.#redis.smembers(this.key('op', operatorId, 'convs')),
      this.#redis.zrangebyscore(this.key('op', operatorId, 'ended'), Date.now(), '+inf'),
    ]);
    const all = await Promise.all([...active, ...ended].map((id) => this.conversation(id).catch(() => null)));
    return all.filter((c): c is Conversation => c !== null);
  }

  /** Who may read a conversation: the operator who holds (or last held) it. */
  async lastOperatorOf(conversationId: string): Promise<string | null> {
    return this.#redis.hget(this.#conv(conversationId), 'operatorId');
  }

  // ------------------------------------------------------------------- reading

  async #fields(id: string): Promise<ConvFields> {
    return (await this.#redis.hgetall(this.#conv(id))) as ConvFields;
  }

  #state(f: ConvFields): 'waiting' | 'active' | 'ended' {
    return f.state === 'active' || f.state === 'ended' ? f.state : 'waiting';
  }

  async conversation(id: string): Promise<Conversation> {
    const f = await this.#fields(id);
    if (!f.state) throw new AppError('not_found');
    const c: Conversation = {
      conversationId: id,
      role: f.role as VisitorRole,
      language: f.language as Language,
      urgent: f.urgent === '1',
      state: this.#state(f),
      waitingSince: iso(f.waitingSince)!,
      tags: JSON.parse(f.tags ?? '[]') as string[],
    };
    if (f.assignedAt) c.assignedAt = iso(f.assignedAt)!;
    if (f.operatorId) c.operatorId = f.operatorId;
    if (f.away && f.awaySince && f.returnUntil) {
      c.away = {
        reason: f.away as VisitorLeftReason,
        since: iso(f.awaySince)!,
        returnUntil: iso(f.returnUntil)!,
      };
    }
    if (f.endedAt) c.endedAt = iso(f.endedAt)!;
    if (f.endReason) c.endReason = f.endReason as EndReason;
    if (f.operatorName) c.operatorName = f.operatorName;
    if (f.tagsEnc) c.tags = JSON.parse(this.#cipher.decrypt(f.tagsEnc, fieldBinding(id, 'tags'))) as string[];
    if (f.risk) c.risk = JSON.parse(this.#cipher.decrypt(f.risk, fieldBinding(id, 'risk'))) as RiskResult;
    if (f.acute)
      c.acute = JSON.parse(this.#cipher.decrypt(f.acute, fieldBinding(id, 'acute'))) as AcuteRecord;
    return c;
  }

  /** Decrypted messages, oldest first; after `after` (exclusive) when given. */
  /**
   * Decrypted messages, oldest first: after `after` (exclusive) when given, and never any
   * up to `floor` (the visitor's last return-code redemption). A malformed `after` counts
   * as absent.
   */
  async messages(
    id: string,
    opts: { after?: string | undefined; floor?: string | undefined; forOperator: boolean },
  ): Promise<Message[]> {
    const bounds = [opts.after, opts.floor].filter((b): b is string => !!b && STREAM_ID.test(b));
    const from = bounds.sort(compareStreamIds).at(-1);
    const entries = await this.#redis.xrange(this.key('conv', id, 'msgs'), from ? `(${from}` : '-', '+');
    return entries.map(([messageId, kv]) => {
      const f = pairs(kv);
      const code = (f.f ?? 's') as keyof typeof fromCode;
      const sender = fromCode[code] ?? 'system';
      const text = this.#cipher.decrypt(f.c ?? '', fieldBinding(id, 'message', senderOf(code, f.o ?? '')));
      const m: Message = { messageId, from: sender, text, at: atOf(messageId) };
      if (opts.forOperator && sender === 'operator' && f.o) m.operatorId = f.o;
      return m;
    });
  }

  async notes(id: string): Promise<Note[]> {
    const entries = await this.#redis.xrange(this.key('conv', id, 'notes'), '-', '+');
    return entries.map(([noteId, kv]) => {
      const f = pairs(kv);
      return {
        noteId,
        conversationId: id,
        operatorId: f.o ?? '',
        text: this.#cipher.decrypt(f.c ?? '', fieldBinding(id, 'note', senderOf('o', f.o ?? ''))),
        at: atOf(noteId),
      };
    });
  }

  /** Sends an alert to every signed-in supervisor and admin (from a server or a worker process). */
  alertSupervisors(alert: SupervisorAlert): void {
    this.#broadcast.of('/operator').to(ROOM_SUPERVISORS).emit('supervisor:alert', alert);
  }

  /** Emits an event to every socket of one operator (from a server or a worker process). */
  notifyOperator(operatorId: string, event: string, payload: unknown): void {
    this.#toOperator(operatorId, event, payload);
  }

  /** Emits an event to every signed-in supervisor and admin. */
  notifySupervisors(event: string, payload: unknown): void {
    this.#broadcast.of('/operator').to(ROOM_SUPERVISORS).emit(event, payload);
  }

  /** Appends to the audit stream: who did what to which conversation, never content. */
  async audit(action: string, actorId: string, conversationId: string): Promise<void> {
    await this.#redis.xadd(
      this.key('audit'),
      'MAXLEN',
      '~',
      '1000000',
      '*',
      'action',
      action,
      'actor',
      actorId,
      'conversation',
      conversationId,
    );
  }

  #toOperator(operatorId: string, event: string, payload: unknown): void {
    this.#broadcast.of('/operator').to(operatorRoom(operatorId)).emit(event, payload);
  }
}

/** A block as supervisors see it: never the address, not even its hash. */
export interface BlockInfo {
  blockId: string;
  createdAt: string;
  expiresAt: string;
  operatorName: string;
}

/** A conversation in a bulk view: the risk level without the answers, acute danger without the location. */
function forBulkView(c: Conversation): Conversation {
  const out: Conversation = { ...c };
  // The level (an override included) and the score; no answer, red flag or written reason.
  if (c.risk) out.risk = { answers: {}, score: c.risk.score, level: c.risk.level, redFlags: [] };
  if (c.acute) out.acute = { at: c.acute.at, markedBy: c.acute.markedBy };
  return out;
}

function pairs(kv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < kv.length; i += 2) out[kv[i]!] = kv[i + 1]!;
  return out;
}

/** Today's UTC date, the key of the daily figures. */
const today = () => new Date().toISOString().slice(0, 10);

/** Visitors see only the operator's first name. */
export function firstName(displayName: string): string {
  return displayName.trim().split(/\s+/)[0] ?? '';
}
