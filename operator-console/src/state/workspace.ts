import { type AccountAction, accountReducer } from './account.ts';
import { type ConversationAction, conversationsReducer } from './conversations.ts';
import { type QueueAction, queueReducer } from './queue.ts';
import { type ReportsAction, reportsReducer } from './reports.ts';
import { type SupervisorAction, supervisorReducer } from './supervisor.ts';
import type { WorkspaceState } from './types.ts';

export type {
  AcuteState,
  Announcement,
  AwayState,
  ChatMessage,
  ConversationEntry,
  DeliveryStatus,
  MonitorState,
  SyncState,
  WorkspaceState,
} from './types.ts';
export { initialWorkspaceState, MAX_ALERTS } from './types.ts';

export type WorkspaceAction =
  | AccountAction
  | QueueAction
  | ConversationAction
  | SupervisorAction
  | ReportsAction;

/** The workspace's one reducer: each action goes to the reducer of its area. */
export function workspaceReducer(state: WorkspaceState, action: WorkspaceAction): WorkspaceState {
  switch (action.type) {
    case 'connection':
    case 'operator-state':
    case 'session-expiring':
    case 'session-renewed':
      return accountReducer(state, action);
    case 'queue':
      return queueReducer(state, action);
    case 'alert':
    case 'alerts-seen':
    case 'monitor-open':
    case 'monitor-loaded':
    case 'monitor-failed':
    case 'monitor-message':
    case 'monitor-close':
      return supervisorReducer(state, action);
    case 'report-status':
      return reportsReducer(state, action);
    case 'visitor-returned':
      // The holder's conversation, and the one a supervisor reads along with: either, or both.
      return supervisorReducer(conversationsReducer(state, action), action);
    default:
      return conversationsReducer(state, action);
  }
}

/**
 * The conversations as the list shows them, and as Alt+1..9 counts them: the open ones,
 * then those that ended (the `ended-list`), each group in the order they came.
 */
export function visibleOrder(state: Pick<WorkspaceState, 'order' | 'conversations'>): string[] {
  const ended = (id: string) => state.conversations[id]?.conversation.state === 'ended';
  return [...state.order.filter((id) => !ended(id)), ...state.order.filter(ended)];
}

/** The conversation `offset` places away from the selected one, wrapping around. */
export function neighbourId(state: WorkspaceState, offset: number): string | undefined {
  const order = visibleOrder(state);
  if (order.length === 0) return undefined;
  const current = state.selectedId === undefined ? -1 : order.indexOf(state.selectedId);
  if (current === -1) return offset >= 0 ? order[0] : order[order.length - 1];
  const n = order.length;
  return order[(((current + offset) % n) + n) % n];
}
