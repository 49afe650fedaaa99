import type { Conversation, Message, Note } from '@stille-lijn/shared';
import {
  initialWorkspaceState,
  type WorkspaceAction,
  type WorkspaceState,
  workspaceReducer,
} from './workspace.ts';

/** Builders shared by the reducer tests of each area. */

export const T0 = '2025-01-01T10:00:00.000Z';
export const T1 = '2025-01-01T10:01:00.000Z';

export function conversation(id: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    conversationId: id,
    role: 'victim',
    language: 'nl',
    urgent: false,
    state: 'active',
    waitingSince: T0,
    tags: [],
    ...extra,
  };
}

export const msg = (messageId: string, from: Message['from'], text = 'hallo', at = T0): Message => ({
  messageId,
  from,
  text,
  at,
});

export function run(...actions: WorkspaceAction[]): WorkspaceState {
  return actions.reduce(workspaceReducer, initialWorkspaceState());
}

export const assign = (id: string, messages: Message[] = [], notes: Note[] = []): WorkspaceAction => ({
  type: 'assigned',
  conversation: conversation(id),
  messages,
  notes,
});
