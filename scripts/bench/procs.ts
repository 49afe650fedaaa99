/**
 * Child processes of the bench: the real server, the bare Socket.IO relay and the
 * private redis-server, with RSS / CPU probes and a cleanup list that also works on
 * SIGINT and on a crash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startPrivateRedis } from '../../test/support/redis-server.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchDir = dirname(fileURLToPath(import.meta.url));

/** `k1:` + 32 random bytes, base64: a throwaway data key for one bench run. */
export function generateDataKey(): string {
  return `k1:${randomBytes(32).toString('base64')}`;
}

/**
 * Everything a run started, stopped in reverse order by `close()`. `killSync()` is for
 * `process.on('exit')`, where nothing can be awaited: it SIGKILLs by process id.
 */
export class Resources {
  readonly #closers: { name: string; close: () => Promise<void> }[] = [];
  readonly #pids = new Set<number>();
  readonly #dirs = new Set<string>();
  #closed = false;

  add(name: string, close: () => Promise<void>): void {
    this.#closers.push({ name, close });
  }
  trackPid(pid: number | undefined): void {
    if (pid) this.#pids.add(pid);
  }
  untrackPid(pid: number | undefined): void {
    if (pid) this.#pids.delete(pid);
  }
  trackDir(dir: string): void {
    this.#dirs.add(dir);
  }

