import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api/rest.ts';

export type Polled<T> =
  | { kind: 'loading' }
  | { kind: 'ready'; data: T; at: string }
  /** The last good data stays on screen beside the failure. */
  | { kind: 'failed'; failure: ApiFailure; data: T | undefined };

/** What a fetcher answers: `ApiResult` and `FetchResult` both fit. */
export type PollResult<T> = { ok: true; data: T } | { ok: false; kind: ApiFailure };

/**
 * Loads `fetcher` on mount, every `intervalMs`, and on `refresh()`. Calls that come
 * while one is running are folded into one more run after it. A 401 ends the session.
 */
export function usePolled<T>(
  fetcher: () => Promise<PollResult<T>>,
  intervalMs: number,
  onUnauthorized: () => void,
): { state: Polled<T>; refresh(): void } {
  const [state, setState] = useState<Polled<T>>({ kind: 'loading' });
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const alive = useRef(true);
  const running = useRef(false);
  const again = useRef(false);

  const refresh = useCallback(() => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    void fetcherRef.current().then((res) => {
      running.current = false;
      if (!alive.current) return;
      if (res.ok) setState({ kind: 'ready', data: res.data, at: new Date().toISOString() });
      else if (res.kind === 'unauthorized') return unauthorized.current();
      else {
        const failure = res.kind;
        setState((prev) => ({
          kind: 'failed',
          failure,
          data: prev.kind === 'loading' ? undefined : prev.data,
        }));
      }
      if (again.current) {
        again.current = false;
        refresh();
      }
    });
  }, []);

  useEffect(() => {
    alive.current = true;
    refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [refresh, intervalMs]);

  return { state, refresh };
}
