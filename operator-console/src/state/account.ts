import type { OperatorStatus } from '@stille-lijn/shared';
import type { WorkspaceState } from './types.ts';

/** The operator's own standing: the connection, the status, the load. */
export type AccountAction =
  | { type: 'connection'; connection: WorkspaceState['connection'] }
  | { type: 'operator-state'; status: OperatorStatus; load?: number; capacity?: number };

export function accountReducer(state: WorkspaceState, action: AccountAction): WorkspaceState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.connection };
    case 'operator-state':
      return {
        ...state,
        status: action.status,
        load: action.load ?? state.load,
        capacity: action.capacity ?? state.capacity,
      };
  }
}
