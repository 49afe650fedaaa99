import { useEffect, useState } from 'preact/hooks';
import { type DailyFigures, fetchDaily, fetchDailyCsv, fetchLines, type StaffLine } from '../api/figures.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { formatDuration } from '../lib/time.ts';
import { usePolled } from '../lib/usePolled.ts';

/** Daily figures change slowly: a refresh a minute is plenty. @default 60000 */
export const DAILY_REFRESH_MS = 60_000;

type Series = { key: keyof DailyFigures; dash: string };
const COUNT_SERIES: readonly Series[] = [
  { key: 'started', dash: '' },
  { key: 'answered', dash: '6 3' },
  { key: 'abandoned', dash: '2 3' },
];
const WAIT_SERIES: readonly Series[] = [
  { key: 'medianWaitSeconds', dash: '' },
  { key: 'p90WaitSeconds', dash: '6 3' },
];

const W = 600;
const H = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/** A round ceiling for the y axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** The points of one series in the chart's coordinates. */
export function seriesPoints(values: readonly number[], top: number): string {
  const n = values.length;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  return values
    .map((v, i) => {
      const x = PAD.left + (n <= 1 ? innerW / 2 : (i * innerW) / (n - 1));
      const y = PAD.top + innerH - (Math.min(v, top) / top) * innerH;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

interface ChartProps {
  id: string;
  title: string;
  desc: string;
  days: readonly DailyFigures[];
  series: readonly Series[];
  label(key: keyof DailyFigures): string;
  format(v: number): string;
  dateLabel(date: string): string;
}

/** One inline SVG line chart with its title, a description that says the numbers, and a legend. */
function LineChart({ id, title, desc, days, series, label, format, dateLabel }: ChartProps) {
  const max = Math.max(0, ...days.flatMap((d) => series.map((s) => Number(d[s.key]))));
  const top = niceMax(max);
  const innerH = H - PAD.top - PAD.bottom;
  const ticks = [0, top / 2, top];
  const xs = days.length > 0 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [];
  const innerW = W - PAD.left - PAD.right;
  const xOf = (i: number) => PAD.left + (days.length <= 1 ? innerW / 2 : (i * innerW) / (days.length - 1));
  return (
    <figure class="daily-figure">
      <svg
        class="daily-svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        data-chart={id}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {ticks.map((v) => {
          const y = PAD.top + innerH - (v / top) * innerH;
          return (
            <g key={v} class="daily-grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
              <text x={PAD.left - 6} y={y + 4} text-anchor="end">
                {format(v)}
              </text>
            </g>
          );
        })}
        {[...new Set(xs)].map((i) => (
          <text key={i} class="daily-axis" x={xOf(i)} y={H - 8} text-anchor="middle">
            {dateLabel(days[i]!.date)}
          </text>
        ))}
        {series.map((s) => (
          <polyline
            key={s.key}
            class={`daily-line daily-${s.key}`}
            data-series={s.key}
            data-points={days.length}
            stroke-dasharray={s.dash || undefined}
            points={seriesPoints(
              days.map((d) => Number(d[s.key])),
              top,
            )}
          />
        ))}
      </svg>
      <figcaption>
        <ul class="daily-legend">
          {series.map((s) => (
            <li key={s.key}>
              <svg width="28" height="10" aria-hidden="true" class="daily-key">
                <line
                  class={`daily-line daily-${s.key}`}
                  x1="0"
                  x2="28"
                  y1="5"
                  y2="5"
                  stroke-dasharray={s.dash || undefined}
                />
              </svg>
              {label(s.key)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

interface DailyChartProps {
  onUnauthorized(): void;
}

/**
 * Supervisors: the last 30 Amsterdam days of their lines, drawn as inline SVG from
 * `GET /api/stats/daily` (no chart library): started, answered and abandoned, and the median
 * and p90 wait. The numbers are also in each chart's description and in a table, and can be
 * saved as CSV. A line picker appears when the supervisor has several lines.
 */
export function DailyChart({ onUnauthorized }: DailyChartProps) {
  const { t } = useI18n();
  const d = t.supervisor.daily;
  const [line, setLine] = useState<string>('');
  const [lines, setLines] = useState<StaffLine[]>([]);
  const [csv, setCsv] = useState<'idle' | 'busy' | 'failed'>('idle');
  // The table of numbers is built only while it is open: 30 rows nobody reads cost every render.
  const [tableOpen, setTableOpen] = useState(false);
  const { state, refresh } = usePolled(() => fetchDaily(line || undefined), DAILY_REFRESH_MS, onUnauthorized);

  useEffect(() => {
    void fetchLines().then((res) => {
      if (res.ok) setLines(res.data);
      else if (res.kind === 'unauthorized') onUnauthorized();
    });
  }, [onUnauthorized]);
  // The picked line is read by the next fetch.
  useEffect(() => refresh(), [line, refresh]);

  const days = state.kind === 'loading' ? undefined : state.data;
  const label = (key: keyof DailyFigures) => d.series[key as keyof typeof d.series] ?? key;
  const dateLabel = (date: string) => {
    const [y, m, day] = date.split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, day!)).toLocaleDateString(t.locale, {
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
  };
  const sum = (key: keyof DailyFigures) => (days ?? []).reduce((n, x) => n + Number(x[key]), 0);
  const range =
    days && days.length > 0 ? { from: days[0]!.date, to: days[days.length - 1]!.date } : undefined;
  const maxOf = (key: keyof DailyFigures) => Math.max(0, ...(days ?? []).map((x) => Number(x[key])));

  const download = async () => {
    setCsv('busy');
    const res = await fetchDailyCsv(line || undefined);
    if (!res.ok) {
      if (res.kind === 'unauthorized') return onUnauthorized();
      return setCsv('failed');
    }
    // A file the supervisor asked to save; the object URL is let go at once.
    const url = URL.createObjectURL(res.data);
    const a = document.createElement('a');
    a.href = url;
    a.download = `stille-lijn-${line || 'lines'}-${range?.from ?? ''}-${range?.to ?? ''}.csv`;
    a.click();
    URL.revokeObjectURL(url);
    setCsv('idle');
  };

  return (
    <section class="daily panel" aria-labelledby="daily-heading" data-sl="daily-chart" data-line={line}>
      <h2 id="daily-heading">{d.heading}</h2>
      {lines.length > 1 && (
        <p>
          <label for="daily-line">{d.line}</label>{' '}
          <select
            id="daily-line"
            data-sl="daily-line"
            value={line}
            onChange={(e) => setLine((e.target as HTMLSelectElement).value)}
          >
            <option value="">{d.allLines}</option>
            {lines.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </p>
      )}
      {state.kind === 'loading' && <p role="status">{t.app.loading}</p>}
      {state.kind === 'failed' && (
        <p class="error">
          {state.failure === 'forbidden' ? t.supervisor.forbidden : t.supervisor.unavailable}
        </p>
      )}
      {days && range && (
        <>
          <LineChart
            id="daily-counts"
            title={d.countsTitle}
            desc={d.countsDesc(
              dateLabel(range.from),
              dateLabel(range.to),
              sum('started'),
              sum('answered'),
              sum('abandoned'),
            )}
            days={days}
            series={COUNT_SERIES}
            label={label}
            format={(v) => String(Math.round(v))}
            dateLabel={dateLabel}
          />
          <LineChart
            id="daily-waits"
            title={d.waitsTitle}
            desc={d.waitsDesc(
              formatDuration(maxOf('medianWaitSeconds')),
              formatDuration(maxOf('p90WaitSeconds')),
            )}
            days={days}
            series={WAIT_SERIES}
            label={label}
            format={(v) => formatDuration(v)}
            dateLabel={dateLabel}
          />
          <details class="daily-numbers" onToggle={(e) => setTableOpen(e.currentTarget.open)}>
            <summary>{d.showNumbers}</summary>
            {tableOpen && (
              <DataTable
                caption={d.tableCaption}
                columns={[
                  d.date,
                  label('started'),
                  label('answered'),
                  label('abandoned'),
                  label('urgent'),
                  label('medianWaitSeconds'),
                  label('p90WaitSeconds'),
                  label('reports'),
                ]}
              >
                {days.map((x) => (
                  <tr key={x.date} data-date={x.date}>
                    <th scope="row">{dateLabel(x.date)}</th>
                    <td data-col="started">{x.started}</td>
                    <td data-col="answered">{x.answered}</td>
                    <td data-col="abandoned">{x.abandoned}</td>
                    <td data-col="urgent">{x.urgent}</td>
                    <td data-col="medianWaitSeconds">{formatDuration(x.medianWaitSeconds)}</td>
                    <td data-col="p90WaitSeconds">{formatDuration(x.p90WaitSeconds)}</td>
                    <td data-col="reports">{x.reports}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </details>
          <p>
            <button
              type="button"
              class="small"
              data-sl="daily-csv"
              disabled={csv === 'busy'}
              onClick={() => void download()}
            >
              {d.csv}
            </button>
            {csv === 'failed' && (
              <span class="error" role="alert">
                {' '}
                {d.csvFailed}
              </span>
            )}
          </p>
        </>
      )}
    </section>
  );
}
