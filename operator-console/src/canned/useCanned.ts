import { cannedListResponseSchema } from '@stille-lijn/shared/rest';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { apiRequest } from '../api/rest.ts';
import { type CannedResponse, defaultCannedResponses } from './catalogue.ts';

export interface CannedList {
  /** The live canned responses, with the built-in defaults until (or unless) the server answers. */
  list: readonly CannedResponse[];
  /** Whether `list` is the server's (false while it shows the built-in defaults). */
  fromServer: boolean;
  /**
   * Whether the server lets this account change the list (an admin, or a supervisor of every
   * line): only the server knows the deployment's lines. False until it has said so.
   */
  editable: boolean;
  /** Loads the list again from the server. */
  reload(): Promise<void>;
  /** Takes the list a save or delete answered with, so the composer's `/` picker uses it at once. */
  replace(list: readonly CannedResponse[]): void;
}

/**
 * How often the list is loaded again, so a supervisor's edits reach every console without
 * a push event for them. @default 300000 (5 minutes)
 */
export const CANNED_REFRESH_MS = 5 * 60_000;

interface CannedState {
  list: readonly CannedResponse[];
  fromServer: boolean;
  editable: boolean;
}

/** The canned responses: loaded at sign-in, every few minutes, and at once after an edit here. */
export function useCanned(): CannedList {
  const [state, setState] = useState<CannedState>({
    list: defaultCannedResponses,
    fromServer: false,
    editable: false,
  });
  const alive = useRef(true);
  /** Counts the lists taken from a save or delete: a load sent before one is older than it. */
  const replaced = useRef(0);

  const reload = useCallback(async () => {
    const before = replaced.current;
    const res = await apiRequest('/api/canned', { schema: cannedListResponseSchema });
    if (alive.current && before === replaced.current && res.ok && res.data.canned.length > 0)
      setState({ list: res.data.canned, fromServer: true, editable: res.data.editable === true });
  }, []);
  // Only an account allowed to change the list gets one back from a save or delete.
  const replace = useCallback((list: readonly CannedResponse[]) => {
    replaced.current += 1;
    setState((s) => ({ ...s, list, fromServer: true }));
  }, []);

  useEffect(() => {
    alive.current = true;
    void reload();
    const timer = setInterval(() => void reload(), CANNED_REFRESH_MS);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [reload]);

  return { list: state.list, fromServer: state.fromServer, editable: state.editable, reload, replace };
}
