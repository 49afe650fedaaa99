import {
  backoffDelay,
  givenUp,
  NOT_NOW_BACKOFF,
  NOT_NOW_RETRY_MS,
  RetryRound,
} from '@stille-lijn/shared/domain/retry';
import { RETURN_WINDOW_MAX_MIN } from '@stille-lijn/shared/domain/return-code';
import type { Ack, AckError } from '@stille-lijn/shared/errors';
import type {
  EndReason,
  Message,
  ResumeAck,
  Staffing,
  VisitorClientToServerEvents,
  VisitorResume,
  VisitorRole,
  VisitorServerToClientEvents,
} from '@stille-lijn/shared/protocol';
import type { io, Socket } from 'socket.io-client';
import type { Language } from './i18n.ts';

type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;

/** An acknowledgement that does not come within this time counts as failed. */
const ACK_TIMEOUT_MS = 10_000;
/**
 * A return by code answered `unavailable`, or not at all, may have spent the code (a Redis
 * failover cut the redemption after that step); a token resume not answered may have
 * rotated the token. The server answers a retry from the same socket with that first
 * attempt's outcome for a minute, and from no other: the widget tries again on the same
 * socket (`askAgainOnCut`), first after SAME_SOCKET_RETRY_FIRST_MS, doubling up to
 * SAME_SOCKET_RETRY_MAX_MS, while still within SAME_SOCKET_RETRY_WITHIN_MS of the first try.
 */
const SAME_SOCKET_RETRY_FIRST_MS = 1_000;
const SAME_SOCKET_RETRY_MAX_MS = 8_000;
// Well inside the server's minute, and answered (ACK_TIMEOUT_MS) before the 45 s after which
// a redemption no socket holds counts as dropped.
const SAME_SOCKET_RETRY_WITHIN_MS = 30_000;
/** After the server refused a connection: try again after this, plus up to as much again at random. */
const REFUSED_RETRY_MS = 2_000;
/** An end finished later asks again after refusals at most this far apart (doubling from REFUSED_RETRY_MS). */
const REFUSED_RETRY_MAX_MS = 30_000;
/**
 * A conversation the visitor ended while her connection was down (or coming back), or whose
 * `chat:leave` was not answered, is ended in the background: by token, then `chat:leave
 * 'ended'`, on each connection, for at most the deployment's return window (the page's
 * `returnWindowMinutes`, RETURN_WINDOW_MIN; at most RETURN_WINDOW_MAX_MIN) and this much
 * more: past the window the server ends the conversation by itself and no token or code
 * opens it any more (a token then answers `not_found`, which stops it sooner).
 */
const END_LATER_MARGIN_MS = 60_000;
/** The default return window (RETURN_WINDOW_MIN's), for a page that does not say. */
const DEFAULT_RETURN_WINDOW_MIN = 15;
// After an answer that says "not now" (`unavailable`, `internal`), the waits and when a
// message is given up are shared with the console: NOT_NOW_BACKOFF (2 s doubling to 30 s)
// and NOT_NOW_GIVE_UP_MS (two minutes) in @stille-lijn/shared/domain/retry.
/** After this long without a keystroke the visitor no longer counts as typing. */
const TYPING_IDLE_MS = 3_000;
/**
 * How long the notice that a conversation was ended and cleared stays on the start screen:
 * long enough to read it and for a screen reader to announce it, and then gone, so that
 * whoever opens the widget later (on a phone the abuser checks) does not learn there was
 * a conversation. Hiding the widget removes it at once.
 */
export const CLEARED_NOTICE_MS = 8_000;
/** An operator typing indicator without news disappears after this long. */
const OPERATOR_TYPING_MS = 15_000;

/**
 * Where the socket client comes from: the conversation's chunk, fetched after the start
 * screen (live-loader.ts, passed in by main.tsx).
 */
export interface SocketClientSource {
  /** The client once it is here, else undefined. */
  loaded(): { io: typeof io } | undefined;
  /** Fetches it; a failed request is made again on the next call. */
  load(): Promise<{ io: typeof io }>;
}

export type Phase = 'idle' | 'starting' | 'waiting' | 'active' | 'ended';
export type EntryStatus = 'pending' | 'sent' | 'failed';
/**
 * Why the start or return screen could not go on: no connection or another fault
 * (`start`), a return code that does not work, too many conversations open (or started,
 * or connections opened) from this address (`open-limit`), a blocked address (`blocked`),
 * too many wrong codes (`return-throttled`, with `retryAfterSeconds`), or a line that is
 * closed with no open overflow (`line-closed`).
 */
export type Failure =
  | 'start'
  | 'return-code'
  | 'open-limit'
  | 'blocked'
  | 'line-full'
  | 'return-throttled'
  | 'line-closed';
/**
 * Why the server refused a message (it was not stored; its text goes back into the
 * composer): too many while waiting, too fast, or the conversation is at its size cap.
 */
export type RefusalReason = 'waiting-messages' | 'too-fast' | 'conversation-full';

export interface Refusal {
  reason: RefusalReason;
  /** The refused text, for the composer. */
  text: string;
  /** Counts refusals, so that the same text refused twice is still handed back twice. */
  seq: number;
}

