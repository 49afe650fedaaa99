import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ConsoleStats, fetchStats } from '../api/http.ts';

/** How often the figures refresh. @default 5000 */
export const STATS_REFRESH_MS = 5000;

export type StatsState =
  | { kind: 'loading' }
  | { kind: 'ready'; stats: ConsoleStats; at: string }
  | { kind: 'forbidden' | 'unavailable'; stats: ConsoleStats | undefined };

/** Polls `GET /api/stats` while mounted; a 401 ends the session. Overlapping refreshes fold into one more. */
export function useStats(onUnauthorized: () => void): { state: StatsState; refresh(): void } {
  const [state, setState] = useState<StatsState>({ kind: 'loading' });
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;
  const alive = useRef(true);
  const running = useRef(false);
  const again = useRef(false);

  const refresh = useCallback(() => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    void fetchStats().then((res) => {
      running.current = false;
      if (!alive.current) return;
      if (res.ok) setState({ kind: 'ready', stats: res.data, at: new Date().toISOString() });
      else if (res.kind === 'unauthorized') return unauthorized.current();
      else {
        const kind = res.kind;
        setState((prev) => ({ kind, stats: prev.kind === 'loading' ? undefined : prev.stats }));
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
    const timer = setInterval(refresh, STATS_REFRESH_MS);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [refresh]);

  return { state, refresh };
}
