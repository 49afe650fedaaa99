import {
  type OperatorIdentity,
  type OperatorStatus,
  type SignalCategory,
  type Transfer,
  type ViolenceKind,
  violenceKinds,
} from '@stille-lijn/shared';
import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import {
  type RiskAnswer,
  type RiskItemId,
  type RiskOverride,
  scoreRisk,
} from '@stille-lijn/shared/domain/risk';
import type { SyncResult } from '../api/ack.ts';
import { fetchMe, stillSignedIn } from '../api/http.ts';
import {
  type AcceptOutcome,
  acceptOutcome,
  type BlockOutcome,
  blockOutcome,
  type HandoverOutcome,
  handoverOutcome,
  monitorFailure,
  type ReassignOutcome,
  reassignOutcome,
  type TransferOutcome,
  transferOutcome,
} from '../api/outcomes.ts';
import { fetchConversationRecord } from '../api/shift.ts';
import {
  connectOperatorSocket,
  createOperatorApi,
  type Handover,
  type OperatorApi,
  type OperatorSocket,
  type Reassign,
} from '../api/socket.ts';
import { fetchMyConversations } from '../api/supervisor.ts';
import { newClientMessageId } from '../lib/ids.ts';
import { createTypingThrottle, type TypingThrottle } from '../lib/typing.ts';
import { readAwayForLock, readAwayPending, writeAwayForLock } from '../lock/marker.ts';
import { Outbox } from './outbox.ts';
import type { AcuteState, ConversationEntry, WorkspaceState } from './types.ts';
import { initialWorkspaceState, type WorkspaceAction, workspaceReducer } from './workspace.ts';

/** A visitor's "typing" is dropped if nothing confirms it for this long. @default 8000 */
export const VISITOR_TYPING_TIMEOUT_MS = 8000;
/** Wait before reconnecting after the server refused for another reason than the session. @default 3000 */
const RECONNECT_AFTER_REFUSAL_MS = 3000;

export type { AcceptOutcome, BlockOutcome, HandoverOutcome, ReassignOutcome, TransferOutcome };

/** How many recently ended conversations are read back after a reload. @default 20 */
const RECENT_LIMIT = 20;

export interface WorkspaceCommands {
  setStatus(status: OperatorStatus): Promise<boolean>;
  accept(conversationId: string): Promise<AcceptOutcome>;
  select(conversationId: string): void;
  setDraft(conversationId: string, text: string): void;
  send(conversationId: string, text: string): void;
  retry(conversationId: string, clientMessageId: string): void;
  typing(conversationId: string): void;
  stopTyping(conversationId: string): void;
  addNote(conversationId: string, text: string): Promise<boolean>;
  transfer(payload: Transfer): Promise<TransferOutcome>;
  end(conversationId: string): Promise<boolean>;
  /** Ends the conversation if it is open and blocks the visitor's address for a few hours. */
  block(conversationId: string): Promise<BlockOutcome>;
  /** `signal:dismiss`: marks a danger signal wrong; true once the server took it off. */
  dismissSignal(conversationId: string, category: SignalCategory): Promise<boolean>;
  close(conversationId: string): void;
  setTags(conversationId: string, tags: ViolenceKind[]): Promise<void>;
  answerRisk(conversationId: string, itemId: RiskItemId, answer: RiskAnswer | undefined): void;
  overrideRisk(conversationId: string, override: RiskOverride | undefined): void;
  saveRisk(conversationId: string): Promise<void>;
  markAcute(conversationId: string): Promise<SyncResult>;
  saveAcute(conversationId: string, details: AcuteState): Promise<void>;
  /** Supervisors: start reading along with a conversation (stops any other). */
  monitor(conversationId: string): Promise<void>;
  /** Supervisors: stop reading along. */
  unmonitor(): Promise<void>;
  /** Supervisors: move a conversation to a colleague or back to the queue. */
  reassign(payload: Reassign): Promise<ReassignOutcome>;
  /** A report status learnt over REST (submitted, fetched, retried). */
  reportStatus(status: ReportStatus): void;
  /** The supervisor has seen the alerts shown so far. */
  alertsSeen(): void;
  /** Ends the shift: every active conversation to a colleague or back to the queue, with a note. */
  handover(payload: Handover): Promise<HandoverOutcome>;
  /** On a break: asks a supervisor to talk. */
  debrief(): Promise<boolean>;
  /** The screen lock went on or off (the socket and the conversations stay either way). */
  setScreenLocked(locked: boolean): void;
  /** Signed in again (a new session cookie): reconnect on it, keeping every conversation. */
  sessionRenewed(): void;
  /**
   * Sends a request that renews the session: a password change ends the old session (its
   * socket hears `session:ended`) and sets a new cookie. That end waits for the answer;
   * when `renewed` says it succeeded, the workspace reconnects on the new session
   * (`sessionRenewed`), else the end stands and the operator signs in again.
   * @example await commands.renewSession(() => changePassword(body), (r) => r.ok)
   */
  renewSession<T>(request: () => Promise<T>, renewed: (result: T) => boolean): Promise<T>;
}