/** One line in the conversation: a message, or a local notice such as "Sanne is here now". */
export interface Entry {
  /** Stable key for rendering. */
  key: string;
  from: Message['from'] | 'notice';
  text: string;
  messageId: string | undefined;
  /** Visitor messages only. */
  clientMessageId: string | undefined;
  /** Visitor messages only. */
  status: EntryStatus | undefined;
}

export interface ChatState {
  phase: Phase;
  /** False while a conversation's connection is down or being resumed. */
  online: boolean;
  urgent: boolean;
  returnCode: string | undefined;
  /** The conversation's language (for the language-fallback notice). */
  language: Language | undefined;
  position: number | undefined;
  /** Whether anyone can answer now; undefined until the server says (or when it does not). */
  staffed: boolean | undefined;
  /** The estimate's upper end. */
  estimatedWaitSeconds: number | null;
  /** The estimate's lower end, when the server gives one. */
  estimatedWaitMinSeconds: number | null;
  /** Nobody on shift speaks the language: a Dutch or English speaker may take over. */
  languageFallback: boolean;
  operatorName: string | undefined;
  operatorTyping: boolean;
  entries: Entry[];
  endReason: EndReason | 'lost' | undefined;
  /** What just went wrong on the start or return screen. */
  failure: Failure | undefined;
  /** With `return-throttled`: after how many seconds a code is looked at again. */
  retryAfterSeconds: number | undefined;
  /** The last message the server refused, handed back to the composer. */
  refused: Refusal | undefined;
  /** Set after the visitor ended and cleared a conversation. */
  cleared: boolean;
  /**
   * With `cleared`: the server has not confirmed the end yet (it is being finished in the
   * background), so the notice must not say the conversation is closed.
   */
  endPending: boolean;
}

const initialState = (): ChatState => ({
  phase: 'idle',
  online: true,
  urgent: false,
  returnCode: undefined,
  language: undefined,
  position: undefined,
  staffed: undefined,
  estimatedWaitSeconds: null,
  estimatedWaitMinSeconds: null,
  languageFallback: false,
  operatorName: undefined,
  operatorTyping: false,
  entries: [],
  endReason: undefined,
  failure: undefined,
  retryAfterSeconds: undefined,
  refused: undefined,
  cleared: false,
  endPending: false,
});

/** The staffing fields of an ack or `queue:position`, as state (absent fields change nothing). */
function staffingPatch(s: Partial<Staffing> & { estimatedWaitSeconds?: number | null }): Partial<ChatState> {
  const patch: Partial<ChatState> = {};
  if (s.staffed !== undefined) patch.staffed = s.staffed;
  if (s.estimatedWaitSeconds !== undefined) patch.estimatedWaitSeconds = s.estimatedWaitSeconds;
  if (s.estimatedWaitMinSeconds !== undefined) patch.estimatedWaitMinSeconds = s.estimatedWaitMinSeconds;
  else if (s.estimatedWaitSeconds !== undefined) patch.estimatedWaitMinSeconds = null;
  if (s.languageFallback !== undefined) patch.languageFallback = s.languageFallback;
  return patch;
}

