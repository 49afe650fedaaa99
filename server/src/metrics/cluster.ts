import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { leadScript } from './scripts.ts';

/** How long the leader's claim lasts without a scrape renewing it. */
const LEAD_TTL_MS = 60_000;

/**
 * Gauges of the whole line (not of one instance): waiting and active conversations, the
 * longest wait, and the BullMQ queues. Every instance serves `/metrics`, but only the
 * leader reports these, so `sum()` over instances is the line's figure, never a multiple.
 * A non-leader reports no sample for them at all.
 */
export function registerClusterGauges(app: FastifyInstance): void {
  const registry = app.metrics.registry;
  prepareScripts(app.redis, [leadScript]);
  const leads = () =>
    runScript(
      app.redis,
      leadScript,
      { leader: app.keys.metricsLeader },
      { instance: app.instanceId, ttlMs: LEAD_TTL_MS },
    );

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
    g.set(all, (await app.queueView.figures()).waiting);
  });
  gauge('sl_longest_wait_seconds', 'The longest wait of a waiting conversation', ['line'], async (g) => {
    const { oldestSince } = await app.queueView.figures();
    g.set(all, oldestSince === null ? 0 : Math.max(0, (Date.now() - oldestSince) / 1000));
  });
  gauge('sl_conversations_active', 'Conversations with an operator', ['line'], async (g) => {
    g.set(all, await app.redis.scard(app.keys.active));
  });
  gauge('sl_queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state'], async (g) => {
    const queues = {
      conversations: app.queues.conversations,
      retention: app.queues.retention,
      reports: app.reportQueue,
    };
    for (const [queue, q] of Object.entries(queues)) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) g.set({ queue, state }, n);
    }
  });
}

/** Registers the cluster-wide gauges once routing and reports exist (servers only). */
export const clusterMetricsPlugin = fp(async (app) => registerClusterGauges(app), {
  name: 'cluster-metrics',
  dependencies: ['metrics', 'routing', 'reports', 'queues'],
});
