import {
  type Conversation,
  type EndReason,
  type Message,
  type Note,
  type ViolenceKind,
  type VisitorLeftReason,
  type VisitorReturnedBy,
  violenceKinds,
} from '@stille-lijn/shared';
import type { RiskAnswer, RiskItemId, RiskOverride } from '@stille-lijn/shared/domain/risk';
import { announce, mergeNotes, newestMark, toChatMessage, update } from './common.ts';
import type { AcuteState, ChatMessage, ConversationEntry, SyncState, WorkspaceState } from './types.ts';

/** The operator's own conversations: assignment, messages, visitor signals, the end, and what the operator keeps about each. */
export type ConversationAction =
  | { type: 'assigned'; conversation: Conversation; messages: Message[]; notes: Note[]; select?: boolean }
  /** An ended conversation of this operator read over REST (after a reload): listed, not selected, not announced. */
  | { type: 'recent'; conversation: Conversation; messages: Message[]; notes: Note[] }
  | { type: 'unassigned'; conversationId: string; reason: 'transferred' | 'requeued' }
  | { type: 'message'; conversationId: string; message: Message }
  | { type: 'message-pending'; conversationId: string; clientMessageId: string; text: string; at: string }
  | { type: 'message-acked'; conversationId: string; clientMessageId: string; messageId: string; at: string }
  | { type: 'message-failed'; conversationId: string; clientMessageId: string }
  | { type: 'note'; note: Note }
  | { type: 'typing'; conversationId: string; typing: boolean }
  | {
      type: 'visitor-left';
      conversationId: string;
      reason: VisitorLeftReason;
      returnUntil?: string;
      at: string;
    }
  /** `by` is absent from a server older than the field: taken as a reconnect. */
  | { type: 'visitor-returned'; conversationId: string; by?: VisitorReturnedBy; at: string }
  | { type: 'ended'; conversationId: string; reason: EndReason; at: string }
  /** `chat:block` acknowledged: ends an open conversation; an ended one keeps its reason. */
  | { type: 'blocked'; conversationId: string; at: string }
  | { type: 'updated'; conversation: Conversation }
  | { type: 'monitored'; conversationId: string; supervisorName: string; watching: boolean }
  /** After a reconnect: what the server says this operator holds (`GET /api/conversations`). */
  | { type: 'reconcile'; conversations: Conversation[]; candidates: readonly string[] }
  | { type: 'select'; conversationId: string }
  /** The screen lock: while locked, the open conversation's messages count as unread too. */
  | { type: 'screen-lock'; locked: boolean }
  | { type: 'close'; conversationId: string }
  | { type: 'draft'; conversationId: string; text: string }
  | { type: 'tags'; conversationId: string; tags: ViolenceKind[] }
  | { type: 'risk-answer'; conversationId: string; itemId: RiskItemId; answer: RiskAnswer | undefined }
  | { type: 'risk-override'; conversationId: string; override: RiskOverride | undefined }
  | { type: 'acute'; conversationId: string; details?: AcuteState }
  | { type: 'sync'; conversationId: string; what: keyof ConversationEntry['sync']; state: SyncState };

function lastVisitorAt(messages: readonly ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.from === 'visitor') return m.at;
  }
  return undefined;
}

const isViolenceKind = (t: string): t is ViolenceKind => (violenceKinds as readonly string[]).includes(t);

function newEntry(
  conversation: Conversation,
  messages: Message[],
  notes: Note[],
  selected: boolean,
): ConversationEntry {
  const chat = messages.map(toChatMessage);
  return {
    conversation,
    messages: chat,
    notes: [...notes],
    unread: selected ? 0 : chat.filter((m) => m.from === 'visitor').length,
    lastVisitorMessageAt: lastVisitorAt(chat),
    visitorTyping: false,
    away: conversation.away
      ? {
          reason: conversation.away.reason,
          since: conversation.away.since,
          returnUntil: conversation.away.returnUntil,
        }
      : undefined,
    returnedAt: undefined,
    returnCodeUsedAt: conversation.returnCodeUsedAt,
    tags: conversation.tags.filter(isViolenceKind),
    riskAnswers: { ...(conversation.risk?.answers ?? {}) },
    riskOverride: conversation.risk?.override,
    acute: acuteFrom(conversation),
    draft: '',
    sync: {},
    monitoredBy: [],
    blockedAt:
      conversation.endReason === 'blocked' ? (conversation.endedAt ?? conversation.waitingSince) : undefined,
  };
}

function acuteFrom(conversation: Conversation): AcuteState | undefined {
  const a = conversation.acute;
  return a ? { location: a.location ?? '', consentToCall112: a.consentToCall112 } : undefined;
}

