import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { BenchResult } from './run.ts';

/** What `npm run bench -- --json` writes: one object per run, for comparing two commits. */
export interface BenchJson {
  /** The format of this object; raised when a field changes meaning. */
  format: 1;
  mode: 'relay' | 'connections' | 'durable-acks';
  /** When the run ended (ISO, UTC). */
  date: string;
  /** `git rev-parse HEAD` with `-dirty` for uncommitted changes, or null outside a checkout. */
  commit: string | null;
  machine: { cpus: number; cpuModel: string; node: string; loadavgStart: number[]; loadavgEnd: number[] };
  /** The headline figures of a relay run (null for the other modes). */
  summary: RelaySummary | null;
  /** Everything the run measured, as the report prints it. */
  result: unknown;
}

/** The targets' figures side by side (ms, msg/s each way, bytes); `bare` null with --skip-baseline. */
export interface RelaySummary {
  rate: number;
  ours: TargetFigures;
  bare: TargetFigures | null;
  /** ours ÷ bare: p50, p99 of the fixed-rate phase, and the highest rate held. */
  ratios: { p50: number | null; p99: number | null; highestHeld: number | null };
}

interface TargetFigures {
  p50: number;
  p99: number;
  lost: number;
  highestHeld: number;
  assignmentP99: number;
  serverCpuSec: number;
  rssAfterConnectBytes: number;
}

function commitOf(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return `${head.trim()}${dirty.trim() ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}

const divide = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? Number((a / b).toFixed(3)) : null);

function figures(t: BenchResult['ours']): TargetFigures {
  return {
    p50: t.main.both.p50,
    p99: t.main.both.p99,
    lost: t.main.lost,
    highestHeld: t.highestHeld,
    assignmentP99: t.assignment.visitor.p99,
    serverCpuSec: t.main.serverCpuSec,
    rssAfterConnectBytes: t.rssAfterConnectBytes,
  };
}

/** The headline figures of a relay run. */
export function relaySummary(r: BenchResult): RelaySummary {
  const ours = figures(r.ours);
  const bare = r.bare ? figures(r.bare) : null;
  return {
    rate: r.options.rate,
    ours,
    bare,
    ratios: {
      p50: bare ? divide(ours.p50, bare.p50) : null,
      p99: bare ? divide(ours.p99, bare.p99) : null,
      highestHeld: bare && !r.options.skipSearch ? divide(ours.highestHeld, bare.highestHeld) : null,
    },
  };
}

/** Captures the machine's state at the start of a run; `finish` builds the JSON at its end. */
export function startJson(mode: BenchJson['mode']) {
  const loadavgStart = loadavg().map((n) => Number(n.toFixed(2)));
  return {
    finish(result: unknown, summary: RelaySummary | null = null): BenchJson {
      return {
        format: 1,
        mode,
        date: new Date().toISOString(),
        commit: commitOf(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? '',
          node: process.version,
          loadavgStart,
          loadavgEnd: loadavg().map((n) => Number(n.toFixed(2))),
        },
        summary,
        result,
      };
    },
  };
}

/**
 * Takes `--json` (to stdout) or `--json <file>` / `--json=<file>` out of the arguments:
 * node's parseArgs has no option whose value is optional.
 */
export function takeJsonFlag(args: string[]): { args: string[]; json: false | { file: string | null } } {
  const rest: string[] = [];
  let json: false | { file: string | null } = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--json=')) {
      json = { file: a.slice('--json='.length) || null };
    } else if (a === '--json') {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        json = { file: next };
        i++;
      } else {
        json = { file: null };
      }
    } else {
      rest.push(a);
    }
  }
  return { args: rest, json };
}
