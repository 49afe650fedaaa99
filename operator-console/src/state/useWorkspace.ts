import {
  type ErrorCode,
  type OperatorIdentity,
  type OperatorStatus,
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
import { useEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import type { SyncResult } from '../api/ack.ts';
import { fetchMe } from '../api/http.ts';
import {
  type AcceptOutcome,
  acceptOutcome,
  type BlockOutcome,
  blockOutcome,
  type ReassignOutcome,
  reassignOutcome,
  type TransferOutcome,
  transferOutcome,
} from '../api/outcomes.ts';
import {
  connectOperatorSocket,
  createOperatorApi,
  type OperatorApi,
  type OperatorSocket,
  type Reassign,
} from '../api/socket.ts';
import { fetchMyConversations } from '../api/supervisor.ts';
import { newClientMessageId } from '../lib/ids.ts';
import { createTypingThrottle, type TypingThrottle } from '../lib/typing.ts';
import {
  type AcuteState,
  type ConversationEntry,
  initialWorkspaceState,
  type WorkspaceState,
  workspaceReducer,
} from './workspace.ts';

/** A visitor's "typing" is dropped if nothing confirms it for this long. @default 8000 */
export const VISITOR_TYPING_TIMEOUT_MS = 8000;
/** Wait before reconnecting after the server refused for another reason than the session. @default 3000 */
const RECONNECT_AFTER_REFUSAL_MS = 3000;

export type { AcceptOutcome, BlockOutcome, ReassignOutcome, TransferOutcome };

function monitorFailure(code: ErrorCode): 'not-found' | 'forbidden' | 'failed' {
  return code === 'not_found' ? 'not-found' : code === 'forbidden' ? 'forbidden' : 'failed';
}

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
}

export interface Workspace {
  state: WorkspaceState;
  commands: WorkspaceCommands;
}

/**
 * The operator's live workspace: one `/operator` socket for as long as the operator is
 * signed in, its events folded into the workspace state, and the commands the screens use.
 */
export function useWorkspace(
  operator: OperatorIdentity,
  onUnauthorized: () => void,
  onAccountChanged: (operator: OperatorIdentity) => void = () => {},
): Workspace {
  const [state, dispatch] = useReducer(workspaceReducer, undefined, initialWorkspaceState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const apiRef = useRef<OperatorApi | undefined>(undefined);
  const unauthorizedRef = useRef(onUnauthorized);
  unauthorizedRef.current = onUnauthorized;
  const accountChangedRef = useRef(onAccountChanged);
  accountChangedRef.current = onAccountChanged;
  const throttles = useRef(new Map<string, TypingThrottle>());
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const socket: OperatorSocket = connectOperatorSocket();
    const api = createOperatorApi(socket);
    apiRef.current = api;
    let closed = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const sessionEnded = () => {
      if (closed) return;
      closed = true;
      socket.disconnect();
      unauthorizedRef.current();
    };

    // Conversations (re)assigned on this connection: the reconcile below must not drop them.
    let assignedSinceConnect = new Set<string>();
    let connectedBefore = false;
    const afterReconnect = async () => {
      const candidates = Object.keys(stateRef.current.conversations);
      const watched = stateRef.current.monitor?.conversationId;
      if (watched !== undefined) {
        // Watching belongs to a socket; the new one has to ask again.
        const res = await api.monitor(watched);
        if (res.ok)
          dispatch({
            type: 'monitor-loaded',
            conversation: res.conversation,
            messages: res.messages,
            notes: res.notes,
          });
        else
          dispatch({
            type: 'monitor-failed',
            conversationId: watched,
            failure: monitorFailure(res.error.code),
          });
      }
      if (candidates.length === 0) return;
      const mine = await fetchMyConversations();
      if (closed) return;
      if (!mine.ok) {
        if (mine.kind === 'unauthorized') sessionEnded();
        return;
      }
      dispatch({
        type: 'reconcile',
        conversations: mine.data,
        candidates: candidates.filter((id) => !assignedSinceConnect.has(id)),
      });
    };
    socket.on('connect', () => {
      dispatch({ type: 'connection', connection: 'online' });
      assignedSinceConnect = new Set();
      if (connectedBefore) void afterReconnect();
      connectedBefore = true;
    });
    socket.on('session:ended', sessionEnded);
    // An admin changed this account's role or languages: the server cuts the socket, and
    // the new connection, with the new rights, follows the identity read again here.
    let accountChanged = false;
    socket.on('account:changed', () => {
      accountChanged = true;
    });
    socket.on('disconnect', (reason) => {
      dispatch({ type: 'connection', connection: 'offline' });
      if (closed || reason !== 'io server disconnect') return;
      // The server hung up: a revoked or idle session, a changed account, or a restart.
      // Only the first needs a new sign-in.
      void fetchMe().then((me) => {
        if (me.ok === false && me.kind === 'unauthorized') return sessionEnded();
        if (closed) return;
        if (me.ok && accountChanged) {
          accountChanged = false;
          const { role } = me.data;
          // Reading along belongs to supervisors; the new socket must not ask again.
          if (role !== 'supervisor' && role !== 'admin') dispatch({ type: 'monitor-close' });
          accountChangedRef.current(me.data);
        }
        socket.connect();
      });
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'unauthorized') return sessionEnded();
      dispatch({ type: 'connection', connection: 'offline' });
      if (!socket.active && !closed) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => socket.connect(), RECONNECT_AFTER_REFUSAL_MS);
      }
    });

    socket.on('operator:state', (p) =>
      dispatch({ type: 'operator-state', status: p.status, load: p.load, capacity: p.capacity }),
    );
    socket.on('queue:snapshot', (p) => dispatch({ type: 'queue', waiting: p.waiting }));
    socket.on('chat:assigned', (p) => {
      assignedSinceConnect.add(p.conversation.conversationId);
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
      const timers = typingTimers.current;
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
      dispatch({ type: 'visitor-returned', conversationId: p.conversationId, at: new Date().toISOString() }),
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

    const timers = typingTimers.current;
    const typingThrottles = throttles.current;
    return () => {
      closed = true;
      clearTimeout(retryTimer);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const t of typingThrottles.values()) t.stop();
      typingThrottles.clear();
      apiRef.current = undefined;
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  const commands = useMemo<WorkspaceCommands>(() => {
    const api = (): OperatorApi | undefined => apiRef.current;
    const entry = (id: string): ConversationEntry | undefined => stateRef.current.conversations[id];

    const throttleFor = (conversationId: string): TypingThrottle => {
      let t = throttles.current.get(conversationId);
      if (!t) {
        t = createTypingThrottle({ emit: (typing) => api()?.sendTyping(conversationId, typing) });
        throttles.current.set(conversationId, t);
      }
      return t;
    };

    const deliver = async (conversationId: string, clientMessageId: string, text: string) => {
      const res = await (api()?.sendMessage(conversationId, clientMessageId, text) ??
        Promise.resolve(undefined));
      if (res?.ok) {
        dispatch({
          type: 'message-acked',
          conversationId,
          clientMessageId,
          messageId: res.messageId,
          at: res.at,
        });
      } else {
        dispatch({ type: 'message-failed', conversationId, clientMessageId });
      }
    };

    const sync = async (
      conversationId: string,
      what: 'tags' | 'risk' | 'acute',
      run: () => Promise<SyncResult>,
    ) => {
      dispatch({ type: 'sync', conversationId, what, state: 'saving' });
      const result = await run();
      dispatch({ type: 'sync', conversationId, what, state: result });
      return result;
    };

    return {
      async setStatus(status) {
        const res = await api()?.setStatus(status);
        if (!res?.ok) return false;
        dispatch({ type: 'operator-state', status: res.status });
        return true;
      },
      async accept(conversationId) {
        const res = await api()?.accept(conversationId);
        if (res?.ok) {
          dispatch({
            type: 'assigned',
            conversation: res.conversation,
            messages: res.messages,
            notes: [],
            select: true,
          });
          return 'ok';
        }
        return acceptOutcome(res);
      },
      select: (conversationId) => dispatch({ type: 'select', conversationId }),
      setDraft: (conversationId, text) => dispatch({ type: 'draft', conversationId, text }),
      send(conversationId, text) {
        const trimmed = text.trim();
        if (trimmed === '' || entry(conversationId)?.conversation.state === 'ended') return;
        const clientMessageId = newClientMessageId();
        throttleFor(conversationId).stop();
        dispatch({
          type: 'message-pending',
          conversationId,
          clientMessageId,
          text: trimmed,
          at: new Date().toISOString(),
        });
        void deliver(conversationId, clientMessageId, trimmed);
      },
      retry(conversationId, clientMessageId) {
        const message = entry(conversationId)?.messages.find((m) => m.clientMessageId === clientMessageId);
        if (message?.status !== 'failed') return;
        dispatch({
          type: 'message-pending',
          conversationId,
          clientMessageId,
          text: message.text,
          at: message.at,
        });
        void deliver(conversationId, clientMessageId, message.text);
      },
      typing: (conversationId) => throttleFor(conversationId).input(),
      stopTyping: (conversationId) => throttles.current.get(conversationId)?.stop(),
      async addNote(conversationId, text) {
        const trimmed = text.trim();
        if (trimmed === '') return false;
        const res = await api()?.addNote(conversationId, trimmed);
        if (!res?.ok) return false;
        dispatch({
          type: 'note',
          note: { noteId: res.noteId, conversationId, operatorId: operator.id, text: trimmed, at: res.at },
        });
        return true;
      },
      async transfer(payload) {
        const res = await api()?.transfer(payload);
        if (res?.ok) {
          dispatch({ type: 'unassigned', conversationId: payload.conversationId, reason: 'transferred' });
          return 'ok';
        }
        return transferOutcome(res);
      },
      async end(conversationId) {
        const res = await api()?.end(conversationId);
        if (!res?.ok) return false;
        throttles.current.get(conversationId)?.stop();
        dispatch({ type: 'ended', conversationId, reason: 'operator', at: new Date().toISOString() });
        return true;
      },
      async block(conversationId) {
        const res = await api()?.block(conversationId);
        if (res?.ok) {
          throttles.current.get(conversationId)?.stop();
          dispatch({ type: 'blocked', conversationId, at: new Date().toISOString() });
          return 'ok';
        }
        return blockOutcome(res);
      },
      close: (conversationId) => {
        throttles.current.get(conversationId)?.stop();
        throttles.current.delete(conversationId);
        dispatch({ type: 'close', conversationId });
      },
      async setTags(conversationId, tags) {
        const ordered = violenceKinds.filter((k) => tags.includes(k));
        dispatch({ type: 'tags', conversationId, tags: ordered });
        await sync(
          conversationId,
          'tags',
          async () => (await api()?.setTags(conversationId, ordered)) ?? 'failed',
        );
      },
      answerRisk: (conversationId, itemId, answer) =>
        dispatch({ type: 'risk-answer', conversationId, itemId, answer }),
      overrideRisk: (conversationId, override) =>
        dispatch({ type: 'risk-override', conversationId, override }),
      async saveRisk(conversationId) {
        const e = entry(conversationId);
        if (!e) return;
        const risk = scoreRisk(e.riskAnswers, e.riskOverride);
        await sync(
          conversationId,
          'risk',
          async () => (await api()?.saveRisk(conversationId, risk)) ?? 'failed',
        );
      },
      async markAcute(conversationId) {
        dispatch({ type: 'acute', conversationId });
        return sync(
          conversationId,
          'acute',
          async () => (await api()?.markAcuteDanger(conversationId)) ?? 'failed',
        );
      },
      async saveAcute(conversationId, details) {
        dispatch({ type: 'acute', conversationId, details });
        const location = details.location.trim();
        await sync(
          conversationId,
          'acute',
          async () =>
            (await api()?.saveAcuteDetails({
              conversationId,
              ...(location !== '' ? { location } : {}),
              ...(details.consentToCall112 !== undefined
                ? { consentToCall112: details.consentToCall112 }
                : {}),
            })) ?? 'failed',
        );
      },
      async monitor(conversationId) {
        const current = stateRef.current.monitor?.conversationId;
        if (current !== undefined && current !== conversationId) await api()?.unmonitor(current);
        dispatch({ type: 'monitor-open', conversationId });
        const res = await api()?.monitor(conversationId);
        if (res?.ok) {
          dispatch({
            type: 'monitor-loaded',
            conversation: res.conversation,
            messages: res.messages,
            notes: res.notes,
          });
        } else {
          dispatch({
            type: 'monitor-failed',
            conversationId,
            failure: monitorFailure(res?.error.code ?? 'unavailable'),
          });
        }
      },
      async unmonitor() {
        const current = stateRef.current.monitor?.conversationId;
        if (current === undefined) return;
        dispatch({ type: 'monitor-close' });
        await api()?.unmonitor(current);
      },
      async reassign(payload) {
        const res = await api()?.reassign(payload);
        return reassignOutcome(res);
      },
      reportStatus: (status) => dispatch({ type: 'report-status', status }),
      alertsSeen: () => dispatch({ type: 'alerts-seen' }),
    };
  }, [operator.id]);

  return { state, commands };
}
