import { AppError, type ResumeAck, refusal, type VisitorReturnedBy } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import type { QueueView, Waiters } from '../routing/index.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { type Credentials, newToken } from './credentials.ts';
import { redeemReturnCodeScript, rotateTokenScript } from './scripts.ts';
import { type ConversationRecord, type ConversationStore, firstName } from './store.ts';

/** What a resume needs of the lifecycle's dependencies. */
export interface ResumeDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  waiters: Waiters;
  view: QueueView;
  notifier: Notifier;
  config: Readonly<Config>;
  durable: DurableAcks;
}

/** Return-code redemption failures per hashed address before each further attempt waits. */
const RETURN_CODE_FREE_FAILURES = 10;
/** The longest a right return code is ever kept waiting by the throttle, at a time. */
const RETURN_CODE_MAX_DELAY_MS = 60_000;
/**
 * Failures per hashed network (IPv6 /48, IPv4 /24) in the same window before each further
 * attempt from any of its addresses waits (security review V5). Ten addresses' worth: a
 * /48 may be an office or a provider's customer, and a free tunnel-broker /48 would
 * otherwise give 65,536 addresses ten each.
 */
const RETURN_CODE_NETWORK_FREE_FAILURES = 10 * RETURN_CODE_FREE_FAILURES;
/**
 * Failures of the whole deployment in RETURN_CODE_GLOBAL_WINDOW_MS before every attempt
 * waits: far above what mistyping visitors of a national line reach, and more than one
 * network gives at once, so that a troll who wants every return to wait needs this many
 * looked-at failures every minute: fifteen to twenty networks, each giving about 7 a
 * minute on average (its 100, then about one a minute until its window lapses).
 */
const RETURN_CODE_GLOBAL_FREE_FAILURES = 120;
/** The fixed window of RETURN_CODE_GLOBAL_FREE_FAILURES; its delays end with it. */
const RETURN_CODE_GLOBAL_WINDOW_MS = 60_000;
/**
 * How long a visitor counts as present without a heartbeat from her socket's instance
 * (presence). The scripts that give a conversation its visitor (start, return-code
 * redemption) write her first entry with it, so that one whose socket is never attached (a
 * step after the script failed) is treated as dropped, as any other, by the presence sweep.
 */
export const VISITOR_PRESENCE_TTL_MS = 45_000;
/**
 * How long a redemption or a token rotation is kept for a retry from the same socket
 * (PROTOCOL.md for redemptions; docs/protocol.md for tokens).
 */
const SAME_SOCKET_RETRY_MS = 60_000;

/** A token rotation: what its retries from the same socket answer with. */
interface Rotation {
  conversationId: string;
  resumeToken: string;
  /** The key the new token is stored under, once the script has run. */
  tokenKey: string;
}

/**
 * A redemption an attempt may have made, kept from just before its script runs: the record
 * names it once made (its new token's key, and one of its candidate codes' keys).
 */
interface Redemption extends Rotation {
  /** The new codes the script may have stored; the record's `returnKey` says which. */
  candidates: { code: string; key: string }[];
}

/** Puts the resuming socket in the conversation's rooms, for the messages stored under `floor`. */
type Join = (conversationId: string, floor: string) => Promise<void>;

/**
 * What an attempt that spends a credential (a token rotated, a return code redeemed) kept
 * for a retry from the same socket, by socket and credential, in memory for
 * SAME_SOCKET_RETRY_MS: the retry answers with the same outcome and finishes the steps after
 * it. A retry asked while the attempt still runs (the widget asks again when an answer is
 * late, as in a failover) waits for it: run at once, it would find the credential spent.
 */
class SameSocketRetries<T> {
  readonly #kept = new Map<string, { value: T; until: number }>();
  readonly #running = new Map<string, Promise<void>>();

