/**
 * `npm run bench -- --durable-acks`: what REDIS_ACK_REPLICAS=1 costs on the message path.
 * One primary with one replica; two real servers on it, one acking after the primary
 * (REDIS_ACK_REPLICAS=0) and one after `WAIT 1` (REDIS_ACK_REPLICAS=1). Their fixed-rate
 * relay steps alternate, so both see the same machine load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../test/support/redis-server.ts';
import { Fleet, type StepResult } from './fleet.ts';
import { benchOperatorName, createBenchOperators, loginAll } from './operators.ts';
import { generateDataKey, Resources, startOursServer, startRedis } from './procs.ts';
import { capacityFor, randomPrefix } from './run.ts';
import { median } from './stats.ts';

export interface DurableAckOptions {
  visitors: number;
  operators: number;
  /** Messages per second, each way. */
  rate: number;
  durationMs: number;
  /** Alternating steps per server. */
  rounds: number;
  log?: (line: string) => void;
  resources?: Resources;
}

export interface DurableAckSide {
  ackReplicas: number;
  steps: StepResult[];
  /** Medians over the steps, ms: relay (send → delivery) and ack (send → ack), both ways pooled for relay. */
  relayP50: number;
  relayP99: number;
  ackP50: number;
  ackP99: number;
  lost: number;
  refused: number;
}

export interface DurableAckResult {
  options: Omit<DurableAckOptions, 'log' | 'resources'>;
  loadavg: number[];
  sides: DurableAckSide[];
}

/** A replica of `primaryPort`, in sync before this resolves. */
async function startReplica(res: Resources, primaryPort: number, dir: string): Promise<void> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--dbfilename',
      `replica-${port}.rdb`,
      '--save',
      '',
      // As production runs it: AOF, fsync every second.
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--protected-mode',
      'no',
      '--replicaof',
      '127.0.0.1',
      String(primaryPort),
    ],
    { stdio: 'ignore' },
  );
  res.trackPid(child.pid);
  res.add('redis replica', async () => {
    child.kill('SIGKILL');
  });
  const primary = new Redis({ port: primaryPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  primary.on('error', () => {});
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (/^slave0:.*state=online/m.test(await primary.info('replication'))) return;
      await sleep(100);
    }
    throw new Error('the replica did not come in sync within 20 s');
  } finally {
    primary.disconnect();
  }
}

export async function runDurableAcks(opts: DurableAckOptions): Promise<DurableAckResult> {
  const log = opts.log ?? (() => {});
  const res = opts.resources ?? new Resources();
  try {
    const capacity = capacityFor(opts.visitors, opts.operators);
    const dataKey = generateDataKey();
    const redis = await startRedis(res);
    const primaryPort = Number(new URL(redis.url).port);
    const dir = mkdtempSync(join(tmpdir(), 'sl-bench-replica-'));
    res.trackDir(dir);
    await startReplica(res, primaryPort, dir);
    log('primary and replica in sync; starting two servers (REDIS_ACK_REPLICAS=0 and =1)');
    const sides = [];
    // One after the other: the login throttle counts logins in flight per address.
    for (const ackReplicas of [0, 1]) {
      sides.push(
        await (async () => {
          const prefix = randomPrefix();
          const [server, accounts] = await Promise.all([
            startOursServer(res, {
              redisUrl: redis.url,
              prefix,
              dataKey,
              operatorCapacity: capacity,
              env: { REDIS_ACK_REPLICAS: String(ackReplicas), WORKERS: 'inline' },
            }),
            createBenchOperators({ redisUrl: redis.url, prefix, dataKey, count: opts.operators }),
          ]);
          // LOGIN_CHECKS_PER_ADDRESS (2) password checks at once from one address.
          const cookies = await loginAll(server.url, accounts, 2);
          const fleet = new Fleet({
            url: server.url,
            cookies,
            operatorNames: accounts.map((_, i) => benchOperatorName(i)),
          });
          res.add(`clients ${ackReplicas}`, () => fleet.close());
          return { ackReplicas, server, fleet, steps: [] as StepResult[] };
        })(),
      );
    }
    for (const s of sides) {
      log(`REDIS_ACK_REPLICAS=${s.ackReplicas}: ${opts.operators} operators, ${opts.visitors} visitors`);
      await s.fleet.connectOperators();
      const idx = await s.fleet.connectVisitors(opts.visitors);
      await s.fleet.startChats(idx);
      await sleep(500);
      await s.fleet.assignAll(10);
      s.fleet.freezeRelayConversations();
    }
    for (let round = 0; round < opts.rounds; round++) {
      for (const s of round % 2 === 0 ? sides : [...sides].reverse()) {
        log(`REDIS_ACK_REPLICAS=${s.ackReplicas}: relay ${opts.rate}/s each way, round ${round + 1}`);
        s.steps.push(
          await s.fleet.relayStep({
            label: `ack replicas ${s.ackReplicas}`,
            rate: opts.rate,
            durationMs: opts.durationMs,
            drainMs: 5000,
            serverPid: s.server.pid,
          }),
        );
        await sleep(300);
      }
    }
    return {
      options: {
        visitors: opts.visitors,
        operators: opts.operators,
        rate: opts.rate,
        durationMs: opts.durationMs,
        rounds: opts.rounds,
      },
      loadavg: loadavg(),
      sides: sides.map((s) => ({
        ackReplicas: s.ackReplicas,
        steps: s.steps,
        relayP50: median(s.steps.map((x) => x.both.p50)),
        relayP99: median(s.steps.map((x) => x.both.p99)),
        ackP50: median(s.steps.flatMap((x) => [x.v2o.ackLatency.p50, x.o2v.ackLatency.p50])),
        ackP99: median(s.steps.flatMap((x) => [x.v2o.ackLatency.p99, x.o2v.ackLatency.p99])),
        lost: s.steps.reduce((n, x) => n + x.lost, 0),
        refused: s.steps.reduce((n, x) => n + x.v2o.ackRefused + x.o2v.ackRefused, 0),
      })),
    };
  } finally {
    if (!opts.resources) await res.close();
  }
}

/** The report: one line per side, and the cost of waiting for the replica. */
export function formatDurableAcks(r: DurableAckResult): string[] {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const [off, on] = r.sides;
  const lines = [
    `Durable acks: ${r.options.visitors} visitors, ${r.options.operators} operators, ${r.options.rate} msg/s each way, ${r.options.rounds} alternating ${r.options.durationMs / 1000} s steps per server; load average ${r.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
    'REDIS_ACK_REPLICAS  relay p50  relay p99  ack p50   ack p99   lost  refused',
  ];
  for (const s of r.sides) {
    lines.push(
      `${String(s.ackReplicas).padEnd(18)}  ${ms(s.relayP50).padEnd(9)}  ${ms(s.relayP99).padEnd(9)}  ${ms(s.ackP50).padEnd(8)}  ${ms(s.ackP99).padEnd(8)}  ${String(s.lost).padEnd(4)}  ${s.refused}`,
    );
  }
  if (off && on) {
    lines.push(
      `WAIT 1 adds ${ms(on.relayP50 - off.relayP50)} to the median relay latency (${ms(off.relayP50)} → ${ms(on.relayP50)}).`,
    );
  }
  return lines;
}