export interface WorkspaceCallbacks {
  /** The session is gone: the operator has to sign in again. */
  onUnauthorized(): void;
  /** An admin changed this account (role, languages); `operator` is it as it is now. */
  onAccountChanged(operator: OperatorIdentity): void;
}

/**
 * The operator's live workspace, in memory only: one `/operator` socket for as long as
 * the operator is signed in, its events folded into the state by the reducers, and the
 * commands the screens use. Commands are arrow properties so that screens may pass
 * them on unbound (`onChange={commands.setStatus}`).
 */
export class WorkspaceStore implements WorkspaceCommands {
  state: WorkspaceState = initialWorkspaceState();
  private readonly listeners = new Set<() => void>();
  private socket: OperatorSocket | undefined;
  private api: OperatorApi | undefined;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly throttles = new Map<string, TypingThrottle>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * A note not yet acknowledged, per conversation: adding the same text again (the
   * operator's retry after a failure) reuses its id, so a note the server did store is
   * not stored twice.
   */
  private readonly pendingNotes = new Map<string, { text: string; clientNoteId: string }>();
  /** Messages and notes on their way: sent again after "not now" (`unavailable`) until stored. */
  private readonly outbox = new Outbox(() => this.socket?.connected === true);
  /** Conversations (re)assigned on this connection: the reconcile after a reconnect must not drop them. */
  private assignedSinceConnect = new Set<string>();
  private connectedBefore = false;
  private accountChanged = false;
  /** A `renewSession` under way, and whether the old session's end came meanwhile. */
  private renewal: { ended: boolean } | undefined;
  /** An end of the session is being checked against the browser's cookie (`sessionEnded`). */
  private endChecked = false;

  private readonly operator: OperatorIdentity;
  private readonly callbacks: WorkspaceCallbacks;

  constructor(operator: OperatorIdentity, callbacks: WorkspaceCallbacks) {
    this.operator = operator;
    this.callbacks = callbacks;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an action to the state and tells the subscribers when it changed anything. */
  dispatch(action: WorkspaceAction): void {
    const next = workspaceReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Opens the socket and follows it until `close()`. */
  connect(): void {
    if (this.socket) return;
    this.closed = false;
    const socket = connectOperatorSocket();
    this.socket = socket;
    this.api = createOperatorApi(socket);
    this.listen(socket);
  }

  /** Stops everything: the socket, the timers, the typing throttles. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const t of this.typingTimers.values()) clearTimeout(t);
    this.typingTimers.clear();
    for (const t of this.throttles.values()) t.stop();
    this.throttles.clear();
    this.api = undefined;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private sessionEnded(): void {
    if (this.closed || this.endChecked) return;
    if (this.renewal) {
      // Expected: the renewal ends the old session. Its answer decides.
      this.renewal.ended = true;
      return;
    }
    // Another tab of this browser may have renewed the session (a password change): then
    // the cookie names a live one, and this workspace goes on with it.
    this.endChecked = true;
    void stillSignedIn(this.operator.id).then((live) => {
      this.endChecked = false;
      if (this.closed) return;
      if (live) return this.sessionRenewed();
      this.closed = true;
      this.socket?.disconnect();
      this.callbacks.onUnauthorized();
    });
  }

  private async afterReconnect(api: OperatorApi): Promise<void> {
    const candidates = Object.keys(this.state.conversations);
    const watched = this.state.monitor?.conversationId;
    if (watched !== undefined) {
      // Watching belongs to a socket; the new one has to ask again.
      const res = await api.monitor(watched);
      if (res.ok)
        this.dispatch({
          type: 'monitor-loaded',
          conversation: res.conversation,
          messages: res.messages,
          notes: res.notes,
        });
      else
        this.dispatch({
          type: 'monitor-failed',
          conversationId: watched,
          failure: monitorFailure(res.error.code),
        });
    }
    if (candidates.length === 0) return;
    const mine = await fetchMyConversations();
    if (this.closed) return;
    if (!mine.ok) {
      if (mine.kind === 'unauthorized') this.sessionEnded();
      return;
    }
    this.dispatch({
      type: 'reconcile',
      conversations: mine.data,
      candidates: candidates.filter((id) => !this.assignedSinceConnect.has(id)),
    });
  }

  /**
   * After sign-in or a reload: the conversations that ended in this operator's hands and
   * are still kept (`GET /api/conversations`), with their messages, so that a report can
   * still be written. Active ones come with `chat:assigned`.
   */
  private async loadRecent(): Promise<void> {
    const mine = await fetchMyConversations();
    if (this.closed || !mine.ok) return;
    const ended = mine.data
      .filter((c) => c.state === 'ended' && !this.state.conversations[c.conversationId])
      .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''))
      .slice(0, RECENT_LIMIT)
      .reverse();
    const records = await Promise.all(ended.map((c) => fetchConversationRecord(c.conversationId)));
    if (this.closed) return;
    for (const [i, c] of ended.entries()) {
      const record = records[i];
      this.dispatch({
        type: 'recent',
        conversation: record?.ok ? record.data.conversation : c,
        messages: record?.ok ? record.data.messages : [],
        notes: record?.ok ? record.data.notes : [],
      });
    }
  }

  private listen(socket: OperatorSocket): void {
    const api = this.api;
    if (!api) return;
    const dispatch = (action: WorkspaceAction) => this.dispatch(action);
    socket.on('connect', () => {
      dispatch({ type: 'connection', connection: 'online' });
      if (this.awayPending && this.state.screenLocked) this.awayForTheLock();
      this.backFromLock();
      this.assignedSinceConnect = new Set();
      if (this.connectedBefore) {
        // What the last connection could not deliver goes now, in order, under the same ids.
        this.outbox.reconnected();
        void this.afterReconnect(api);
      } else void this.loadRecent();
      this.connectedBefore = true;
    });
    socket.on('session:expiring', (p) => dispatch({ type: 'session-expiring', at: p.at }));
    socket.on('session:ended', () => this.sessionEnded());
    // An admin changed this account's role or languages: the server cuts the socket, and
    // the new connection, with the new rights, follows the identity read again here.
    socket.on('account:changed', () => {
      this.accountChanged = true;
    });
    socket.on('disconnect', (reason) => {
      dispatch({ type: 'connection', connection: 'offline' });
      if (this.closed || reason !== 'io server disconnect') return;
      // The server hung up: a revoked or idle session, a changed account, or a restart.
      // Only the first needs a new sign-in.
      void fetchMe().then((me) => {
        // Replaced by a renewed session meanwhile: this answer was about the old one.
        if (this.socket !== socket) return;
        if (me.ok === false && me.kind === 'unauthorized') return this.sessionEnded();
        // The cookie is someone else's now (a colleague signed in at this desk, in another
        // tab): this workspace must not reconnect on it and hear their conversations.
        if (me.ok && me.data.id !== this.operator.id) return this.sessionEnded();
        if (this.closed) return;
        if (me.ok && this.accountChanged) {
          this.accountChanged = false;
          const { role } = me.data;
          // Reading along belongs to supervisors; the new socket must not ask again.
          if (role !== 'supervisor' && role !== 'admin') dispatch({ type: 'monitor-close' });
          this.callbacks.onAccountChanged(me.data);
        }
        socket.connect();
      });
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'unauthorized') return this.sessionEnded();
      // Too many consoles of this session are open: said as such, and retried like any
      // refusal, so this one connects once another tab closes.
      const reason = (err as Error & { data?: { reason?: unknown } }).data?.reason;
      dispatch({ type: 'connection', connection: reason === 'too_many_consoles' ? 'too-many' : 'offline' });
      if (!socket.active && !this.closed) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => socket.connect(), RECONNECT_AFTER_REFUSAL_MS);
      }
    });

    socket.on('operator:state', (p) =>
      dispatch({
        type: 'operator-state',
        status: p.status,
        load: p.load,
        capacity: p.capacity,
        ...(p.breakUntil !== undefined ? { breakUntil: p.breakUntil } : {}),
      }),
    );
    socket.on('queue:snapshot', (p) => dispatch({ type: 'queue', waiting: p.waiting }));
    socket.on('chat:assigned', (p) => {
      this.assignedSinceConnect.add(p.conversation.conversationId);
      dispatch({ type: 'assigned', conversation: p.conversation, messages: p.messages, notes: p.notes });
    });
    socket.on('chat:unassigned', (p) =>
      dispatch({ type: 'unassigned', conversationId: p.conversationId, reason: p.reason }),
    );
    socket.on('chat:message', ({ conversationId, ...message }) => {
      dispatch({ type: 'message', conversationId, message });
    });
    socket.on('chat:note', (note) => dispatch({ type: 'note', note }));
    socket.on('chat:typing', (p) => {
      const timers = this.typingTimers;
      clearTimeout(timers.get(p.conversationId));
      timers.delete(p.conversationId);
      if (p.typing) {
        timers.set(
          p.conversationId,
          setTimeout(
            () => dispatch({ type: 'typing', conversationId: p.conversationId, typing: false }),
            VISITOR_TYPING_TIMEOUT_MS,
          ),
        );
      }
      dispatch({ type: 'typing', conversationId: p.conversationId, typing: p.typing });
    });
    socket.on('chat:visitor-left', (p) =>
      dispatch({
        type: 'visitor-left',
        conversationId: p.conversationId,
        reason: p.reason,
        at: new Date().toISOString(),
        ...(p.returnUntil !== undefined ? { returnUntil: p.returnUntil } : {}),
      }),
    );
    socket.on('chat:visitor-returned', (p) =>
      dispatch({
        type: 'visitor-returned',
        conversationId: p.conversationId,
        by: p.by,
        at: new Date().toISOString(),
      }),
    );
    socket.on('chat:updated', (p) => dispatch({ type: 'updated', conversation: p.conversation }));
    socket.on('chat:monitored', (p) =>
      dispatch({
        type: 'monitored',
        conversationId: p.conversationId,
        supervisorName: p.supervisorName,
        watching: p.watching,
      }),
    );
    socket.on('supervisor:alert', (alert) => dispatch({ type: 'alert', alert }));
    socket.on('monitor:message', ({ conversationId, ...message }) =>
      dispatch({ type: 'monitor-message', conversationId, message }),
    );
    socket.on('report:status', (status) => dispatch({ type: 'report-status', status }));
    socket.on('chat:ended', (p) =>
      dispatch({
        type: 'ended',
        conversationId: p.conversationId,
        reason: p.reason,
        at: new Date().toISOString(),
      }),
    );
  }

  private entry(id: string): ConversationEntry | undefined {
    return this.state.conversations[id];
  }

  private throttleFor(conversationId: string): TypingThrottle {
    let t = this.throttles.get(conversationId);
    if (!t) {
      t = createTypingThrottle({ emit: (typing) => this.api?.sendTyping(conversationId, typing) });
      this.throttles.set(conversationId, t);
    }
    return t;
  }

  /** Sends until a final answer: "not now" keeps it pending and sends it again (`Outbox`). */
  private async deliver(conversationId: string, clientMessageId: string, text: string): Promise<void> {
    const res = await this.outbox.send(
      clientMessageId,
      () => this.api?.sendMessage(conversationId, clientMessageId, text) ?? Promise.resolve(undefined),
    );
    if (res?.ok) {
      this.dispatch({
        type: 'message-acked',
        conversationId,
        clientMessageId,
        messageId: res.messageId,
        at: res.at,
      });
    } else {
      this.dispatch({ type: 'message-failed', conversationId, clientMessageId });
    }
  }

  private async sync(
    conversationId: string,
    what: 'tags' | 'risk' | 'acute',
    run: () => Promise<SyncResult>,
  ): Promise<SyncResult> {
    this.dispatch({ type: 'sync', conversationId, what, state: 'saving' });
    const result = await run();
    this.dispatch({ type: 'sync', conversationId, what, state: result });
    return result;
  }

  readonly setStatus = async (status: OperatorStatus): Promise<boolean> => {
    const res = await this.api?.setStatus(status);
    if (!res?.ok) return false;
    this.dispatch({ type: 'operator-state', status: res.status });
    return true;
  };

  readonly accept = async (conversationId: string): Promise<AcceptOutcome> => {
    const res = await this.api?.accept(conversationId);
    if (res?.ok) {
      this.dispatch({
        type: 'assigned',
        conversation: res.conversation,
        messages: res.messages,
        notes: [],
        select: true,
      });
      return 'ok';
    }
    return acceptOutcome(res);
  };

  readonly select = (conversationId: string): void => this.dispatch({ type: 'select', conversationId });

  readonly setDraft = (conversationId: string, text: string): void =>
    this.dispatch({ type: 'draft', conversationId, text });

  readonly send = (conversationId: string, text: string): void => {
    const trimmed = text.trim();
    if (trimmed === '' || this.entry(conversationId)?.conversation.state === 'ended') return;
    const clientMessageId = newClientMessageId();
    this.throttleFor(conversationId).stop();
    this.dispatch({
      type: 'message-pending',
      conversationId,
      clientMessageId,
      text: trimmed,
      at: new Date().toISOString(),
    });
    void this.deliver(conversationId, clientMessageId, trimmed);
  };

  readonly retry = (conversationId: string, clientMessageId: string): void => {
    const message = this.entry(conversationId)?.messages.find((m) => m.clientMessageId === clientMessageId);
    if (message?.status !== 'failed') return;
    this.dispatch({
      type: 'message-pending',
      conversationId,
      clientMessageId,
      text: message.text,
      at: message.at,
    });
    void this.deliver(conversationId, clientMessageId, message.text);
  };

  readonly typing = (conversationId: string): void => this.throttleFor(conversationId).input();

  readonly stopTyping = (conversationId: string): void => this.throttles.get(conversationId)?.stop();

  readonly addNote = async (conversationId: string, text: string): Promise<boolean> => {
    const trimmed = text.trim();
    if (trimmed === '') return false;
    const pending = this.pendingNotes.get(conversationId);
    const clientNoteId = pending?.text === trimmed ? pending.clientNoteId : newClientMessageId();
    this.pendingNotes.set(conversationId, { text: trimmed, clientNoteId });
    // "Not now" is asked again (`Outbox`): false only once the note is refused or given up.
    const res = await this.outbox.send(
      clientNoteId,
      () => this.api?.addNote(conversationId, trimmed, clientNoteId) ?? Promise.resolve(undefined),
    );
    if (!res?.ok) return false;
    if (this.pendingNotes.get(conversationId)?.clientNoteId === clientNoteId)
      this.pendingNotes.delete(conversationId);
    this.dispatch({
      type: 'note',
      note: { noteId: res.noteId, conversationId, operatorId: this.operator.id, text: trimmed, at: res.at },
    });
    return true;
  };

  readonly transfer = async (payload: Transfer): Promise<TransferOutcome> => {
    const res = await this.api?.transfer(payload);
    if (res?.ok) {
      this.dispatch({ type: 'unassigned', conversationId: payload.conversationId, reason: 'transferred' });
      return 'ok';
    }
    return transferOutcome(res);
  };

  readonly end = async (conversationId: string): Promise<boolean> => {
    const res = await this.api?.end(conversationId);
    if (!res?.ok) return false;
    this.throttles.get(conversationId)?.stop();
    this.dispatch({ type: 'ended', conversationId, reason: 'operator', at: new Date().toISOString() });
    return true;
  };

  readonly block = async (conversationId: string): Promise<BlockOutcome> => {
    const res = await this.api?.block(conversationId);
    if (res?.ok) {
      this.throttles.get(conversationId)?.stop();
      this.dispatch({ type: 'blocked', conversationId, at: new Date().toISOString() });
      return 'ok';
    }
    return blockOutcome(res);
  };

  /** `signal:dismiss`: true once the server took the signal off (the conversation follows). */
  readonly dismissSignal = async (conversationId: string, category: SignalCategory): Promise<boolean> => {
    const res = await this.api?.dismissSignal(conversationId, category);
    if (!res?.ok) return false;
    this.dispatch({ type: 'updated', conversation: res.conversation });
    return true;
  };

  readonly close = (conversationId: string): void => {
    this.throttles.get(conversationId)?.stop();
    this.throttles.delete(conversationId);
    this.dispatch({ type: 'close', conversationId });
  };

  readonly setTags = async (conversationId: string, tags: ViolenceKind[]): Promise<void> => {
    const ordered = violenceKinds.filter((k) => tags.includes(k));
    this.dispatch({ type: 'tags', conversationId, tags: ordered });
    await this.sync(
      conversationId,
      'tags',
      async () => (await this.api?.setTags(conversationId, ordered)) ?? 'failed',
    );
  };

  readonly answerRisk = (conversationId: string, itemId: RiskItemId, answer: RiskAnswer | undefined): void =>
    this.dispatch({ type: 'risk-answer', conversationId, itemId, answer });

  readonly overrideRisk = (conversationId: string, override: RiskOverride | undefined): void =>
    this.dispatch({ type: 'risk-override', conversationId, override });

  readonly saveRisk = async (conversationId: string): Promise<void> => {
    const e = this.entry(conversationId);
    if (!e) return;
    const risk = scoreRisk(e.riskAnswers, e.riskOverride);
    await this.sync(
      conversationId,
      'risk',
      async () => (await this.api?.saveRisk(conversationId, risk)) ?? 'failed',
    );
  };

  readonly markAcute = async (conversationId: string): Promise<SyncResult> => {
    this.dispatch({ type: 'acute', conversationId });
    return this.sync(
      conversationId,
      'acute',
      async () => (await this.api?.markAcuteDanger(conversationId)) ?? 'failed',
    );
  };

  readonly saveAcute = async (conversationId: string, details: AcuteState): Promise<void> => {
    this.dispatch({ type: 'acute', conversationId, details });
    const location = details.location.trim();
    await this.sync(
      conversationId,
      'acute',
      async () =>
        (await this.api?.saveAcuteDetails({
          conversationId,
          ...(location !== '' ? { location } : {}),
          ...(details.consentToCall112 !== undefined ? { consentToCall112: details.consentToCall112 } : {}),
        })) ?? 'failed',
    );
  };

  readonly monitor = async (conversationId: string): Promise<void> => {
    const current = this.state.monitor?.conversationId;
    if (current !== undefined && current !== conversationId) await this.api?.unmonitor(current);
    this.dispatch({ type: 'monitor-open', conversationId });
    const res = await this.api?.monitor(conversationId);
    if (res?.ok) {
      this.dispatch({
        type: 'monitor-loaded',
        conversation: res.conversation,
        messages: res.messages,
        notes: res.notes,
      });
    } else {
      this.dispatch({
        type: 'monitor-failed',
        conversationId,
        failure: monitorFailure(res?.error.code ?? 'unavailable'),
      });
    }
  };

  readonly unmonitor = async (): Promise<void> => {
    const current = this.state.monitor?.conversationId;
    if (current === undefined) return;
    this.dispatch({ type: 'monitor-close' });
    await this.api?.unmonitor(current);
  };

  readonly reassign = async (payload: Reassign): Promise<ReassignOutcome> => {
    return reassignOutcome(await this.api?.reassign(payload));
  };

  readonly reportStatus = (status: ReportStatus): void => this.dispatch({ type: 'report-status', status });

  readonly alertsSeen = (): void => this.dispatch({ type: 'alerts-seen' });

  readonly handover = async (payload: Handover): Promise<HandoverOutcome> => {
    return handoverOutcome(await this.api?.handover(payload));
  };

  readonly debrief = async (): Promise<boolean> => (await this.api?.debrief())?.ok === true;

  /**
   * Whether the screen lock set this operator away (available before): available again at
   * the unlock. Kept beside the lock flag too (lock/marker.ts), for a reload or a new tab.
   */
  private awayForLock = false;
  /** The lock's "away" did not go through (offline, or answered "not now"): again at the next connect. */
  private awayPending = false;

  /**
   * Nobody at a locked console: an available operator is set away while it is locked, so
   * that no new conversation is routed to an empty desk, and available again after. Any other
   * status (a break, away already) is left as it is.
   */
  readonly setScreenLocked = (locked: boolean): void => {
    this.dispatch({ type: 'screen-lock', locked });
    if (locked && this.state.status === 'available') {
      this.awayForLock = true;
      this.awayForTheLock();
    } else if (locked) {
      const id = this.operator.id;
      this.awayForLock ||= readAwayForLock() === id;
      // A page reloaded (or a new tab) while the lock's away had not gone through.
      if (!this.awayPending && readAwayPending() === id) {
        if (this.socket?.connected) this.awayForTheLock();
        else this.awayPending = true;
      }
    } else this.backFromLock();
  };

  /**
   * The lock's "away". One that does not go through is tried again at the next connect, of
   * this page or (by the mark beside the lock flag) of a reloaded one.
   */
  private awayForTheLock(): void {
    this.awayPending = false;
    writeAwayForLock(this.operator.id, true);
    void this.setStatus('away').then((ok) => {
      if (!this.state.screenLocked) return;
      if (ok) writeAwayForLock(this.operator.id, false);
      else this.awayPending = true;
    });
  }

  /** Available again after the lock, once online: the unlock renewed the session, and its socket. */
  private backFromLock(): void {
    if (this.state.screenLocked) return;
    this.awayPending = false;
    if (!this.awayForLock || !this.socket?.connected) return;
    this.awayForLock = false;
    if (this.state.status === 'away') void this.setStatus('available');
  }

  readonly sessionRenewed = (): void => {
    if (this.closed) return;
    this.dispatch({ type: 'session-renewed' });
    // The handshake reads the cookie: a new socket belongs to the new session, and nothing
    // the old one may still hear (its session's end) reaches the workspace.
    const old = this.socket;
    // A retry of the old socket, due after a refused connection, must not revive it.
    clearTimeout(this.retryTimer);
    old?.disconnect();
    old?.removeAllListeners();
    this.socket = undefined;
    this.connect();
  };

  readonly renewSession = async <T>(
    request: () => Promise<T>,
    renewed: (result: T) => boolean,
  ): Promise<T> => {
    const renewal = { ended: false };
    this.renewal = renewal;
    let ok = false;
    try {
      const result = await request();
      ok = renewed(result);
      return result;
    } finally {
      if (this.renewal === renewal) this.renewal = undefined;
      if (ok) this.sessionRenewed();
      else if (renewal.ended) this.sessionEnded();
    }
  };
}
