/** Formats bench results as plain-text tables (returned as lines; the caller prints). */
import type { AssignmentResult, StepResult } from './fleet.ts';
import type { BenchResult, ConnectionsResult, TargetReport } from './run.ts';
import { median, type Summary } from './stats.ts';

const ms = (v: number) =>
  Number.isNaN(v)
    ? '-'
    : v === Number.POSITIVE_INFINITY
      ? '>1000'
      : v < 10
        ? v.toFixed(2)
        : v < 100
          ? v.toFixed(1)
          : Math.round(v).toString();
const sec = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '-' : `${(v / 1000).toFixed(1)} s`;
const mb = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '-' : `${Math.round(v / 1048576)} MB`;
const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : `${Math.round(v)}%`);
const ratio = (a: number, b: number) =>
  b > 0 && !Number.isNaN(a) && !Number.isNaN(b) ? `${(a / b).toFixed(2)}×` : '-';
const num = (v: number) => Math.round(v).toLocaleString('en-US');

/** Pads cells into aligned columns: the first left-aligned, the rest right-aligned. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

const lat = (s: Summary) => [ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)];

function assignmentRows(label: string, a: AssignmentResult | null | undefined): string[][] {
  if (!a) return [[label, 'n/a']];
  return [
    [`${label}: visitor chat:assigned`, String(a.n), ms(a.visitor.p50), ms(a.visitor.p99), ms(a.visitor.max)],
    [
      `${label}: operator chat:assigned`,
      String(a.n),
      ms(a.operator.p50),
      ms(a.operator.p99),
      ms(a.operator.max),
    ],
    [`${label}: ack of the freeing event`, String(a.ack.n), ms(a.ack.p50), ms(a.ack.p99), ms(a.ack.max)],
  ];
}

function windowText(s: StepResult): string {
  const w = [...s.v2o.windowP99, ...s.o2v.windowP99];
  if (w.length === 0) return '-';
  return `${ms(median(w))} [${ms(Math.min(...w))}–${ms(Math.max(...w))}]`;
}

export function formatBench(r: BenchResult): string[] {
  const o = r.ours;
  const b = r.bare;
  const out: string[] = [];
  const opt = r.options;
  out.push(
    `Stille Lijn bench: ${opt.visitors} visitors, ${opt.operators} operators (OPERATOR_CAPACITY ${r.capacity}), ` +
      `${opt.rate} msg/s each way for ${opt.durationMs / 1000} s`,
  );
  out.push(
    `machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadavg.map((l) => l.toFixed(2)).join(' ')} (at the end), ` +
      `node ${r.machine.node}, open files ${r.machine.openFiles}; the run took ${sec(r.wallMs)}`,
  );
  out.push('');

  out.push('SETUP');
  const both = (f: (t: TargetReport) => string) => [f(o), b ? f(b) : '-'];
  out.push(
    ...table([
      ['', 'ours', 'bare'],
      ['server ready after spawn', ...both((t) => sec(t.startMs))],
      ['operator logins', sec(o.loginMs), '-'],
      [`connect ${opt.operators} + ${opt.visitors} sockets`, ...both((t) => sec(t.connectMs))],
      [`chat:start ×${opt.visitors}`, ...both((t) => sec(t.startChatsMs))],
      ['server RSS idle', ...both((t) => mb(t.rssIdleBytes))],
      ['server RSS, all sockets connected', ...both((t) => mb(t.rssAfterConnectBytes))],
      ['server RSS at the end', ...both((t) => mb(t.rssEndBytes))],
      ['redis-server RSS at the end', mb(o.redisRssBytes), '-'],
    ]),
  );
  const pushText = (p: TargetReport['pushesDuringStart']) =>
    `${num(p.snapshots)} queue:snapshot to operators (${num(p.snapshotEntries)} entries), ${num(p.positions)} queue:position`;
  out.push(`  ours pushes seen during chat:start: ${pushText(o.pushesDuringStart)}`);
  out.push(`  ours pushes seen during assignment: ${pushText(o.pushesDuringAssignment)}`);
  out.push('');

  out.push('ASSIGNMENT: ms from an operator becoming free to chat:assigned');
  out.push(
    `  (status) operators emit operator:status 'available' ${opt.staggerMs} ms apart while all visitors wait;`,
    '           measured from that emit (its ack comes only after routing: see "ack" row).',
    '  (end)    with every operator full and visitors waiting, operators each emit chat:end for one',
    "           conversation; measured from that emit to the next visitor's chat:assigned.",
  );
  const aRows: string[][] = [['', 'n', 'p50', 'p99', 'max']];
  aRows.push(
    ...assignmentRows('ours (status)', o.assignment),
    ...assignmentRows('ours (end)', o.freeCapacity),
  );
  if (b)
    aRows.push(
      ...assignmentRows('bare (status)', b.assignment),
      ...assignmentRows('bare (end)', b.freeCapacity),
    );
  out.push(...table(aRows));
  out.push(
    `  ours: ${o.assignment.beforeAck} of ${o.assignment.n} chat:assigned reached the operator before its operator:status ack; ` +
      `wrong operator name: ${o.assignment.wrongName}`,
  );
  out.push('');

  out.push(
    `RELAY: ${opt.rate} msg/s each way for ${opt.durationMs / 1000} s, one-way latency at the receiver (ms)`,
  );
  if (b && opt.bareRedis)
    out.push('  bare (--bare-redis): the bare relay appends each message to Redis (one XADD) before its ack');
  const rel: string[][] = [
    ['', 'p50', 'p90', 'p99', 'max', 'delivered/s', 'late', 'dup', 'misrouted', 'refused', 'no ack'],
  ];
  const relRow = (label: string, d: StepResult['v2o']) => [
    label,
    ...lat(d.latency),
    num(d.achievedPerS),
    String(d.lost),
    String(d.duplicates),
    String(d.misrouted),
    String(d.ackRefused),
    String(d.ackMissing),
  ];
  for (const t of [o, b]) {
    if (!t) continue;
    rel.push(
      relRow(`${t.kind} visitor→operator`, t.main.v2o),
      relRow(`${t.kind} operator→visitor`, t.main.o2v),
    );
    rel.push([`${t.kind} both`, ...lat(t.main.both)]);
  }
  if (b) {
    rel.push([
      'ours/bare (both)',
      ratio(o.main.both.p50, b.main.both.p50),
      ratio(o.main.both.p90, b.main.both.p90),
      ratio(o.main.both.p99, b.main.both.p99),
      ratio(o.main.both.max, b.main.both.max),
    ]);
  }
  out.push(...table(rel));
  out.push(
    '  late = not delivered within 10 s of the last send (search: 3 s); INTEGRITY below says whether it came later',
  );
  const extra: string[][] = [['', 'ours', 'bare']];
  extra.push(['p99 per 2-s window: median [min–max]', ...both((t) => windowText(t.main))]);
  extra.push([
    'sender ack latency p50 / p99 (v→o)',
    ...both((t) => `${ms(t.main.v2o.ackLatency.p50)} / ${ms(t.main.v2o.ackLatency.p99)}`),
  ]);
  extra.push([
    'sender ack latency p50 / p99 (o→v)',
    ...both((t) => `${ms(t.main.o2v.ackLatency.p50)} / ${ms(t.main.o2v.ackLatency.p99)}`),
  ]);
  extra.push(['server CPU (of one core)', ...both((t) => pct(t.main.serverCpuPct))]);
  extra.push([
    'server CPU time per relayed message',
    ...both(
      (t) => `${Math.round((t.main.serverCpuSec * 1e6) / Math.max(1, t.main.v2o.sent + t.main.o2v.sent))} µs`,
    ),
  ]);
  extra.push([
    'redis-server CPU',
    pct(o.redisCpuPct),
    b?.redisCpuPct === undefined ? '-' : pct(b.redisCpuPct),
  ]);
  extra.push([
    'bench client CPU / event-loop delay p99 (beyond its 5-ms timer)',
    ...both((t) => `${pct(t.main.clientCpuPct)} / ${ms(t.main.clientLoopP99Ms)} ms`),
  ]);
  extra.push([
    'server event-loop lag p99 (/metrics, beyond its 10-ms timer)',
    ms(o.serverLoopLagP99Ms ?? Number.NaN) + ' ms',
    '-',
  ]);
  out.push(...table(extra));
  for (const s of o.serverRelay ?? []) {
    out.push(
      `  ours server-side relay time (${s.direction}, /metrics: handler start → emit): ` +
        `${pct(s.under1ms * 100)} ≤ 1 ms, ${pct(s.under5ms * 100)} ≤ 5 ms, p50 ≤ ${ms(s.p50BucketMs)} ms, p99 ≤ ${ms(s.p99BucketMs)} ms (n ${s.count})`,
    );
  }
  if (o.persisted) {
    out.push(
      `  ours persisted: ${num(o.persisted.found)} messages in the conversations' Redis streams for ${num(o.persisted.expected)} ok acks; ` +
        `stored text is ciphertext: ${o.persisted.encrypted ? 'yes' : 'NO'}`,
    );
  }
  out.push('');

  if (!opt.skipSearch) {
    out.push(
      `THROUGHPUT SEARCH: ${opt.searchStepMs / 1000}-s steps; held = p99 < 100 ms both ways and nothing lost or refused;`,
    );
    out.push(
      '  a failed step is retried (up to 3 tries, majority decides); figures are medians over the tries',
    );
    const rates = [
      ...new Set([...o.search.map((s) => s.rate), ...(b?.search.map((s) => s.rate) ?? [])]),
    ].sort((x, y) => x - y);
    const sRows: string[][] = [
      [
        'rate/s each way',
        'ours p50',
        'p99',
        'deliv/s',
        'late',
        'held',
        'srv CPU',
        'cli CPU',
        '|',
        'bare p50',
        'p99',
        'deliv/s',
        'late',
        'held',
        'srv CPU',
        'cli CPU',
      ],
    ];
    let clientBound = false;
    for (const rate of rates) {
      const cell = (t: TargetReport | null) => {
        const s = t?.search.find((x) => x.rate === rate);
        if (!s) return ['', '', '', '', '', '', ''];
        const deliv = median(s.attempts.map((a) => Math.min(a.v2o.achievedPerS, a.o2v.achievedPerS)));
        const cells = [
          ms(s.p50),
          ms(s.p99),
          num(deliv),
          String(s.lost),
          `${s.held ? 'yes' : 'NO'}${s.attempts.length > 1 ? ` (${s.attempts.filter((a) => a.held).length}/${s.attempts.length})` : ''}`,
          pct(median(s.attempts.map((a) => a.serverCpuPct))),
        ];
        const cli = median(s.attempts.map((a) => a.clientCpuPct));
        const loop = median(s.attempts.map((a) => a.clientLoopP99Ms));
        if (cli > 85 || loop > 50) clientBound = true;
        cells.push(`${pct(cli)}${cli > 85 || loop > 50 ? '!' : ''}`);
        return cells;
      };
      sRows.push([String(rate), ...cell(o), '|', ...cell(b)]);
    }
    out.push(...table(sRows));
    if (clientBound) {
      out.push(
        '  ! the bench client (one process) was near its limit: CPU > 85% or event-loop delay p99 > 50 ms;',
        '    figures at that rate measure the client as much as the server',
      );
    }
    out.push(
      `  highest rate held: ours ${num(o.highestHeld)}/s` +
        (b ? `, bare ${num(b.highestHeld)}/s, ours/bare ${ratio(o.highestHeld, b.highestHeld)}` : '') +
        (o.search.every((s) => s.held) ? ' (ours held every step tried: the real limit is higher)' : ''),
    );
    out.push('');
  }

  out.push('INTEGRITY over the whole run (every message ever sent, late arrivals included)');
  const iRows: string[][] = [
    ['', 'sent', 'exactly once', 'lost', 'duplicates', 'misrouted', 'acked ok', 'disconnects'],
  ];
  for (const t of [o, b]) {
    if (!t) continue;
    const i = t.integrity;
    iRows.push([
      t.kind,
      num(i.sent),
      num(i.exactlyOnce),
      String(i.lost),
      String(i.duplicates),
      String(i.misrouted),
      num(i.acked),
      String(t.unexpectedDisconnects),
    ]);
  }
  out.push(...table(iRows));
  out.push('');

  out.push('TARGETS (DESIGN.md "Performance targets")');
  const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
  const tRows: string[][] = [];
  tRows.push([
    `relay p50 ≤ 1 ms at ${opt.rate}/s`,
    `${ms(o.main.both.p50)} ms`,
    verdict(o.main.both.p50 <= 1),
  ]);
  tRows.push([
    'relay p99 ≤ 1.5 × bare',
    b
      ? `${ms(o.main.both.p99)} / ${ms(b.main.both.p99)} ms = ${ratio(o.main.both.p99, b.main.both.p99)}`
      : '-',
    verdict(b ? o.main.both.p99 <= 1.5 * b.main.both.p99 : null),
  ]);
  tRows.push([
    'throughput ≥ 0.5 × bare',
    b && !opt.skipSearch
      ? `${num(o.highestHeld)} / ${num(b.highestHeld)} = ${ratio(o.highestHeld, b.highestHeld)}`
      : '-',
    verdict(b && !opt.skipSearch ? o.highestHeld >= 0.5 * b.highestHeld : null),
  ]);
  const aP99 = Math.max(o.assignment.visitor.p99, o.assignment.operator.p99);
  const eP99 = o.freeCapacity
    ? Math.max(o.freeCapacity.visitor.p99, o.freeCapacity.operator.p99)
    : Number.NaN;
  tRows.push([
    'assignment p99 ≤ 100 ms',
    `status ${ms(aP99)} ms, end ${ms(eP99)} ms`,
    verdict(aP99 <= 100 && (Number.isNaN(eP99) || eP99 <= 100)),
  ]);
  tRows.push([
    'every acked message persisted, encrypted',
    o.persisted ? `${num(o.persisted.found)} / ${num(o.persisted.expected)}` : '-',
    verdict(o.persisted ? o.persisted.found === o.persisted.expected && o.persisted.encrypted : null),
  ]);
  tRows.push([
    'every message exactly once (whole run)',
    `lost ${o.integrity.lost}, dup ${o.integrity.duplicates}, misrouted ${o.integrity.misrouted}`,
    verdict(o.integrity.lost === 0 && o.integrity.duplicates === 0 && o.integrity.misrouted === 0),
  ]);
  out.push(...table(tRows));
  return out;
}

export function formatConnections(r: ConnectionsResult): string[] {
  const out: string[] = [];
  out.push(`Stille Lijn connections test: ${num(r.count)} idle visitor sockets (connected, no chat:start)`);
  out.push(
    `machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadavg.map((l) => l.toFixed(2)).join(' ')}, ` +
      `node ${r.machine.node}; open files: bench client ${r.clientOpenFiles}`,
  );
  const rows: string[][] = [['', 'ours', 'bare']];
  const both = (f: (t: ConnectionsResult['ours']) => string) => [f(r.ours), r.bare ? f(r.bare) : '-'];
  rows.push(['connected / failed', ...both((t) => `${num(t.connected)} / ${t.failed}`)]);
  rows.push(['connect time (100 at a time)', ...both((t) => sec(t.connectMs))]);
  rows.push(['connections per second', ...both((t) => num(t.perSecond))]);
  rows.push(['server RSS idle', ...both((t) => mb(t.rssIdleBytes))]);
  rows.push(['server RSS, all connected', ...both((t) => mb(t.rssConnectedBytes))]);
  rows.push([
    'RSS per connection',
    ...both(
      (t) => `${((t.rssConnectedBytes - t.rssIdleBytes) / 1024 / Math.max(1, t.connected)).toFixed(1)} kB`,
    ),
  ]);
  rows.push([`still connected after ${r.holdMs / 1000} s idle`, ...both((t) => num(t.stillConnected))]);
  rows.push(['server RSS after the hold', ...both((t) => mb(t.rssAfterHoldBytes))]);
  rows.push(['server open-file limit', ...both((t) => String(t.serverOpenFiles))]);
  out.push(...table(rows));
  const firstErr = r.ours.firstError || r.bare?.firstError;
  if (firstErr) out.push(`  first connect error: ${firstErr}`);
  out.push(
    `  target: 10,000 connected visitors on one process: ${r.ours.stillConnected >= 10_000 ? 'PASS' : r.count < 10_000 ? 'n/a (fewer requested)' : 'FAIL'}`,
  );
  return out;
}
