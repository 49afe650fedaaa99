import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { leadScript } from './scripts.ts';

/** How long the leader's claim lasts without a scrape renewing it. */
const LEAD_TTL_MS = 60_000;

/**
 * How long the leader reuses the line's figures. Reading them costs Redis commands for
 * every line and language (four per waiting set) and three queues' job counts, and
 * `/metrics` answers whoever reaches it: without a pause between reads, a loop of scrapes
 * became a loop of a few hundred commands each on the Redis every chat depends on.
 * Prometheus scrapes every 15 s or so; 5 s old is fresh enough for it.
 */
export const FIGURES_TTL_MS = 5_000;

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

interface LineFigures {
  waiting: number;
  oldestSince: number | null;
  active: number;
  jobs: { queue: string; counts: Record<string, number> }[];
}

/**
 * Gauges of the whole line (not of one instance): waiting and active conversations, the
 * longest wait, and the BullMQ queues. Every instance serves `/metrics`, but only the
 * leader reports these, so `sum()` over instances is the line's figure, never a multiple.
 * A non-leader reports no sample for them at all.
 */
export function registerClusterGauges(app: FastifyInstance): void {
  const registry = app.metrics.registry;
  prepareScripts(app.redis, [leadScript]);
  // One claim per scrape: prom-client collects every gauge at once, so the four share it.
  let leading: Promise<boolean> | undefined;
  const leads = () => {
    leading ??= runScript(
      app.redis,
      leadScript,
      { leader: app.keys.metricsLeader },
      { instance: app.instanceId, ttlMs: LEAD_TTL_MS },
    ).finally(() => {
      leading = undefined;
    });
    return leading;
  };

  let cached: { at: number; figures: Promise<LineFigures> } | undefined;
  const readFigures = async (): Promise<LineFigures> => {
    const queues = {
      conversations: app.queues.conversations,
      retention: app.queues.retention,
      reports: app.reportQueue,
    };
    const [{ waiting, oldestSince }, active, jobs] = await Promise.all([
      app.queueView.figures(),
      app.redis.scard(app.keys.active),
      Promise.all(
        Object.entries(queues).map(async ([queue, q]) => ({
          queue,
          counts: await q.getJobCounts(...QUEUE_STATES),
        })),
      ),
    ]);
    return { waiting, oldestSince, active, jobs };
  };
  /** The line's figures, read at most once per FIGURES_TTL_MS (a failed read is not kept). */
  const figures = () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= FIGURES_TTL_MS) {
      const read = readFigures();
      cached = { at: now, figures: read };
      read.catch(() => {
        if (cached?.figures === read) cached = undefined;
      });
    }
    return cached.figures;
  };

  const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => Promise<void>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        if (await leads()) await read(this);
      },
    });

  // A labelled gauge has no sample until set, so a non-leader reports nothing (an unlabelled
  // one would report 0, which a sum gets right, but a max or an alert would not).
  const all = { line: 'all' };
  gauge('sl_conversations_waiting', 'Conversations waiting for an operator', ['line'], async (g) => {
    g.set(all, (await figures()).waiting);
  });
  gauge('sl_longest_wait_seconds', 'The longest wait of a waiting conversation', ['line'], async (g) => {
    const { oldestSince } = await figures();
    g.set(all, oldestSince === null ? 0 : Math.max(0, (Date.now() - oldestSince) / 1000));
  });
  gauge('sl_conversations_active', 'Conversations with an operator', ['line'], async (g) => {
    g.set(all, (await figures()).active);
  });
  gauge('sl_queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state'], async (g) => {
    for (const { queue, counts } of (await figures()).jobs)
      for (const [state, n] of Object.entries(counts)) g.set({ queue, state }, n);
  });
}

/** Registers the cluster-wide gauges once routing and reports exist (servers only). */
export const clusterMetricsPlugin = fp(async (app) => registerClusterGauges(app), {
  name: 'cluster-metrics',
  dependencies: ['metrics', 'routing', 'reports', 'queues'],
});
