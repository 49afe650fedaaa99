import type { OperatorIdentity } from '@stille-lijn/shared';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { WorkspaceState } from './types.ts';
import { type WorkspaceCommands, WorkspaceStore } from './WorkspaceStore.ts';

export type {
  AcceptOutcome,
  BlockOutcome,
  ReassignOutcome,
  TransferOutcome,
  WorkspaceCommands,
} from './WorkspaceStore.ts';

export interface Workspace {
  state: WorkspaceState;
  commands: WorkspaceCommands;
}

/**
 * The operator's live workspace for as long as the component is mounted: a
 * `WorkspaceStore` connected on mount, closed on unmount, re-rendering on every change.
 */
export function useWorkspace(
  operator: OperatorIdentity,
  onUnauthorized: () => void,
  onAccountChanged: (operator: OperatorIdentity) => void = () => {},
): Workspace {
  const callbacks = useRef({ onUnauthorized, onAccountChanged });
  callbacks.current = { onUnauthorized, onAccountChanged };
  const [store] = useState(
    () =>
      new WorkspaceStore(operator, {
        onUnauthorized: () => callbacks.current.onUnauthorized(),
        onAccountChanged: (next) => callbacks.current.onAccountChanged(next),
      }),
  );
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const unsubscribe = store.subscribe(() => rerender(undefined));
    store.connect();
    return () => {
      unsubscribe();
      store.dispose();
    };
  }, [store]);
  return { state: store.state, commands: store };
}