  /**
   * Once the attempts with this key still running are done: `retry` with what an earlier
   * one kept, if any and if it answers; else `first`, a new attempt, which `keep`s what its
   * retries need. Nothing is awaited before a new attempt is registered: two asks handled in
   * the same tick (one packet) must not both run.
   */
  async attempt<R>(
    key: string,
    retry: (kept: T) => Promise<R | undefined>,
    first: () => Promise<R>,
  ): Promise<R> {
    for (let running = this.#running.get(key); running; running = this.#running.get(key)) await running;
    const now = Date.now();
    // Kept in the order they lapse (`keep` puts each last): the first still kept ends it.
    for (const [k, e] of this.#kept) {
      if (e.until > now) break;
      this.#kept.delete(k);
    }
    const kept = this.#kept.get(key);
    if (kept) {
      const answer = await retry(kept.value);
      if (answer !== undefined) return answer;
      if (this.#kept.get(key) === kept) this.#kept.delete(key);
      return this.attempt(key, retry, first);
    }
    return this.#run(key, first);
  }

  async #run<R>(key: string, attempt: () => Promise<R>): Promise<R> {
    let settled = (): void => {};
    const mine = new Promise<void>((resolve) => {
      settled = resolve;
    });
    this.#running.set(key, mine);
    try {
      return await attempt();
    } finally {
      if (this.#running.get(key) === mine) this.#running.delete(key);
      settled();
    }
  }

  keep(key: string, value: T): void {
    this.#kept.delete(key);
    this.#kept.set(key, { value, until: Date.now() + SAME_SOCKET_RETRY_MS });
  }

  forget(key: string): void {
    this.#kept.delete(key);
  }

  /** Everything kept for one socket (keys start with its id and a space). */
  forgetSocket(socketId: string): void {
    for (const key of this.#kept.keys()) if (key.startsWith(`${socketId} `)) this.#kept.delete(key);
  }
}
/**
 * Token resumes per conversation in any RESUME_WINDOW_MS, and return-code redemptions apart
 * (so that whoever holds the token cannot keep the code out). A visitor on a bad network
 * reconnects a few times a minute, and the widget tries again after `retryAfterSeconds`; a
 * script alternating `chat:leave` and `chat:resume` would otherwise tell the operator of a
 * return ten times a second.
 */
export const RESUMES_PER_WINDOW = 6;
/** The sliding window of RESUMES_PER_WINDOW. */
export const RESUME_WINDOW_MS = 60_000;

/**
 * A visitor coming back: by resume token (what they missed, never anything up to the last
 * redemption) or by return code (once, nothing old ever again), counted per address.
 */
export class VisitorResume {
  readonly #d: ResumeDeps;
  readonly #k: RedisKeys;
  readonly #c: Credentials;
  /**
   * Redemptions, by socket and code key, kept from just before the script runs: a retry
   * after an `unavailable` ack or none (its reply lost, a step after the script failed, or
   * the WAIT) gets the same redemption, if the record names it, and finishes the return.
   */
  readonly #redemptions = new SameSocketRetries<Redemption>();
  /**
   * Token rotations, by socket and old token key, kept from just before the script runs: a
   * retry after an `unavailable` ack or none (its reply lost, a step after it failed) gets
   * the same new token, if the record names it, and finishes the resume. Without it the old
   * token would be spent and her conversation lost to her.
   */
  readonly #rotations = new SameSocketRetries<Rotation>();

  constructor(deps: ResumeDeps, credentials: Credentials) {
    this.#d = deps;
    this.#k = deps.keys;
    this.#c = credentials;
    prepareScripts(deps.redis, [rotateTokenScript, redeemReturnCodeScript]);
  }

  /**
   * `chat:resume` with a resume token: rotates it and returns what the visitor missed,
   * never anything up to the last return-code redemption. `join` puts the socket in the
   * conversation's room before `missed` is read: a message stored after the read is then
   * relayed to it, and one stored before is in `missed` (the client drops one it gets both
   * ways by its `messageId`). Read first, join second, and a message stored and relayed in
   * between reached the visitor neither way.
   */
  async resumeByToken(
    token: string,
    lastMessageId: string | undefined,
    socketId: string,
    join: Join,
  ): Promise<ResumeAck> {
    const candidates = this.#c.tokenKeys(token);
    const retryKey = `${socketId} ${candidates[0]}`;
    // A retry: the record says whether the first attempt rotated, and the floor. It may not
    // have (its command never ran), or a return-code redemption moved the token on since:
    // then this is a new attempt, which finds the old token or not.
    const retry = async (earlier: Rotation) => {
      const before = await this.#d.store.read(earlier.conversationId);
      if (before?.resumeKey !== earlier.tokenKey) return undefined;
      return this.#resumed(earlier, before.visitorFloor, lastMessageId, socketId, join);
    };
    return this.#rotations.attempt(retryKey, retry, async () => {
      const found = await this.#d.redis.mget(...candidates);
      const i = found.findIndex((v) => v !== null);
      if (i < 0) throw refusal('not_resumable');
      const id = found[i]!;
      const fresh = newToken();
      const rotation: Rotation = {
        conversationId: id,
        resumeToken: fresh,
        tokenKey: this.#c.tokenKey(fresh),
      };
      // Kept before the script runs: its reply can be lost after it rotated (a failover),
      // and then only a retry from this socket can still bring her back.
      this.#rotations.keep(retryKey, rotation);
      let rotated = await runScript(
        this.#d.redis,
        rotateTokenScript,
        { oldToken: candidates[i]!, newToken: rotation.tokenKey, conversation: this.#k.conversation(id) },
        // The return window is checked against this moment, not left to the sweep.
        { id, now: Date.now(), resumeLimit: RESUMES_PER_WINDOW, resumeWindowMs: RESUME_WINDOW_MS },
      );
      if (!rotated) {
        // Its reply lost after it ran, the command was sent again (ioredis resends what was
        // unanswered when its connection dropped) and found the old token spent by itself.
        const now = await this.#d.store.read(id);
        if (now?.resumeKey === rotation.tokenKey) rotated = { status: 'ok', floor: now.visitorFloor };
      }
      if (rotated?.status !== 'ok') this.#rotations.forget(retryKey);
      if (!rotated) throw refusal('not_resumable');
      if (rotated.status === 'resume_limit') throw resumeLimit(rotated.retryMs);
      // The floor read in the same step as the token: the socket joins the message room of
      // the redemption its token belongs to.
      return this.#resumed(rotation, rotated.floor, lastMessageId, socketId, join);
    });
  }

  /**
   * The visitor is back by her token, on its first attempt or a retry from the same socket:
   * each step is safe to run again. Joined to `floor`'s room before `missed` is read, unless
   * the conversation has ended: that is answered (`state: 'ended'`, what she missed), but
   * the socket is not put on it. A socket on a conversation is never closed as idle nor
   * counted for its address, and an ended conversation's token keeps answering (rotated
   * each time) until the purge: joined, a script could keep sockets open for ever with it.
   */
  async #resumed(
    rotation: Rotation,
    floor: string,
    lastMessageId: string | undefined,
    socketId: string,
    join: Join,
  ): Promise<ResumeAck> {
    const id = rotation.conversationId;
    let r = await this.#d.store.get(id);
    if (r.state !== 'ended') {
      await join(id, floor);
      // Read again once joined: a change in between (an assignment, an end) is relayed to the
      // socket or seen here. One that ended meanwhile is taken off the socket by the caller.
      r = await this.#d.store.get(id);
    }
    const missed = await this.#d.store.messages(id, {
      after: lastMessageId,
      floor: r.visitorFloor,
      forOperator: false,
    });
    const ack: ResumeAck = { conversationId: id, resumeToken: rotation.resumeToken, state: r.state, missed };
    await this.#visitorBack(r, socketId, ack, 'token');
    return ack;
  }

  /**
   * `chat:resume` with a return code: once, within the return window, showing nothing
   * old, ever again. Failures are counted per hashed address (`addr`), per hashed network
   * (`network`: IPv6 /48, IPv4 /24) and for the deployment, in the same atomic step.
   */
  async resumeByReturnCode(
    code: string,
    socketId: string,
    addr: string,
    network: string,
  ): Promise<ResumeAck> {
    const codeKeys = this.#c.codeKeys(code);
    const k = this.#k;
    const retryKey = `${socketId} ${codeKeys[0]}`;
    // Run again, a retry would find the code spent, count a failure, and she would be told
    // the code does not work.
    const retry = async (earlier: Redemption) => {
      const ack = await this.#returned(earlier, socketId);
      if (ack) return ack;
      // Not made, if the code is still there (its script never ran): a new attempt. Else her
      // return moved on since (resumed by its token, redeemed again): that one stands, and
      // this is refused as it always was, with no failure counted.
      if ((await this.#d.redis.mget(...codeKeys)).some((v) => v !== null)) return undefined;
      this.#redemptions.forget(retryKey);
      throw refusal('not_resumable', { message: 'This return code is not valid.' });
    };
    return this.#redemptions.attempt(retryKey, retry, async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const found = await this.#d.redis.mget(...codeKeys);
        const i = found.findIndex((v) => v !== null);
        const id = i >= 0 ? found[i]! : '';
        const before = id ? await this.#d.store.read(id) : null;
        const fresh = newToken();
        const redemption: Redemption = {
          conversationId: id,
          resumeToken: fresh,
          tokenKey: this.#c.tokenKey(fresh),
          candidates: [this.#c.newCode(), this.#c.newCode(), this.#c.newCode()],
        };
        // Kept before the script runs: its reply can be lost after it spent the code (a
        // failover), and then only a retry from this socket can still bring her back.
        if (id) this.#redemptions.keep(retryKey, redemption);
        const r = await runScript(
          this.#d.redis,
          redeemReturnCodeScript,
          {
            throttle: k.returnCodeThrottle(addr),
            networkThrottle: k.returnCodeNetworkThrottle(network),
            globalThrottle: k.returnCodeGlobalThrottle,
            code: codeKeys[Math.max(0, i)]!,
            conversation: k.conversation(id || '-'),
            messages: k.messages(id || '-'),
            oldToken: before?.resumeKey || k.resumeToken('-'),
            newToken: redemption.tokenKey,
            presence: k.visitorPresence,
            newCodes: redemption.candidates.map((c) => c.key),
          },
          {
            id,
            now: Date.now(),
            windowMs: this.#d.config.returnCodeFailWindowMs,
            freeFailures: RETURN_CODE_FREE_FAILURES,
            maxDelayMs: RETURN_CODE_MAX_DELAY_MS,
            resumeKey: before?.resumeKey ?? '',
            resumeLimit: RESUMES_PER_WINDOW,
            resumeWindowMs: RESUME_WINDOW_MS,
            networkFreeFailures: RETURN_CODE_NETWORK_FREE_FAILURES,
            globalFreeFailures: RETURN_CODE_GLOBAL_FREE_FAILURES,
            globalWindowMs: RETURN_CODE_GLOBAL_WINDOW_MS,
            // Present until then unless her socket is attached and refreshes it: a return cut
            // off before that (and never retried) is away again by the sweep, then ends.
            presenceUntil: Date.now() + VISITOR_PRESENCE_TTL_MS,
          },
        );
        // Whatever it answered, the record says whether this attempt redeemed the code: a run
        // sent again after its reply was lost (ioredis resends what was unanswered when its
        // connection dropped) finds the code spent or the record changed by itself, or meets
        // a throttle delay that someone else's failure started meanwhile.
        if (id && r.status !== 'resume_limit') {
          const ack = await this.#returned(redemption, socketId);
          if (ack) return ack;
          this.#redemptions.forget(retryKey);
        }
        // Made, but its record gone (purged) before it was read.
        if (r.status === 'ok') throw refusal('not_resumable', { message: 'This return code is not valid.' });
        if (r.status === 'resume_limit') throw resumeLimit(r.retryMs);
        if (r.status === 'rate_limited') {
          throw refusal('return_code_throttled', {
            message: 'Too many attempts. Please wait a moment and try again.',
            retryAfterSeconds: Math.max(1, Math.ceil(r.retryMs / 1000)),
          });
        }
        if (r.status === 'not_found')
          throw refusal('not_resumable', { message: 'This return code is not valid.' });
        // A race, or every candidate code taken: draw again.
      }
      throw new AppError('unavailable');
    });
  }

  /**
   * The visitor is back by a redemption, on its first attempt or a retry from the same
   * socket: each step is safe to run again, so a retry finishes what a failed attempt left
   * (her socket attached, a held waiter back in line) and answers from the state of now.
   * Undefined when the record does not name this redemption: its script never ran, or her
   * return moved on since (resumed by its token, or redeemed again).
   */
  async #returned(redemption: Redemption, socketId: string): Promise<ResumeAck | undefined> {
    const now = await this.#d.store.read(redemption.conversationId);
    const code = redemption.candidates.find((c) => c.key === now?.returnKey);
    if (!now || now.resumeKey !== redemption.tokenKey || !code) return undefined;
    const ack: ResumeAck = {
      conversationId: redemption.conversationId,
      resumeToken: redemption.resumeToken,
      state: now.state,
      returnCode: code.code,
    };
    // Nothing old is shown, but the client needs the point to resume from after a later drop
    // (the floor the redemption set).
    if (now.visitorFloor) ack.lastMessageId = now.visitorFloor;
    await this.#visitorBack(now, socketId, ack, 'return-code');
    await this.#d.durable.confirm();
    return ack;
  }

  /**
   * The socket left its conversation (`chat:leave`): its resume, answered by now, is no
   * longer retried. Kept, the old token or code would bring it back on this socket again
   * and again, past the resume budget, the operator told of each return.
   */
  forgetRetries(socketId: string): void {
    this.#rotations.forgetSocket(socketId);
    this.#redemptions.forgetSocket(socketId);
  }

  /** `by`: a resume token is the same visitor reconnecting; a return code may be someone else. */
  async #visitorBack(
    r: ConversationRecord,
    socketId: string,
    ack: ResumeAck,
    by: VisitorReturnedBy,
  ): Promise<void> {
    if (r.state === 'ended') return;
    await this.#d.store.attachVisitor(r.id, socketId);
    if (r.state === 'waiting') {
      // A held waiter goes back to its place in line.
      await this.#d.waiters.unhold(r);
      Object.assign(ack, await this.#d.view.positionOf(r));
    }
    if (r.state === 'active' && r.operatorName) ack.operatorName = firstName(r.operatorName);
    if (r.away && r.operatorId) {
      this.#d.notifier.toOperator(r.operatorId, 'chat:visitor-returned', { conversationId: r.id, by });
    }
    // Supervisors reading along are warned as the holder is, also while it waits.
    if (r.away) this.#d.notifier.toWatchers(r.id, 'chat:visitor-returned', { conversationId: r.id, by });
    if (r.away) this.#d.view.changed();
  }
}

/** The conversation's resume budget is spent (RESUMES_PER_WINDOW); the token or code still works. */
function resumeLimit(retryMs: number): AppError {
  return refusal('resume_limit', { retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) });
}