/** `retryAfterSeconds` of a refusal: in the error, or at the ack's top level. */
function retryAfter(res: AckError): number | undefined {
  const seconds = res.error.retryAfterSeconds ?? (res as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}

/** 128 random bits, base64url: a `clientMessageId` (also outside secure contexts). */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export interface StartInput {
  role: VisitorRole;
  language: Language;
  urgent: boolean;
  text: string;
}

/**
 * One visitor's conversation, held only in this page's memory: the socket, the
 * messages and their delivery state. The UI renders `state` and calls the methods.
 *
 * Delivery: every visitor message has a `clientMessageId` and stays `pending` until its
 * ack. After a drop the session resumes with its (rotated) `resumeToken` and the last
 * server message it saw, re-sends what is still pending under the same ids, and only
 * then merges what it missed, so that nothing is shown twice. A message answered "not now"
 * (`unavailable`, `internal`: nothing stored) stays pending too and goes again by itself
 * (`notNowAgain`). A message is shown as not sent (with a retry) only when its ack does not
 * come on a live connection, on an error that is neither "not now" nor a refusal, or after
 * two minutes of "not now".
 */
export class ChatSession {
  state: ChatState = initialState();
  private readonly listeners = new Set<() => void>();
  private socket: VisitorSocket | undefined;
  private resumeToken: string | undefined;
  /** The last message the server pushed to us (events and `missed`), in stream order. */
  private lastMessageId: string | undefined;
  /** Ids of every message on screen. */
  private readonly knownIds = new Set<string>();
  /** `clientMessageId`s whose ack is awaited. */
  private readonly inFlight = new Set<string>();
  /**
   * Pending messages the server answered "not now" (`unavailable`, `internal`: nothing
   * stored), with when it first did. They go again with every other pending message, in
   * order and under the same ids: when `notNowRound` is due on the same connection, and in
   * any case after a resume. While it waits, newer messages wait for it, so as not to
   * overtake them.
   */
  private readonly notNow = new Map<string, number>();
  private readonly notNowRound = new RetryRound();
  /**
   * Server events that arrive before the ack of `chat:start` or of a return-code resume
   * (routing may assign an operator first); they run once the ack is in.
   */
  private early: (() => void)[] | undefined;
  /** While a resume is under way, live messages wait here so that they follow `missed`. */
  private held: Message[] | undefined;
  /**
   * True after a return-code resume until we know our place in the message stream (a live
   * message, or the ack of our own). Until then a token resume's `missed` may hold the
   * conversation from before the quick exit, so none of it is shown. (A server that puts
   * `lastMessageId` in the return-code ack makes this exact from the start.)
   */
  private placeUnknown = false;
  private typingSent = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private clearedTimer: ReturnType<typeof setTimeout> | undefined;
  private operatorTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private refusals = 0;
  /** Ends the server has not confirmed yet, finished in the background (`PendingEnd`). */
  private readonly endings = new Set<PendingEnd>();
  /** The end the notice on screen is about. */
  private ending: PendingEnd | undefined;

  /** The line every `chat:start` of this page asks for (`/chat?line=`); the first line when undefined. */
  private readonly line: string | undefined;

  private readonly sockets: SocketClientSource;

  /** How long an End made offline is finished in the background (`PendingEnd`). */
  private readonly endLaterWithinMs: number;

  /** `returnWindowMinutes`: the deployment's return window, as the page says (RETURN_WINDOW_MIN). */
  constructor(
    line: string | undefined,
    sockets: SocketClientSource,
    opts: { returnWindowMinutes?: number } = {},
  ) {
    this.line = line;
    this.sockets = sockets;
    const windowMin = Math.min(opts.returnWindowMinutes ?? DEFAULT_RETURN_WINDOW_MIN, RETURN_WINDOW_MAX_MIN);
    this.endLaterWithinMs = windowMin * 60_000 + END_LATER_MARGIN_MS;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private get live(): boolean {
    return this.state.phase === 'waiting' || this.state.phase === 'active';
  }

  /** Opens a conversation (`chat:start`). */
  start(input: StartInput): void {
    if (!this.sockets.loaded()) {
      this.set({ ...initialState(), phase: 'starting', urgent: input.urgent, language: input.language });
      this.whenLive(() => this.start(input), 'start');
      return;
    }
    const text = input.text.trim();
    this.set({
      ...initialState(),
      phase: 'starting',
      urgent: input.urgent,
      language: input.language,
      entries: text ? [this.visitorEntry('first', text, undefined)] : [],
    });
    this.early = [];
    const socket = this.connect();
    const payload = {
      role: input.role,
      language: input.language,
      urgent: input.urgent,
      ...(text ? { text } : {}),
      ...(this.line ? { line: this.line } : {}),
    };
    socket.timeout(ACK_TIMEOUT_MS).emit('chat:start', payload, (err, res) => {
      if (this.socket !== socket) return;
      if (err) {
        this.failTo('start');
        return;
      }
      if (!res.ok) {
        // The server names the cause; anything else (its event budget, a restart) is "try again".
        const { reason } = res.error;
        this.failTo(startFailure(reason));
        return;
      }
      this.resumeToken = res.resumeToken;
      this.set({
        phase: 'waiting',
        returnCode: res.returnCode,
        position: res.position,
        ...staffingPatch(res),
        entries: this.state.entries.map((e) => ({ ...e, status: 'sent' })),
      });
      this.runEarly();
    });
  }

  /**
   * Comes back after a quick exit with a return code. Nothing of before is shown.
   * `language` is the one chosen on screen (the ack does not say the conversation's).
   */
  resumeWithCode(returnCode: string, language?: Language): void {
    this.set({ ...initialState(), phase: 'starting', language });
    if (!this.sockets.loaded()) {
      this.whenLive(() => this.resumeWithCode(returnCode, language), 'return-code');
      return;
    }
    this.early = [];
    const socket = this.connect();
    this.held = [];
    askAgainOnCut<Ack<ResumeAck>>({
      ask: (answer) =>
        socket.timeout(ACK_TIMEOUT_MS).emit('chat:resume', { returnCode: returnCode.trim() }, answer),
      cut: (err, res) => err !== null || (!res.ok && res.error.code === 'unavailable'),
      current: () => this.socket === socket,
      done: (err, res) => this.redeemed(err, res),
    });
  }

  /** The answer to a return by code (after any retries). */
  private redeemed(err: Error | null, res: Ack<ResumeAck> | undefined): void {
    if (err || !res) {
      this.failTo('return-code');
      return;
    }
    if (!res.ok) {
      // Too many tries from here, or too many returns to this conversation this minute:
      // both say "wait", never "wrong code".
      if (res.error.reason === 'return_code_throttled' || res.error.reason === 'resume_limit')
        this.failTo('return-throttled', retryAfter(res));
      else this.failTo('return-code');
      return;
    }
    this.resumeToken = res.resumeToken;
    // Extension: the server may say where the stream stood, so later resumes skip the past.
    const place = (res as ResumeAck & { lastMessageId?: string }).lastMessageId;
    this.lastMessageId = place;
    this.placeUnknown = place === undefined;
    this.set({ returnCode: res.returnCode });
    this.applyResume(res, []);
    this.runEarly();
  }

  /** Sends a visitor message; false when there is nothing to send. */
  send(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed || !this.live) return false;
    const clientMessageId = randomId();
    this.set({
      entries: [...this.state.entries, this.visitorEntry(clientMessageId, trimmed, clientMessageId)],
      refused: undefined,
    });
    this.stopTyping();
    // Behind messages waiting to go again after a "not now": it goes with them, after them.
    if (!this.notNowRound.waiting) this.emitMessage(clientMessageId);
    return true;
  }

  /** Sends a failed message again, under the same `clientMessageId` (at once: the visitor asked). */
  retry(clientMessageId: string): void {
    if (this.state.entries.find((e) => e.clientMessageId === clientMessageId)?.status !== 'failed') return;
    this.update(clientMessageId, { status: 'pending' });
    this.emitMessage(clientMessageId);
  }

  /** Call on every keystroke in the composer. */
  typing(): void {
    if (!this.live || !this.state.online) return;
    if (!this.typingSent) {
      this.typingSent = true;
      this.socket?.emit('chat:typing', { typing: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typingSent) return;
    this.typingSent = false;
    if (this.state.online) this.socket?.emit('chat:typing', { typing: false });
  }

  /**
   * Ends the conversation for good and forgets it: the screen is cleared at once, whatever the
   * connection. The end itself is finished in the background (`PendingEnd`): `chat:leave` now
   * when connected, else by token once the connection is back; only the socket and the token
   * stay in memory for that, and the notice says the end is still to come until it is confirmed.
   */
  end(): void {
    const socket = this.socket;
    const token = this.resumeToken;
    const online = socket?.connected === true && this.state.online;
    let ending: PendingEnd | undefined;
    if (socket && token && this.live) {
      // The ending takes the socket over: `forget` must not close it.
      this.socket = undefined;
      ending = new PendingEnd(socket, token, this.endLaterWithinMs, (status) => {
        if (status !== 'pending') this.endings.delete(ending!);
        if (this.ending === ending && this.state.cleared) this.set({ endPending: status !== 'ended' });
      });
    }
    this.forget();
    this.ending = ending;
    this.set({ cleared: true, endPending: ending !== undefined && !online });
    this.clearedTimer = setTimeout(() => this.hideClearedNotice(), CLEARED_NOTICE_MS);
    if (ending) {
      this.endings.add(ending);
      ending.begin();
    }
  }

  /** Takes the "ended and cleared" notice off the screen (after its time, or on hiding). */
  hideClearedNotice(): void {
    clearTimeout(this.clearedTimer);
    if (this.state.cleared) this.set({ cleared: false, endPending: false });
  }

  /**
   * Quick exit: tells the server (the conversation stays resumable) and forgets everything,
   * ends still being finished in the background included.
   */
  quickExit(): void {
    for (const ending of this.endings) ending.stop();
    this.endings.clear();
    this.leave('quick-exit');
    this.forget();
  }

  /** Drops everything from memory: socket, tokens, messages. */
  forget(): void {
    this.dropSocket();
    clearTimeout(this.typingTimer);
    clearTimeout(this.operatorTypingTimer);
    clearTimeout(this.clearedTimer);
    this.resumeToken = undefined;
    this.lastMessageId = undefined;
    this.placeUnknown = false;
    this.typingSent = false;
    this.held = undefined;
    this.early = undefined;
    this.knownIds.clear();
    this.inFlight.clear();
    this.notNow.clear();
    this.set(initialState());
  }

  private leave(reason: 'quick-exit'): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    if (socket.connected && this.resumeToken && this.live) {
      // Written to the connection now; the socket closes once the server answers.
      socket.timeout(1_000).emit('chat:leave', { reason }, () => socket.disconnect());
    } else {
      socket.disconnect();
    }
  }

  private failTo(failure: Failure, retryAfterSeconds?: number): void {
    this.dropSocket();
    this.held = undefined;
    this.early = undefined;
    this.set({ ...initialState(), failure, retryAfterSeconds });
  }

  private runEarly(): void {
    const early = this.early ?? [];
    this.early = undefined;
    for (const run of early) run();
  }

  /**
   * Runs `then` once the conversation's chunk is here, unless the visitor left or started
   * over meanwhile; a chunk that cannot be fetched is the same failure as no connection.
   */
  private whenLive(then: () => void, failTo: Failure): void {
    const generation = ++this.liveWaits;
    const current = () => generation === this.liveWaits && this.state.phase === 'starting';
    this.sockets.load().then(
      () => current() && then(),
      () => current() && this.failTo(failTo),
    );
  }
  private liveWaits = 0;

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.stopNotNow();
    socket?.disconnect();
  }

  /** No more "not now" retries on this connection (a drop, or the socket is gone). */
  private stopNotNow(): void {
    this.notNowRound.stop();
  }

  /** A socket for a start or a return by code. */
  private connect(): VisitorSocket {
    this.dropSocket();
    const socket: VisitorSocket = this.sockets.loaded()!.io('/visitor', {
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      withCredentials: false,
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4_000,
    });
    this.socket = socket;
    let connectedBefore = false;
    const mine = () => this.socket === socket;
    /** Runs `handle` now, or once the start (or return) is acknowledged. */
    const onEvent =
      <A extends unknown[]>(handle: (...args: A) => void) =>
      (...args: A) => {
        if (!mine()) return;
        if (this.early) this.early.push(() => mine() && handle(...args));
        else handle(...args);
      };

    socket.on('connect', () => {
      if (!mine()) return;
      if (connectedBefore) this.resumeAfterDrop(socket);
      connectedBefore = true;
    });
    socket.on('connect_error', () => {
      // A refusal by the server (it is restarting, or Redis is out of reach) is not retried
      // by the client itself; a network error is (`socket.active`). None is for the address's
      // connection rate: past it the server admits the socket and refuses only `chat:start`
      // (`connection_limit`), so a return by token or code still gets in.
      if (!mine() || socket.active) return;
      const wanted = () => this.state.phase === 'starting' || this.live;
      setTimeout(
        () => mine() && wanted() && !socket.connected && !socket.active && socket.connect(),
        REFUSED_RETRY_MS * (1 + Math.random()),
      );
    });
    socket.on('disconnect', (reason) => {
      if (!mine() || !this.live) return;
      this.inFlight.clear();
      // What waited to go again goes after the resume, with everything else pending.
      this.stopNotNow();
      this.set({ online: false, operatorTyping: false });
      // The client does not reconnect by itself after a server-side disconnect.
      if (reason === 'io server disconnect') setTimeout(() => mine() && socket.connect(), 2_000);
    });
    socket.on(
      'queue:position',
      onEvent((update) => {
        if (this.live) this.set({ phase: 'waiting', position: update.position, ...staffingPatch(update) });
      }),
    );
    socket.on(
      'chat:assigned',
      onEvent(({ operatorName }) => {
        if (this.live) this.assigned(operatorName);
      }),
    );
    socket.on(
      'chat:message',
      onEvent((message) => {
        if (this.held) this.held.push(message);
        else this.receive([message]);
      }),
    );
    socket.on(
      'chat:typing',
      onEvent(({ typing }) => {
        clearTimeout(this.operatorTypingTimer);
        if (typing)
          this.operatorTypingTimer = setTimeout(
            () => this.set({ operatorTyping: false }),
            OPERATOR_TYPING_MS,
          );
        this.set({ operatorTyping: typing === true });
      }),
    );
    socket.on(
      'chat:ended',
      onEvent(({ reason }) => this.finish(reason)),
    );
    return socket;
  }

  private assigned(operatorName: string): void {
    const name = operatorName.trim().split(/\s+/)[0] || undefined;
    const changed = name !== this.state.operatorName || this.state.phase !== 'active';
    const refused = this.state.refused;
    this.set({
      phase: 'active',
      operatorName: name,
      // The waiting count resets on assignment: that refusal no longer holds.
      refused: refused?.reason === 'waiting-messages' ? undefined : refused,
      entries: changed
        ? [...this.state.entries, this.entry(`notice-${randomId()}`, 'notice', name ?? '', undefined)]
        : this.state.entries,
    });
  }

  private finish(reason: EndReason | 'lost'): void {
    this.dropSocket();
    clearTimeout(this.operatorTypingTimer);
    this.resumeToken = undefined;
    this.set({ phase: 'ended', endReason: reason, online: true, operatorTyping: false });
  }

  private resumeAfterDrop(socket: VisitorSocket): void {
    if (!this.resumeToken || !this.live) return;
    const payload: VisitorResume = this.lastMessageId
      ? { resumeToken: this.resumeToken, lastMessageId: this.lastMessageId }
      : { resumeToken: this.resumeToken };
    this.held = [];
    // The server-side socket this resume is asked on: a lost answer may have rotated the
    // token, and only a retry from there gets the new one. After a new connection, its own
    // resume (the 'connect' handler) takes over and this one's answers and retries are dropped.
    const connection = socket.id;
    const current = () => this.socket === socket && socket.connected && socket.id === connection;
    askAgainOnCut<Ack<ResumeAck>>({
      ask: (answer) =>
        socket.timeout(ACK_TIMEOUT_MS).emit('chat:resume', payload, (err, res) => {
          // Ended (End) while this was under way: the end goes on with the token it brought.
          if (!err && res.ok) for (const ending of this.endings) ending.handOver(socket, res.resumeToken);
          answer(err, res);
        }),
      cut: (err) => err !== null,
      current,
      done: (err, res) => {
        if (err) {
          // Still no answer: start over with a fresh connection, which resumes again.
          if (socket.connected) socket.disconnect().connect();
          return;
        }
        if (!res.ok) {
          const transient = ['rate_limited', 'unavailable', 'internal'].includes(res.error.code);
          this.held = undefined;
          if (!transient) {
            this.finish('lost');
            return;
          }
          const delay = Math.max(NOT_NOW_RETRY_MS, (retryAfter(res) ?? 0) * 1_000);
          setTimeout(() => current() && this.resumeAfterDrop(socket), delay);
          return;
        }
        this.resumeToken = res.resumeToken;
        // A new connection, likely to another instance: "not now" waits start over.
        this.stopNotNow();
        this.applyResume(res, res.missed ?? []);
      },
    });
  }

  /**
   * Re-sends what is pending, waits for those acks, then merges `missed` in one go, in the
   * server's order: a message that reached the server only now moves after what was missed.
   */
  private applyResume(res: Ack<ResumeAck> & { ok: true }, missed: Message[]): void {
    const merge = (resent: Set<string>) => {
      const live = this.held ?? [];
      this.held = undefined;
      const missedIds = new Set(missed.map((m) => m.messageId));
      const late = this.state.entries.filter(
        (e) =>
          e.clientMessageId && resent.has(e.clientMessageId) && !(e.messageId && missedIds.has(e.messageId)),
      );
      this.set({ entries: this.state.entries.filter((e) => !late.includes(e)) });
      this.receive(missed, true);
      this.set({ entries: [...this.state.entries, ...late] });
      this.receive(live);
    };
    if (res.state === 'ended') {
      merge(new Set());
      this.finish('visitor');
      return;
    }
    if (res.state === 'active') {
      this.assigned(res.operatorName ?? this.state.operatorName ?? '');
    } else {
      this.set({
        phase: 'waiting',
        position: res.position ?? this.state.position,
        ...staffingPatch(res),
      });
    }
    const pending = this.state.entries.flatMap((e) =>
      e.status === 'pending' && e.clientMessageId ? [e.clientMessageId] : [],
    );
    void Promise.all(pending.map((id) => this.emitMessage(id, true))).then(() => {
      merge(new Set(pending));
      if (!this.socket?.connected) return;
      this.set({ online: true });
      // Anything written while the resume was under way goes now, unless a resent message
      // was answered "not now": then all of it goes, in order, when that one goes again.
      if (!this.notNowRound.waiting) this.sendPending();
    });
  }

  /** Sends every pending message not in flight, in order. */
  private sendPending(): void {
    for (const e of this.state.entries) {
      if (e.status === 'pending' && e.clientMessageId && !this.inFlight.has(e.clientMessageId)) {
        this.emitMessage(e.clientMessageId);
      }
    }
  }

  /**
   * The server answered "not now" (nothing stored): the message stays pending and goes
   * again with the others after NOT_NOW_RETRY_MS, doubling to NOT_NOW_RETRY_MAX_MS (or as long
   * as the server asks), unless the connection goes first (then after the resume). Answered
   * so for NOT_NOW_GIVE_UP_MS, it is shown as not sent, with the retry button.
   */
  private notNowAgain(clientMessageId: string, res: AckError): void {
    const now = Date.now();
    const first = this.notNow.get(clientMessageId) ?? now;
    if (givenUp(first, now)) {
      this.notNow.delete(clientMessageId);
      this.update(clientMessageId, { status: 'failed' });
      return;
    }
    this.notNow.set(clientMessageId, first);
    const asked = (retryAfter(res) ?? 0) * 1_000;
    const socket = this.socket;
    this.notNowRound.schedule(asked, () => {
      if (this.socket === socket && socket?.connected && this.state.online && this.live) this.sendPending();
    });
  }

  /** Adds messages from the server that are not on screen yet. */
  private receive(messages: Message[], missed = false): void {
    const hideAll = missed && this.placeUnknown;
    if (messages.length > 0) this.placeUnknown = false;
    let entries = this.state.entries;
    for (const message of messages) {
      const { messageId, from, text } = message;
      this.lastMessageId = messageId;
      if (this.knownIds.has(messageId)) continue;
      if (hideAll) {
        this.knownIds.add(messageId);
        continue;
      }
      this.knownIds.add(messageId);
      // The optional first message of chat:start has no ack of its own: match it here.
      const first = entries.find((e) => e.key === 'first' && !e.messageId);
      if (from === 'visitor' && first && first.text === text.trim()) {
        entries = entries.map((e) => (e === first ? { ...e, messageId } : e));
        continue;
      }
      entries = [...entries, this.entry(messageId, from, text, messageId)];
    }
    if (messages.length > 0) {
      this.set({
        entries,
        operatorTyping: this.state.operatorTyping && messages.every((m) => m.from !== 'operator'),
      });
    }
  }

  /** Emits one pending message; resolves when it is acked, failed or left for a resume. */
  private emitMessage(clientMessageId: string, duringResume = false): Promise<void> {
    const socket = this.socket;
    const entry = this.state.entries.find((e) => e.clientMessageId === clientMessageId);
    if (
      !socket?.connected ||
      !entry ||
      this.inFlight.has(clientMessageId) ||
      (!this.state.online && !duringResume)
    )
      return Promise.resolve();
    this.inFlight.add(clientMessageId);
    return new Promise((resolve) => {
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit('chat:message', { clientMessageId, text: entry.text }, (err, res) => {
          resolve();
          if (this.socket !== socket) return;
          this.inFlight.delete(clientMessageId);
          if (!err && res.ok) {
            this.knownIds.add(res.messageId);
            // After a return by code, our own message is the first place we know in the stream.
            if (this.placeUnknown) {
              this.lastMessageId = res.messageId;
              this.placeUnknown = false;
            }
            this.notNow.delete(clientMessageId);
            if (this.notNow.size === 0) this.notNowRound.reset();
            this.update(clientMessageId, { status: 'sent', messageId: res.messageId });
            return;
          }
          // A drop keeps the message pending: it goes again after the resume.
          if (err && !socket.connected) return;
          // "Not now" (an instance shutting down, a Redis failover): nothing was stored, and
          // a resend under the same id is never stored twice.
          if (!err && isNotNow(res as AckError)) {
            this.notNowAgain(clientMessageId, res as AckError);
            return;
          }
          this.notNow.delete(clientMessageId);
          const reason = err ? undefined : refusalReason(res as AckError);
          if (reason) {
            this.refuse(clientMessageId, reason);
            return;
          }
          this.update(clientMessageId, { status: 'failed' });
        });
    });
  }

  /** The server did not store the message: it leaves the log, its text goes back to the composer. */
  private refuse(clientMessageId: string, reason: RefusalReason): void {
    const entry = this.state.entries.find((e) => e.clientMessageId === clientMessageId);
    if (!entry) return;
    this.refusals += 1;
    this.set({
      entries: this.state.entries.filter((e) => e !== entry),
      refused: { reason, text: entry.text, seq: this.refusals },
    });
  }

  private update(clientMessageId: string, patch: Partial<Entry>): void {
    this.set({
      entries: this.state.entries.map((e) =>
        e.clientMessageId === clientMessageId ? { ...e, ...patch } : e,
      ),
    });
  }

  private entry(key: string, from: Entry['from'], text: string, messageId: string | undefined): Entry {
    return { key, from, text, messageId, clientMessageId: undefined, status: undefined };
  }

  private visitorEntry(key: string, text: string, clientMessageId: string | undefined): Entry {
    return { key, from: 'visitor', text, messageId: undefined, clientMessageId, status: 'pending' };
  }
}

/**
 * The end of a conversation the visitor ended (End) that the server has not confirmed: it
 * holds, in memory only, the conversation's socket and resume token, and nothing else. It
 * sends `chat:leave { reason: 'ended' }` on the socket while connected (during a resume
 * under way there too: the server takes the leave after it); once the connection is back,
 * or after a leave that failed, it resumes by token (asked again on the same socket as the
 * conversation's own resumes are, `askAgainOnCut`) and then leaves. Done when a leave is
 * acknowledged or the resume finds the conversation ended; given up (token dropped, socket
 * closed) when the token opens nothing any more, once the return window is over
 * (`withinMs`), or on `stop` (quick exit). Nothing the server pushes to the socket is shown.
 */
class PendingEnd {
  private token: string | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private faults = 0;
  private done = false;
  /** Whether it asked for a resume itself (after which a token handed over would be older). */
  private resumed = false;

  private readonly socket: VisitorSocket;
  /** Given up this long after `begin`. */
  private readonly withinMs: number;
  /** Connections the server refused in a row. */
  private refused = 0;
  /**
   * Told `ended` (confirmed), `pending` (a try failed; it goes on) or `given-up` (stopped
   * without confirmation).
   */
  private readonly settled: (status: 'ended' | 'pending' | 'given-up') => void;

  constructor(
    socket: VisitorSocket,
    token: string,
    withinMs: number,
    settled: (status: 'ended' | 'pending' | 'given-up') => void,
  ) {
    this.socket = socket;
    this.token = token;
    this.withinMs = withinMs;
    this.settled = settled;
  }

  /** The new token of the conversation's own resume that was under way on `socket` at End. */
  handOver(socket: VisitorSocket, token: string): void {
    if (socket === this.socket && !this.done && !this.resumed) this.token = token;
  }

  begin(): void {
    const { socket } = this;
    this.later(() => this.finish('given-up'), this.withinMs);
    socket.on('connect', () => {
      this.refused = 0;
      this.resume();
    });
    socket.on('connect_error', () => {
      // Refused by the server: the client does not try again by itself. Doubling, so that a
      // line refusing connections for an hour is not asked every few seconds by every tab.
      if (this.done || socket.active) return;
      const wait = backoffDelay(this.refused, { firstMs: REFUSED_RETRY_MS, maxMs: REFUSED_RETRY_MAX_MS });
      this.refused += 1;
      this.later(() => !socket.connected && !socket.active && socket.connect(), wait * (1 + Math.random()));
    });
    socket.on('disconnect', (reason) => {
      if (!this.done && reason === 'io server disconnect')
        this.later(() => socket.connect(), NOT_NOW_RETRY_MS);
    });
    if (socket.connected) this.leave();
    else if (!socket.active) socket.connect();
  }

  /** Drops the token and the socket at once, with no further word (quick exit). */
  stop(): void {
    if (this.done) return;
    this.done = true;
    this.token = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.socket.disconnect();
  }

  private finish(status: 'ended' | 'given-up'): void {
    if (this.done) return;
    this.stop();
    this.settled(status);
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.done) run();
    }, ms);
    this.timers.add(timer);
  }

  /** True while `connection` is still this socket's connection and the end is not done. */
  private on(connection: string | undefined): boolean {
    return !this.done && this.socket.connected && this.socket.id === connection;
  }

  /** "Not now" again: the next try waits NOT_NOW_RETRY_MS, doubling to 30 s (or as long as the server asks). */
  private retry(connection: string | undefined, res: AckError | undefined, run: () => void): void {
    this.settled('pending');
    const delay = backoffDelay(this.faults, NOT_NOW_BACKOFF, (res ? (retryAfter(res) ?? 0) : 0) * 1_000);
    this.faults += 1;
    this.later(() => this.on(connection) && run(), delay);
  }

  private leave(): void {
    const { socket } = this;
    const connection = socket.id;
    socket.timeout(ACK_TIMEOUT_MS).emit('chat:leave', { reason: 'ended' }, (err, res) => {
      if (this.done) return;
      if (!err && res.ok) {
        this.finish('ended');
        return;
      }
      // Not ended, or not known to be: back by token, then leave again (on the next
      // connection if this one went).
      this.retry(connection, err ? undefined : (res as AckError), () => this.resume());
    });
  }

  private resume(): void {
    const { socket, token } = this;
    const connection = socket.id;
    if (!token || !this.on(connection)) return;
    this.resumed = true;
    askAgainOnCut<Ack<ResumeAck>>({
      ask: (answer) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:resume', { resumeToken: token }, answer),
      cut: (err) => err !== null,
      current: () => this.on(connection),
      done: (err, res) => {
        if (err) {
          // Still no answer: a fresh connection, which resumes again.
          socket.disconnect().connect();
          return;
        }
        if (!res.ok) {
          if (['rate_limited', 'unavailable', 'internal'].includes(res.error.code))
            this.retry(connection, res, () => this.resume());
          // The token opens nothing any more: the conversation ended, or its window closed.
          else this.finish('given-up');
          return;
        }
        this.token = res.resumeToken;
        if (res.state === 'ended') this.finish('ended');
        else this.leave();
      },
    });
  }
}

