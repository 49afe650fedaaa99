import type { WaitingItem } from '@stille-lijn/shared';
import type { WorkspaceState } from './types.ts';

/** The waiting list as the server last sent it (`queue:snapshot`). */
export type QueueAction = { type: 'queue'; waiting: WaitingItem[] };

export function queueReducer(state: WorkspaceState, action: QueueAction): WorkspaceState {
  return { ...state, queue: [...action.waiting] };
}
