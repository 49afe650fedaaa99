import type { OperatorStatus } from '@stille-lijn/shared';
import type { WorkspaceState } from './types.ts';

/** The operator's own standing: the connection, the status and break, the load, the session. */
export type AccountAction =
  | { type: 'connection'; connection: WorkspaceState['connection'] }
  | { type: 'operator-state'; status: OperatorStatus; load?: number; capacity?: number; breakUntil?: string }
  | { type: 'session-expiring'; at: string }
  /** Signed in again: the new session has its own limit, warned about when it comes. */
  | { type: 'session-renewed' };

export function accountReducer(state: WorkspaceState, action: AccountAction): WorkspaceState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.connection };
    case 'operator-state':
      return {
        ...state,
        status: action.status,
        // A break without an end (chosen by hand) has none to show.
        breakUntil: action.status === 'break' ? action.breakUntil : undefined,
        load: action.load ?? state.load,
        capacity: action.capacity ?? state.capacity,
      };
    case 'session-expiring':
      return state.sessionExpiresAt === action.at ? state : { ...state, sessionExpiresAt: action.at };
    case 'session-renewed':
      return state.sessionExpiresAt === undefined ? state : { ...state, sessionExpiresAt: undefined };
  }
}
