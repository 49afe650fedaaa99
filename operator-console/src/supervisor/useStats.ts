import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ConsoleStats, fetchStats } from '../api/http.ts';

/** How often the figures refresh. @default 5000 */
export const STATS_REFRESH_MS = 5000;

export type StatsState =
  | { kind: 'loading' }
  | { kind: 'ready'; stats: ConsoleStats; at: string }
  | { kind: 'forbidden' | 'unavailable'; stats: ConsoleStats | undefined };

/** Polls `GET /api/stats` while mounted; a 401 ends the session. */
export function useStats(onUnauthorized: () => void): { state: StatsState; refresh(): void } {
  const [state, setState] = useState<StatsState>({ kind: 'loading' });
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;
  const alive = useRef(true);

  const refresh = useCallback(() => {
    void fetchStats().then((res) => {
      if (!alive.current) return;
      if (res.ok) return setState({ kind: 'ready', stats: res.data, at: new Date().toISOString() });
      const kind = res.kind;
      if (kind === 'unauthorized') return unauthorized.current();
      setState((prev) => ({ kind, stats: prev.kind === 'loading' ? undefined : prev.stats }));
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