/**
 * A conversation assigned again (reconnect, transfer back): the server's messages win,
 * and the operator's unacknowledged ones stay at the end so they can be retried.
 */
function mergeEntry(old: ConversationEntry, conversation: Conversation, messages: Message[], notes: Note[]) {
  const fromServer = messages.map(toChatMessage);
  const known = new Set(fromServer.map((m) => m.messageId));
  const unsent = old.messages.filter((m) => m.status !== 'sent' && !(m.messageId && known.has(m.messageId)));
  const merged = [...fromServer, ...unsent];
  const serverTags = conversation.tags.filter(isViolenceKind);
  const entry: ConversationEntry = {
    ...old,
    conversation,
    messages: merged,
    notes: mergeNotes(notes, old.notes),
    lastVisitorMessageAt: lastVisitorAt(merged),
    away: conversation.away
      ? {
          reason: conversation.away.reason,
          since: conversation.away.since,
          returnUntil: conversation.away.returnUntil,
        }
      : conversation.state === 'active'
        ? undefined
        : old.away,
    tags: serverTags.length > 0 ? serverTags : old.tags,
    acute: old.acute ?? acuteFrom(conversation),
    returnCodeUsedAt: newestMark(old.returnCodeUsedAt, conversation.returnCodeUsedAt),
  };
  // Unsaved checklist answers in this tab win over the last saved ones.
  if (Object.keys(old.riskAnswers).length === 0 && conversation.risk) {
    entry.riskAnswers = { ...conversation.risk.answers };
    entry.riskOverride = conversation.risk.override;
  }
  if (entry.acute) entry.conversation = { ...entry.conversation, urgent: true };
  return entry;
}

function remove(state: WorkspaceState, conversationId: string): WorkspaceState {
  if (!state.conversations[conversationId]) return state;
  const { [conversationId]: _gone, ...conversations } = state.conversations;
  const index = state.order.indexOf(conversationId);
  const order = state.order.filter((id) => id !== conversationId);
  let selectedId = state.selectedId;
  if (selectedId === conversationId) {
    selectedId = order[Math.min(index, order.length - 1)];
  }
  const { [conversationId]: _label, ...labels } = state.labels;
  const next: WorkspaceState = { ...state, conversations, order, selectedId, labels };
  if (selectedId !== undefined && selectedId !== state.selectedId && !state.screenLocked) {
    return update(next, selectedId, (e) => ({ ...e, unread: 0 }));
  }
  return next;
}