/**
 * Asks once, and asks again on the same socket while the answer is `cut` (none in time, or
 * one a retry from that socket may turn into the first attempt's outcome): after
 * SAME_SOCKET_RETRY_FIRST_MS, doubling up to SAME_SOCKET_RETRY_MAX_MS, while still within
 * SAME_SOCKET_RETRY_WITHIN_MS of the first try. `done` gets the last answer. Once `current`
 * is false (the visitor left, or the socket is no longer the one asked on) answers and
 * pending retries are dropped.
 */
function askAgainOnCut<T>(retrying: {
  ask: (answer: (err: Error | null, res: T) => void) => void;
  cut: (err: Error | null, res: T) => boolean;
  current: () => boolean;
  done: (err: Error | null, res: T) => void;
}): void {
  const { ask, cut, current, done } = retrying;
  const firstTry = Date.now();
  const attempt = (nextDelay: number): void =>
    ask((err, res) => {
      if (!current()) return;
      if (cut(err, res) && Date.now() - firstTry + nextDelay < SAME_SOCKET_RETRY_WITHIN_MS) {
        setTimeout(() => current() && attempt(Math.min(nextDelay * 2, SAME_SOCKET_RETRY_MAX_MS)), nextDelay);
        return;
      }
      done(err, res);
    });
  attempt(SAME_SOCKET_RETRY_FIRST_MS);
}