  /** Closes everything (each step bounded to 10 s); errors are collected, not thrown. */
  async close(): Promise<string[]> {
    if (this.#closed) return [];
    this.#closed = true;
    const errors: string[] = [];
    for (const c of this.#closers.splice(0).reverse()) {
      try {
        await Promise.race([
          c.close(),
          sleep(10_000).then(() => {
            throw new Error('timed out');
          }),
        ]);
      } catch (err) {
        errors.push(`${c.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.killSync();
    return errors;
  }

  killSync(): void {
    for (const pid of this.#pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#pids.clear();
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    this.#dirs.clear();
  }
}

// ------------------------------------------------------------------ probes

/** Resident set size of a process in bytes, from /proc/<pid>/status (NaN off Linux). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (NaN off Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state (field 3).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** The soft and hard limit on open files of a process ('self' for this one). */
export function openFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  try {
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(
      readFileSync(`/proc/${pid}/limits`, 'utf8'),
    );
    const n = (s: string | undefined) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
    return m ? { soft: n(m[1]), hard: n(m[2]) } : { soft: Number.NaN, hard: Number.NaN };
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}

// ------------------------------------------------------------------ redis

export interface BenchRedis {
  url: string;
  /** A command connection for setup and probes. */
  client: Redis;
  /** redis-server's pid when we started it (for CPU/RSS probes), else undefined. */
  pid: number | undefined;
  /** used_cpu_user + used_cpu_sys of the redis-server, in seconds. */
  cpuSeconds(): Promise<number>;
  rssBytes(): Promise<number>;
}

/** Uses `url` when given (tests), else starts a private redis-server on a free port. */
export async function startRedis(res: Resources, url?: string): Promise<BenchRedis> {
  let redisUrl = url;
  if (!redisUrl) {
    const priv = await startPrivateRedis();
    res.trackDir(priv.dir);
    res.add('redis-server', () => priv.destroy());
    redisUrl = priv.url;
  }
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  res.add('redis client', async () => {
    client.disconnect();
  });
  const info = async (section: string) => {
    const text = await client.info(section);
    const out: Record<string, string> = {};
    for (const line of text.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  };
  let pid: number | undefined;
  if (!url) {
    pid = Number((await info('server')).process_id) || undefined;
    res.trackPid(pid);
  }
  return {
    url: redisUrl,
    client,
    pid,
    cpuSeconds: async () => {
      const c = await info('cpu');
      return Number(c.used_cpu_user) + Number(c.used_cpu_sys);
    },
    rssBytes: async () => Number((await info('memory')).used_memory_rss),
  };
}

// ------------------------------------------------------------------ servers

export interface ServerChild {
  /** 'ours' or 'bare'. */
  kind: 'ours' | 'bare';
  url: string;
  pid: number;
  /** Milliseconds from spawn to ready. */
  startMs: number;
  /** What the process wrote (last 64 kB), for error messages. */
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` with the soft open-file limit raised to the hard one (through
 * `sh -c 'ulimit -n …; exec …'`, so the pid stays the node process's).
 */
function spawnNode(args: string[], env: Record<string, string>, ipc: boolean): ChildProcess {
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
  return spawn('/bin/sh', ['-c', script, process.execPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

function wrapChild(
  res: Resources,
  kind: 'ours' | 'bare',
  child: ChildProcess,
): { output: () => string; exited: Promise<void>; stop: () => Promise<void> } {
  let out = '';
  const append = (d: Buffer) => {
    out = (out + String(d)).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const logTo = process.env.BENCH_SERVER_LOG;
  if (logTo) {
    const file = createWriteStream(`${logTo}.${kind}.${child.pid}`);
    child.stdout?.pipe(file);
  }
  res.trackPid(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(8000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    res.untrackPid(child.pid);
  };
  res.add(`${kind} server`, stop);
  return { output: () => out, exited, stop };
}

export interface OursServerOptions {
  redisUrl: string;
  prefix: string;
  dataKey: string;
  operatorCapacity: number;
  /** More environment for the server (e.g. REDIS_ACK_REPLICAS). */
  env?: Record<string, string>;
}

/** The real server, `node server/src/main.ts` (Node strips the types), as its own process. */
export async function startOursServer(res: Resources, opts: OursServerOptions): Promise<ServerChild> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnNode(
    [...extra, 'server/src/main.ts'],
    {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: opts.redisUrl,
      REDIS_PREFIX: opts.prefix,
      DATA_KEY: opts.dataKey,
      LOG_LEVEL: 'warn',
      VISITOR_CONNECTIONS_PER_MIN: '1000000',
      VISITOR_SOCKETS_PER_ADDRESS: '1000000',
      // The bench connects every visitor first and starts the chats later: none is idle.
      VISITOR_IDLE_S: '3600',
      // Every simulated visitor comes from 127.0.0.1.
      VISITOR_OPEN_PER_ADDRESS: '1000000',
      VISITOR_STARTS_PER_HOUR: '1000000',
      SOCKET_EVENTS_PER_S: '100000',
      OPERATOR_CAPACITY: String(opts.operatorCapacity),
      ...opts.env,
    },
    false,
  );
  const w = wrapChild(res, 'ours', child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited during start:\n${w.output()}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  if (Date.now() >= deadline) throw new Error(`the server did not become ready:\n${w.output()}`);
  return {
    kind: 'ours',
    url,
    pid: child.pid!,
    startMs: performance.now() - started,
    output: w.output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: w.stop,
  };
}

/** The bare Socket.IO relay (scripts/bench/bare-server.ts) as its own process. */
export async function startBareServer(
  res: Resources,
  opts: { capacity: number /** Store each message here first (--bare-redis). */; redisUrl?: string },
): Promise<ServerChild> {
  const started = performance.now();
  const child = spawnNode(
    [
      ...(process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(benchDir, 'bare-server.ts'),
    ],
    { BARE_CAPACITY: String(opts.capacity), PORT: '0', BARE_REDIS_URL: opts.redisUrl ?? '' },
    true,
  );
  const w = wrapChild(res, 'bare', child);
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the bare server did not start:\n${w.output()}`)), 30_000);
    child.once('message', (m: { port?: number }) => {
      clearTimeout(t);
      if (m.port) resolve(m.port);
      else reject(new Error('the bare server sent no port'));
    });
    child.once('exit', () => {
      clearTimeout(t);
      reject(new Error(`the bare server exited during start:\n${w.output()}`));
    });
  });
  return {
    kind: 'bare',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    startMs: performance.now() - started,
    output: w.output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: w.stop,
  };
}
