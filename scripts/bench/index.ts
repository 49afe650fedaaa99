/**
 * `npm run bench`: load benchmark of the real server against a bare Socket.IO relay,
 * in the same run. See scripts/bench/README.md for what is measured and how.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDurableAcks, runDurableAcks } from './durable.ts';
import { type BenchJson, relaySummary, startJson, takeJsonFlag } from './json.ts';
import { Resources } from './procs.ts';
import { formatBench, formatConnections } from './report.ts';
import { DEFAULT_SEARCH_RATES, runBench, runConnections } from './run.ts';

const HELP = `Usage: npm run bench -- [options]

  --visitors <n>       visitor sockets, each with a conversation (default 1000)
  --operators <n>      operator sockets (default 50); n × 20 must cover the visitors
  --rate <n>           messages per second EACH WAY in the fixed-rate phase (default 500)
  --duration <s>       length of the fixed-rate phase (default 10)
  --rates <list>       throughput-search rates each way (default ${DEFAULT_SEARCH_RATES.join(',')})
  --step <s>           length of one search step (default 3)
  --stagger <ms>       time between operators becoming available (default 50)
  --skip-baseline      do not run the bare Socket.IO relay
  --bare-redis         the bare relay stores each message in Redis (one XADD) before its ack and
                       relay: the round trip "persisted before the ack" costs any design, alone
  --skip-search        do not run the throughput search
  --connections <n>    instead of the above: connect n idle visitors and report RSS and connect time
  --durable-acks       instead of the above: relay latency with REDIS_ACK_REPLICAS=0 and =1 (WAIT),
                       on one primary with a replica, alternating steps (uses --visitors, --operators,
                       --rate, --duration; defaults 200, 10, 500, 5; --rounds, default 4)
  --widget             also run benchWidget() from scripts/bench/widget.ts, when that file exists
  --json [file]        write the figures as JSON instead of the report: to stdout, or to <file>
                       (the report then still goes to stdout). One object: { format, mode, date,
                       commit, machine: { cpus, cpuModel, node, loadavgStart, loadavgEnd },
                       summary (relay runs: p50, p99, highest rate held, assignment p99, server
                       CPU s, RSS, ours and bare, and their ratios), result (every figure) }.
                       For comparing two commits: run each with --json <file> and diff the summaries.
  --help

Progress goes to stderr, the report to stdout.`;

const benchDir = dirname(fileURLToPath(import.meta.url));

function positive(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return n;
}

async function runWidget(print: (line: string) => void): Promise<void> {
  const file = join(benchDir, 'widget.ts');
  if (!existsSync(file)) {
    print('widget bench: skipped (scripts/bench/widget.ts does not exist yet)');
    return;
  }
  const mod = (await import(pathToFileURL(file).href)) as { benchWidget?: () => unknown };
  if (typeof mod.benchWidget !== 'function') {
    print('widget bench: skipped (scripts/bench/widget.ts exports no benchWidget())');
    return;
  }
  const out = await mod.benchWidget();
  if (typeof out === 'string') print(out);
  else if (Array.isArray(out)) for (const l of out) print(String(l));
  else if (out !== undefined) print(JSON.stringify(out, null, 2));
}

async function main(): Promise<number> {
  const { args, json } = takeJsonFlag(process.argv.slice(2));
  const { values } = parseArgs({
    args,
    options: {
      visitors: { type: 'string' },
      operators: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      rates: { type: 'string' },
      step: { type: 'string' },
      stagger: { type: 'string' },
      connections: { type: 'string' },
      'durable-acks': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'skip-baseline': { type: 'boolean', default: false },
      'bare-redis': { type: 'boolean', default: false },
      'skip-search': { type: 'boolean', default: false },
      widget: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // With `--json` alone, stdout carries the JSON only.
  const toStdout = json !== false && json.file === null;
  const print = (line: string) => {
    if (!toStdout) process.stdout.write(`${line}\n`);
  };
  const out = startJson(
    values['durable-acks'] ? 'durable-acks' : values.connections !== undefined ? 'connections' : 'relay',
  );
  let written: BenchJson | undefined;
  const log = (line: string) => process.stderr.write(`· ${line}\n`);

  const resources = new Resources();
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping the servers and redis-server`);
    resources.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('exit', () => resources.killSync());

  try {
    if (values['durable-acks']) {
      const r = await runDurableAcks({
        visitors: Math.round(positive('visitors', values.visitors, 200)),
        operators: Math.round(positive('operators', values.operators, 10)),
        rate: positive('rate', values.rate, 500),
        durationMs: positive('duration', values.duration, 5) * 1000,
        rounds: Math.round(positive('rounds', values.rounds, 4)),
        log,
        resources,
      });
      for (const l of formatDurableAcks(r)) print(l);
      written = out.finish(r);
    } else if (values.connections !== undefined) {
      const count = Math.round(positive('connections', values.connections, 10_000));
      const r = await runConnections({ count, skipBaseline: values['skip-baseline'], log, resources });
      for (const l of formatConnections(r)) print(l);
      written = out.finish(r);
    } else {
      const rates = values.rates
        ? values.rates.split(',').map((s) => positive('rates', s.trim(), 0))
        : DEFAULT_SEARCH_RATES;
      const r = await runBench({
        visitors: Math.round(positive('visitors', values.visitors, 1000)),
        operators: Math.round(positive('operators', values.operators, 50)),
        rate: positive('rate', values.rate, 500),
        durationMs: positive('duration', values.duration, 10) * 1000,
        searchRates: [...rates].sort((a, b) => a - b),
        searchStepMs: positive('step', values.step, 3) * 1000,
        staggerMs: positive('stagger', values.stagger, 50, true),
        skipBaseline: values['skip-baseline'],
        skipSearch: values['skip-search'],
        bareRedis: values['bare-redis'],
        log,
        resources,
      });
      for (const l of formatBench(r)) print(l);
      written = out.finish(r, relaySummary(r));
    }
    if (values.widget) {
      print('');
      await runWidget(print);
    }
    if (json !== false && written) {
      const text = `${JSON.stringify(written, null, 2)}\n`;
      if (json.file === null) process.stdout.write(text);
      else {
        writeFileSync(json.file, text);
        log(`figures written to ${json.file}`);
      }
    }
    return 0;
  } finally {
    const errors = await resources.close();
    for (const e of errors) log(`cleanup: ${e}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
