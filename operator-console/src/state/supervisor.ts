import type { Conversation, Message, Note, SupervisorAlert } from '@stille-lijn/shared';
import { announce, mergeNotes, newestMark, toChatMessage } from './common.ts';
import type { ConversationAction } from './conversations.ts';
import { MAX_ALERTS, type MonitorState, type WorkspaceState } from './types.ts';

/** What supervisors see beyond their own conversations: alerts, and reading along. */
export type SupervisorAction =
  | { type: 'alert'; alert: SupervisorAlert }
  | { type: 'alerts-seen' }
  | { type: 'monitor-open'; conversationId: string }
  | { type: 'monitor-loaded'; conversation: Conversation; messages: Message[]; notes: Note[] }
  | { type: 'monitor-failed'; conversationId: string; failure: NonNullable<MonitorState['failure']> }
  | { type: 'monitor-message'; conversationId: string; message: Message }
  | { type: 'monitor-close' }
  /** Also the holder's (`ConversationAction`): a supervisor reading along hears it too. */
  | Extract<ConversationAction, { type: 'visitor-returned' }>;

export function supervisorReducer(state: WorkspaceState, action: SupervisorAction): WorkspaceState {
  switch (action.type) {
    case 'alert': {
      const alerts = [action.alert, ...state.alerts].slice(0, MAX_ALERTS);
      const next = { ...state, alerts, alertsUnseen: Math.min(state.alertsUnseen + 1, MAX_ALERTS) };
      // Acute danger is read out at once by the assertive alert region; the rest politely here.
      if (action.alert.kind === 'acute-danger') return next;
      return announce(next, {
        kind: 'supervisor-alert',
        conversationId: action.alert.conversationId ?? '',
        alert: action.alert,
      });
    }

    case 'alerts-seen':
      return state.alertsUnseen === 0 ? state : { ...state, alertsUnseen: 0 };

    case 'monitor-open':
      return {
        ...state,
        monitor: {
          conversationId: action.conversationId,
          status: 'loading',
          failure: undefined,
          conversation: undefined,
          messages: [],
          notes: [],
          returnCodeUsedAt: undefined,
        },
      };

    case 'monitor-loaded': {
      const m = state.monitor;
      if (m?.conversationId !== action.conversation.conversationId) return state;
      // Messages streamed in while the view loaded (or before a reconnect) are kept.
      const fromServer = action.messages.map(toChatMessage);
      const known = new Set(fromServer.map((x) => x.messageId));
      const streamed = m.messages.filter((x) => !known.has(x.messageId));
      const messages = [...fromServer, ...streamed].sort((a, b) => a.at.localeCompare(b.at));
      return {
        ...state,
        monitor: {
          ...m,
          status: 'ready',
          failure: undefined,
          conversation: action.conversation,
          messages,
          notes: mergeNotes(action.notes, []),
          // A return heard while the view loaded is kept.
          returnCodeUsedAt: newestMark(m.returnCodeUsedAt, action.conversation.returnCodeUsedAt),
        },
      };
    }

    case 'monitor-failed':
      if (state.monitor?.conversationId !== action.conversationId) return state;
      return { ...state, monitor: { ...state.monitor, status: 'failed', failure: action.failure } };

    case 'monitor-message': {
      const m = state.monitor;
      if (m?.conversationId !== action.conversationId) return state;
      if (m.messages.some((x) => x.messageId === action.message.messageId)) return state;
      return { ...state, monitor: { ...m, messages: [...m.messages, toChatMessage(action.message)] } };
    }

    case 'monitor-close':
      return state.monitor === undefined ? state : { ...state, monitor: undefined };

    case 'visitor-returned': {
      // Only a return by code warns: a token is her own client reconnecting.
      const m = state.monitor;
      if (m?.conversationId !== action.conversationId || action.by !== 'return-code') return state;
      return { ...state, monitor: { ...m, returnCodeUsedAt: newestMark(m.returnCodeUsedAt, action.at) } };
    }
  }
}
