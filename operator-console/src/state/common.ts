import type { Message, Note } from '@stille-lijn/shared';
import type { Announcement, ChatMessage, ConversationEntry, WorkspaceState } from './types.ts';

/** Helpers more than one area's reducer needs. */

export function toChatMessage(m: Message): ChatMessage {
  return {
    key: m.messageId,
    messageId: m.messageId,
    clientMessageId: undefined,
    from: m.from,
    text: m.text,
    at: m.at,
    status: 'sent',
  };
}

export function mergeNotes(primary: readonly Note[], extra: readonly Note[]): Note[] {
  const seen = new Set(primary.map((n) => n.noteId));
  return [...primary, ...extra.filter((n) => !seen.has(n.noteId))].sort((a, b) => a.at.localeCompare(b.at));
}

export function update(
  state: WorkspaceState,
  conversationId: string,
  change: (entry: ConversationEntry) => ConversationEntry,
): WorkspaceState {
  const entry = state.conversations[conversationId];
  if (!entry) return state;
  return { ...state, conversations: { ...state.conversations, [conversationId]: change(entry) } };
}

/**
 * The later of two return-code marks: the server's (`Conversation.returnCodeUsedAt`, kept
 * for every holder) and the one this console saw live (`chat:visitor-returned`), so that
 * neither an older copy of the conversation nor a missed event hides the newest use.
 */
export function newestMark(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export function announce(state: WorkspaceState, a: Announcement): WorkspaceState {
  const label = state.labels[a.conversationId];
  return { ...state, announcement: { ...a, seq: (state.announcement?.seq ?? 0) + 1, label } };
}
