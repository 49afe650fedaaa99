import { type ConsoleStats, optionalStatKeys, type StatKey, statKeys } from '../api/http.ts';
import { useI18n } from '../i18n/index.ts';
import { formatClock, formatDuration } from '../lib/time.ts';
import type { Polled } from '../lib/usePolled.ts';

/** How often the figures refresh. @default 5000 */
export const STATS_REFRESH_MS = 5000;

interface StatsPanelProps {
  state: Polled<ConsoleStats>;
  onRefresh(): void;
}

/**
 * The live figures: a `dl` whose `dd` children carry `data-stat`, with the figure as their
 * text (the longest wait as m:ss) and the raw number in `data-value`.
 */
export function StatsPanel({ state, onRefresh }: StatsPanelProps) {
  const { t } = useI18n();
  const stats: ConsoleStats | undefined = state.kind === 'loading' ? undefined : state.data;
  const format = (key: StatKey, value: number) =>
    key === 'longestWaitSeconds' || key === 'medianWaitSecondsToday' ? formatDuration(value) : String(value);
  const signals = stats
    ? (Object.entries(stats.signalsToday) as [
        keyof typeof t.signals.categories,
        { raised: number; dismissed: number },
      ][])
    : [];
  const shown: StatKey[] = stats
    ? [...statKeys, ...optionalStatKeys.filter((k) => stats[k] !== undefined)]
    : [];

  return (
    <section class="stats panel" aria-labelledby="stats-heading">
      <h2 id="stats-heading">{t.supervisor.statsHeading}</h2>
      {state.kind === 'loading' && <p role="status">{t.app.loading}</p>}
      {state.kind === 'failed' && (
        <p class="error">
          {state.failure === 'forbidden' ? t.supervisor.forbidden : t.supervisor.unavailable}
        </p>
      )}
      {stats && (
        <dl class="stats-grid" data-sl="stats">
          {shown.map((key) => [
            <dt key={`${key}-label`}>{t.supervisor.stats[key]}</dt>,
            <dd key={key} data-stat={key} data-value={stats[key]}>
              {format(key, stats[key] ?? 0)}
            </dd>,
          ])}
        </dl>
      )}
      {stats && (
        <section class="signals-today" aria-labelledby="signals-today-heading" data-stat="signalsToday">
          <h3 id="signals-today-heading">{t.supervisor.signalsToday}</h3>
          {signals.length === 0 ? (
            <p class="muted">{t.supervisor.signalsTodayNone}</p>
          ) : (
            <ul>
              {signals.map(([category, n]) => (
                <li
                  key={category}
                  data-category={category}
                  data-raised={n.raised}
                  data-dismissed={n.dismissed}
                >
                  {t.signals.categories[category]}: {t.supervisor.signalsTodayCount(n.raised, n.dismissed)}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <p class="hint">
        {state.kind === 'ready' && t.supervisor.updatedAt(formatClock(state.at, t.locale))}{' '}
        <button type="button" class="small" onClick={onRefresh}>
          {t.supervisor.refresh}
        </button>
      </p>
    </section>
  );
}