export function conversationsReducer(state: WorkspaceState, action: ConversationAction): WorkspaceState {
  switch (action.type) {
    case 'assigned': {
      const id = action.conversation.conversationId;
      const old = state.conversations[id];
      if (old) {
        const next = update(state, id, () =>
          mergeEntry(old, action.conversation, action.messages, action.notes),
        );
        return action.select ? conversationsReducer(next, { type: 'select', conversationId: id }) : next;
      }
      const select = action.select === true || state.selectedId === undefined;
      const entry = newEntry(
        action.conversation,
        action.messages,
        action.notes,
        select && !state.screenLocked,
      );
      const next: WorkspaceState = {
        ...state,
        conversations: { ...state.conversations, [id]: entry },
        order: [...state.order, id],
        selectedId: select ? id : state.selectedId,
        labels: { ...state.labels, [id]: state.nextLabel },
        nextLabel: state.nextLabel + 1,
        queue: state.queue.filter((w) => w.conversationId !== id),
      };
      return announce(next, { kind: 'assigned', conversationId: id });
    }

    case 'recent': {
      const id = action.conversation.conversationId;
      if (state.conversations[id] || action.conversation.state !== 'ended') return state;
      const entry = newEntry(action.conversation, action.messages, action.notes, false);
      return {
        ...state,
        conversations: { ...state.conversations, [id]: { ...entry, unread: 0 } },
        order: [...state.order, id],
        labels: { ...state.labels, [id]: state.nextLabel },
        nextLabel: state.nextLabel + 1,
      };
    }

    case 'unassigned': {
      if (!state.conversations[action.conversationId]) return state;
      const announced = announce(state, {
        kind: 'unassigned',
        conversationId: action.conversationId,
        reason: action.reason,
      });
      return remove(announced, action.conversationId);
    }

    case 'message':
      return update(state, action.conversationId, (e) => {
        if (e.messages.some((m) => m.messageId === action.message.messageId)) return e;
        const fromVisitor = action.message.from === 'visitor';
        return {
          ...e,
          messages: [...e.messages, toChatMessage(action.message)],
          unread:
            fromVisitor && (state.selectedId !== action.conversationId || state.screenLocked)
              ? e.unread + 1
              : e.unread,
          lastVisitorMessageAt: fromVisitor ? action.message.at : e.lastVisitorMessageAt,
          visitorTyping: fromVisitor ? false : e.visitorTyping,
        };
      });

    case 'message-pending':
      return update(state, action.conversationId, (e) => {
        const existing = e.messages.find((m) => m.clientMessageId === action.clientMessageId);
        if (existing) {
          return {
            ...e,
            messages: e.messages.map((m) => (m === existing ? { ...m, status: 'pending' as const } : m)),
          };
        }
        const message: ChatMessage = {
          key: action.clientMessageId,
          messageId: undefined,
          clientMessageId: action.clientMessageId,
          from: 'operator',
          text: action.text,
          at: action.at,
          status: 'pending',
        };
        return { ...e, messages: [...e.messages, message] };
      });

    case 'message-acked':
      return update(state, action.conversationId, (e) => {
        // Another socket of this operator may already have delivered the same message.
        const duplicate = e.messages.some((m) => m.messageId === action.messageId);
        const messages = duplicate
          ? e.messages.filter((m) => m.clientMessageId !== action.clientMessageId)
          : e.messages.map((m) =>
              m.clientMessageId === action.clientMessageId
                ? { ...m, messageId: action.messageId, at: action.at, status: 'sent' as const }
                : m,
            );
        return { ...e, messages };
      });

    case 'message-failed':
      return update(state, action.conversationId, (e) => ({
        ...e,
        messages: e.messages.map((m) =>
          m.clientMessageId === action.clientMessageId && m.status === 'pending'
            ? { ...m, status: 'failed' as const }
            : m,
        ),
      }));

    case 'note':
      return update(state, action.note.conversationId, (e) => ({
        ...e,
        notes: mergeNotes(e.notes, [action.note]),
      }));

    case 'typing':
      return update(state, action.conversationId, (e) =>
        e.visitorTyping === action.typing ? e : { ...e, visitorTyping: action.typing },
      );

    case 'visitor-left': {
      const next = update(state, action.conversationId, (e) => ({
        ...e,
        away: { reason: action.reason, since: action.at, returnUntil: action.returnUntil },
        returnedAt: undefined,
        visitorTyping: false,
      }));
      if (next === state) return state;
      return announce(next, {
        kind: 'visitor-left',
        conversationId: action.conversationId,
        reason: action.reason,
      });
    }

    case 'visitor-returned': {
      const by = action.by ?? 'token';
      const next = update(state, action.conversationId, (e) => ({
        ...e,
        away: undefined,
        returnedAt: action.at,
        returnCodeUsedAt:
          by === 'return-code' ? newestMark(e.returnCodeUsedAt, action.at) : e.returnCodeUsedAt,
      }));
      if (next === state) return state;
      return announce(next, { kind: 'visitor-returned', conversationId: action.conversationId, by });
    }

    case 'ended': {
      const entry = state.conversations[action.conversationId];
      if (!entry || entry.conversation.state === 'ended') return state;
      const next = update(state, action.conversationId, (e) => ({
        ...e,
        conversation: { ...e.conversation, state: 'ended', endReason: action.reason, endedAt: action.at },
        visitorTyping: false,
        blockedAt: action.reason === 'blocked' ? (e.blockedAt ?? action.at) : e.blockedAt,
      }));
      return announce(next, { kind: 'ended', conversationId: action.conversationId, reason: action.reason });
    }

    case 'blocked': {
      const entry = state.conversations[action.conversationId];
      if (!entry || entry.blockedAt !== undefined) return state;
      const ended =
        entry.conversation.state === 'ended'
          ? state
          : conversationsReducer(state, {
              type: 'ended',
              conversationId: action.conversationId,
              reason: 'blocked',
              at: action.at,
            });
      const next = update(ended, action.conversationId, (e) => ({ ...e, blockedAt: action.at }));
      return announce(next, { kind: 'blocked', conversationId: action.conversationId });
    }

    case 'updated': {
      const m = state.monitor;
      const monitored =
        m?.conversationId === action.conversation.conversationId
          ? {
              ...state,
              monitor: {
                ...m,
                conversation: action.conversation,
                returnCodeUsedAt: newestMark(m.returnCodeUsedAt, action.conversation.returnCodeUsedAt),
              },
            }
          : state;
      return update(monitored, action.conversation.conversationId, (e) => {
        const c = action.conversation;
        // What the operator may be editing here (checklist, acute form, tags being saved) is kept.
        const tags = e.sync.tags === 'saving' ? e.tags : c.tags.filter(isViolenceKind);
        return {
          ...e,
          conversation: { ...c, urgent: c.urgent || e.acute !== undefined },
          tags,
          acute: e.acute ?? acuteFrom(c),
          returnCodeUsedAt: newestMark(e.returnCodeUsedAt, c.returnCodeUsedAt),
        };
      });
    }

    case 'monitored':
      // A read-along of this supervisor's that the server ended (the conversation moved out
      // of their lines): the panel says so, rather than staying open and silent.
      if (
        !action.watching &&
        state.monitor?.conversationId === action.conversationId &&
        !state.conversations[action.conversationId]
      )
        return { ...state, monitor: { ...state.monitor, status: 'failed', failure: 'forbidden' } };
      return update(state, action.conversationId, (e) => {
        const others = e.monitoredBy.filter((n) => n !== action.supervisorName);
        return { ...e, monitoredBy: action.watching ? [...others, action.supervisorName] : others };
      });

    case 'reconcile':
      return reconcile(state, action.conversations, action.candidates);

    case 'select':
      if (!state.conversations[action.conversationId]) return state;
      return update({ ...state, selectedId: action.conversationId }, action.conversationId, (e) =>
        e.unread === 0 ? e : { ...e, unread: 0 },
      );

    case 'screen-lock': {
      if (state.screenLocked === action.locked) return state;
      const next = { ...state, screenLocked: action.locked };
      // Unlocked: the open conversation is on screen again, so read.
      if (action.locked || next.selectedId === undefined) return next;
      return update(next, next.selectedId, (e) => (e.unread === 0 ? e : { ...e, unread: 0 }));
    }

    case 'close': {
      const entry = state.conversations[action.conversationId];
      if (entry?.conversation.state !== 'ended') return state;
      return remove(state, action.conversationId);
    }

    case 'draft':
      return update(state, action.conversationId, (e) => ({ ...e, draft: action.text }));

    case 'tags':
      return update(state, action.conversationId, (e) => ({
        ...e,
        tags: violenceKinds.filter((k) => action.tags.includes(k)),
      }));

    case 'risk-answer':
      return update(state, action.conversationId, (e) => {
        const riskAnswers = { ...e.riskAnswers };
        if (action.answer === undefined) delete riskAnswers[action.itemId];
        else riskAnswers[action.itemId] = action.answer;
        return { ...e, riskAnswers };
      });

    case 'risk-override':
      return update(state, action.conversationId, (e) => ({ ...e, riskOverride: action.override }));

    case 'acute':
      return update(state, action.conversationId, (e) => ({
        ...e,
        conversation: { ...e.conversation, urgent: true },
        acute: action.details ?? e.acute ?? { location: '', consentToCall112: undefined },
      }));

    case 'sync':
      return update(state, action.conversationId, (e) => ({
        ...e,
        sync: { ...e.sync, [action.what]: action.state },
      }));
  }
}
/**
 * Brings the list in line with the server after a reconnect: a conversation the server
 * no longer gives this operator (moved by a supervisor, or purged while offline) goes;
 * one that ended meanwhile is shown as ended. Only `candidates` (what was open before
 * the reconnect and has not been assigned again since) can go.
 */