/** What the start screen shows for a refused `chat:start`, by the server's `reason`. */
export function startFailure(reason: string | undefined): Failure {
  switch (reason) {
    case 'open_limit':
    case 'start_limit':
    case 'connection_limit':
      // The same help each time: go on with a return code, or call.
      return 'open-limit';
    case 'blocked':
      return 'blocked';
    case 'line_full':
      // The chat is full for now (the server's memory guard): no chat now, call instead.
      return 'line-full';
    case 'line_closed':
      return 'line-closed';
    default:
      return 'start';
  }
}

/**
 * An answer to `chat:message` that says "not now" rather than no: the server stored nothing
 * and may well take the same message a moment later (`unavailable` while an instance shuts
 * down or Redis fails over, `internal` for a fault of its own).
 */
function isNotNow(res: AckError): boolean {
  return res.error.code === 'unavailable' || res.error.code === 'internal';
}

/**
 * A refusal that keeps the text for the visitor, by the server's `reason`; undefined for any
 * other failure (the message then shows as not sent, with a retry).
 */
export function refusalReason(res: AckError): RefusalReason | undefined {
  switch (res.error.reason) {
    case 'waiting_messages':
      return 'waiting-messages';
    case 'conversation_full':
      return 'conversation-full';
    case 'too_fast':
      return 'too-fast';
    default:
      return undefined;
  }
}
