import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../support/redis-server.ts';

/** One redis-server (data node or Sentinel) of a test cluster. */
export interface Node {
  port: number;
  child: ChildProcess;
  /** Sends `signal` and resolves when the process has gone (SIGKILL: no shutdown, no save). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SentinelCluster {
  dir: string;
  name: string;
  /** The data nodes as started: [0] is the first primary. */
  nodes: Node[];
  sentinels: Node[];
  /** `host:port,…` for REDIS_SENTINELS. */
  sentinelList: string;
  /** The port the Sentinels now name as primary. */
  primaryPort(): Promise<number>;
  /** Waits until the Sentinels name a primary other than `port` that has `replicas` in sync. */
  waitForFailover(from: number, replicas: number, ms?: number): Promise<number>;
  destroy(): Promise<void>;
}

const HOST = '127.0.0.1';

function startNode(port: number, args: string[]): Node {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  return {
    port,
    child,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill(signal);
      await gone;
    },
  };
}

async function untilTrue(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`${what} not reached within ${ms} ms${last ? ` (${String(last)})` : ''}`);
}

/** A short-lived connection for a probe; always closed. */
async function probe<T>(port: number, fn: (r: Redis) => Promise<T>, password?: string): Promise<T> {
  const r = new Redis({
    host: HOST,
    port,
    ...(password ? { password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const fields = (flat: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};

/**
 * A primary, `replicas` replicas and `sentinels` Sentinels (`redis-server --sentinel`, as
 * Debian's redis-server package has no separate redis-sentinel), on free loopback ports in
 * a temp dir, with short Sentinel timings: a primary is down after 1 s, a failover may take
 * 5 s. Resolves once every Sentinel knows every replica and the other Sentinels, so that a
 * failover can be agreed at once.
 */
export async function startSentinelCluster(
  opts: {
    replicas?: number;
    sentinels?: number;
    name?: string;
    /** `requirepass` (and `masterauth`) of the data nodes; the Sentinels get it as `auth-pass`. */
    password?: string;
    /** `requirepass` of the Sentinels. */
    sentinelPassword?: string;
  } = {},
): Promise<SentinelCluster> {
  const name = opts.name ?? 'mymaster';
  const pw = opts.password;
  const spw = opts.sentinelPassword;
  const dataProbe = <T>(port: number, fn: (r: Redis) => Promise<T>) => probe(port, fn, pw);
  const sentinelProbe = <T>(port: number, fn: (r: Redis) => Promise<T>) => probe(port, fn, spw);
  const dir = mkdtempSync(join(tmpdir(), 'sl-ha-'));
  const nodes: Node[] = [];
  const sentinels: Node[] = [];
  const dataArgs = (port: number, extra: string[]) => [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
    // A replica's first sync starts at once, not after Redis' default 5 s wait for others.
    '--repl-diskless-sync-delay',
    '0',
    '--protected-mode',
    'no',
    '--loglevel',
    'warning',
    '--logfile',
    join(dir, `redis-${port}.log`),
    ...(pw ? ['--requirepass', pw, '--masterauth', pw] : []),
    ...extra,
  ];
  const cluster: SentinelCluster = {
    dir,
    name,
    nodes,
    sentinels,
    sentinelList: '',
    primaryPort: async () => {
      for (const s of sentinels) {
        if (s.child.exitCode !== null) continue;
        try {
          const addr = await sentinelProbe(s.port, (r) =>
            r.call('SENTINEL', 'get-master-addr-by-name', name),
          );
          if (Array.isArray(addr)) return Number(addr[1]);
        } catch {
          // ask the next one
        }
      }
      throw new Error('no Sentinel names a primary');
    },
    waitForFailover: async (from, replicas, ms = 30_000) => {
      let port = from;
      await untilTrue('a failover', ms, async () => {
        port = await cluster.primaryPort();
        if (port === from) return false;
        const info = await dataProbe(port, (r) => r.info('replication'));
        const online = info.match(/^slave\d+:.*state=online/gm) ?? [];
        return /role:master/.test(info) && online.length >= replicas;
      });
      return port;
    },
    destroy: async () => {
      for (const n of [...sentinels, ...nodes]) await n.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const primaryPort = await freePort();
    nodes.push(startNode(primaryPort, dataArgs(primaryPort, [])));
    await untilTrue('the primary', 10_000, () =>
      dataProbe(primaryPort, async (r) => (await r.ping()) === 'PONG'),
    );
    for (let i = 0; i < (opts.replicas ?? 2); i++) {
      const port = await freePort();
      nodes.push(startNode(port, dataArgs(port, ['--replicaof', HOST, String(primaryPort)])));
    }
    await untilTrue('replicas in sync', 15_000, () =>
      dataProbe(primaryPort, async (r) => {
        const info = await r.info('replication');
        return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === nodes.length - 1;
      }),
    );
    for (let i = 0; i < (opts.sentinels ?? 3); i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its config file, so each gets its own, writable.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${HOST}`,
          'protected-mode no',
          `dir ${dir}`,
          `logfile ${join(dir, `sentinel-${port}.log`)}`,
          `sentinel monitor ${name} ${HOST} ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          ...(pw ? [`sentinel auth-pass ${name} ${pw}`] : []),
          ...(spw ? [`requirepass ${spw}`, `sentinel sentinel-pass ${spw}`] : []),
          '',
        ].join('\n'),
      );
      sentinels.push(startNode(port, [conf, '--sentinel']));
    }
    cluster.sentinelList = sentinels.map((s) => `${HOST}:${s.port}`).join(',');
    await untilTrue('Sentinels that know each other and every replica', 20_000, async () => {
      for (const s of sentinels) {
        const ok = await sentinelProbe(s.port, async (r) => {
          const reps = (await r.call('SENTINEL', 'replicas', name)) as string[][];
          const others = (await r.call('SENTINEL', 'sentinels', name)) as string[][];
          const healthy = reps.map(fields).filter((f) => !/s_down|o_down|disconnected/.test(f.flags ?? ''));
          return healthy.length === nodes.length - 1 && others.length === sentinels.length - 1;
        });
        if (!ok) return false;
      }
      return true;
    });
    return cluster;
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
}