function reconcile(
  state: WorkspaceState,
  conversations: readonly Conversation[],
  candidates: readonly string[],
): WorkspaceState {
  const fromServer = new Map(conversations.map((c) => [c.conversationId, c]));
  let next = state;
  // A return code redeemed while this console was offline: its event never arrived here.
  for (const c of conversations) {
    const known = next.conversations[c.conversationId]?.returnCodeUsedAt;
    const newest = newestMark(known, c.returnCodeUsedAt);
    if (newest !== known) next = update(next, c.conversationId, (e) => ({ ...e, returnCodeUsedAt: newest }));
  }
  const gone: string[] = [];
  for (const id of candidates) {
    const entry = next.conversations[id];
    if (!entry) continue;
    const server = fromServer.get(id);
    if (!server) {
      gone.push(id);
    } else if (server.state === 'ended' && entry.conversation.state !== 'ended') {
      next = conversationsReducer(next, {
        type: 'ended',
        conversationId: id,
        reason: server.endReason ?? 'timeout',
        at: server.endedAt ?? new Date().toISOString(),
      });
    }
  }
  // Last, so the status line tells of a conversation that vanished rather than one still on screen.
  for (const id of gone) next = remove(announce(next, { kind: 'gone', conversationId: id }), id);
  return next;
}
