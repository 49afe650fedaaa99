/** Reads the real server's Prometheus /metrics: the relay-time histogram and event-loop lag. */

export interface RelayHistogram {
  /** Upper bounds in seconds (the last is +Inf) with cumulative counts, per direction. */
  byDirection: Map<string, { le: number[]; counts: number[] }>;
  /**
   * nodejs_eventloop_lag_p99_seconds, reset by every scrape (the window since the last one),
   * less prom-client's 10-ms monitor interval, which Node's histogram includes: an idle
   * loop reads 10 ms there.
   */
  loopLagP99Ms: number;
  loopLagMaxMs: number;
}

/** prom-client's default `eventLoopMonitoringPrecision` (the server does not change it). */
const PROM_LOOP_RESOLUTION_MS = 10;

const BUCKET = /^sl_message_relay_seconds_bucket\{([^}]*)\}\s+(\S+)/;

export async function scrapeMetrics(url: string): Promise<RelayHistogram | null> {
  let text: string;
  try {
    const res = await fetch(`${url}/metrics`);
    if (res.status !== 200) return null;
    text = await res.text();
  } catch {
    return null;
  }
  const byDirection = new Map<string, { le: number[]; counts: number[] }>();
  let loopLagP99Ms = Number.NaN;
  let loopLagMaxMs = Number.NaN;
  for (const line of text.split('\n')) {
    const m = BUCKET.exec(line);
    if (m) {
      const labels = Object.fromEntries(
        [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!] as const),
      );
      const dir = labels.direction ?? '?';
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      const h = byDirection.get(dir) ?? { le: [], counts: [] };
      h.le.push(le);
      h.counts.push(Number(m[2]));
      byDirection.set(dir, h);
      continue;
    }
    if (line.startsWith('nodejs_eventloop_lag_p99_seconds '))
      loopLagP99Ms = Math.max(0, Number(line.split(' ')[1]) * 1000 - PROM_LOOP_RESOLUTION_MS);
    if (line.startsWith('nodejs_eventloop_lag_max_seconds '))
      loopLagMaxMs = Math.max(0, Number(line.split(' ')[1]) * 1000 - PROM_LOOP_RESOLUTION_MS);
  }
  return { byDirection, loopLagP99Ms, loopLagMaxMs };
}

export interface RelayTimeSummary {
  direction: string;
  count: number;
  /** Fraction of relays at or under 1 ms and 5 ms (server-side handler time). */
  under1ms: number;
  under5ms: number;
  /** Bucket upper bounds holding the 50th and 99th percentile, ms. */
  p50BucketMs: number;
  p99BucketMs: number;
}

/** The histogram difference after − before, summarised per direction. */
export function relayTimeDelta(
  before: RelayHistogram | null,
  after: RelayHistogram | null,
): RelayTimeSummary[] {
  if (!after) return [];
  const out: RelayTimeSummary[] = [];
  for (const [dir, h] of after.byDirection) {
    const b = before?.byDirection.get(dir);
    const counts = h.counts.map((c, i) => c - (b?.counts[i] ?? 0));
    const total = counts.at(-1) ?? 0;
    if (total <= 0) continue;
    const at = (boundSec: number) => {
      const i = h.le.indexOf(boundSec);
      return i >= 0 ? counts[i]! / total : Number.NaN;
    };
    const bucketFor = (q: number) => {
      const i = counts.findIndex((c) => c >= q * total);
      return i >= 0 ? h.le[i]! * 1000 : Number.NaN;
    };
    out.push({
      direction: dir,
      count: total,
      under1ms: at(0.001),
      under5ms: at(0.005),
      p50BucketMs: bucketFor(0.5),
      p99BucketMs: bucketFor(0.99),
    });
  }
  return out;
}
