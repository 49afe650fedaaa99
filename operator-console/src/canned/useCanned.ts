import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fetchCanned } from '../api/http.ts';
import { type CannedResponse, defaultCannedResponses } from './catalogue.ts';

export interface CannedList {
  /** The live canned responses, with the built-in defaults until (or unless) the server answers. */
  list: readonly CannedResponse[];
  /** Whether `list` is the server's (false while it shows the built-in defaults). */
  fromServer: boolean;
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

/** The canned responses: loaded at sign-in, every few minutes, and at once after an edit here. */
export function useCanned(): CannedList {
  const [state, setState] = useState<{ list: readonly CannedResponse[]; fromServer: boolean }>({
    list: defaultCannedResponses,
    fromServer: false,
  });
  const alive = useRef(true);

  const reload = useCallback(async () => {
    const res = await fetchCanned();
    if (alive.current && res.ok && res.data.length > 0) setState({ list: res.data, fromServer: true });
  }, []);
  const replace = useCallback((list: readonly CannedResponse[]) => setState({ list, fromServer: true }), []);

  useEffect(() => {
    alive.current = true;
    void reload();
    const timer = setInterval(() => void reload(), CANNED_REFRESH_MS);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [reload]);

  return { list: state.list, fromServer: state.fromServer, reload, replace };
}
