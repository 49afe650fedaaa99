import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      registry: Registry;
      visitorsConnected: Gauge;
      operatorsConnected: Gauge;
      waitSeconds: Histogram;
      relaySeconds: Histogram<'direction'>;
      assignments: Counter;
      /** Delivery attempts of Veilig Thuis reports, by outcome: delivered, retry, failed (for good). */
      reportDeliveries: Counter<'outcome'>;
      /** Purges of ended conversations that failed for good (their jobs are not kept). */
      purgesFailed: Counter;
    };
  }
}

/**
 * Whether an `Authorization` header carries the token (compared in constant time, as
 * digests of equal length); with no token configured, every caller is allowed.
 */
function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (!token) return () => true;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const want = digest(token);
  return (header) => {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), want);
  };
}

/**
 * Prometheus metrics, in a registry of this app's own (several apps can share a process in
 * tests). These are per process: summed over instances they give the line's total. The
 * line-wide gauges are in `cluster.ts`, reported by one instance at a time.
 */
export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const visitorsConnected = new Gauge({
      name: 'sl_visitors_connected',
      help: 'Visitor sockets connected to this instance',
      registers: [registry],
    });
    const operatorsConnected = new Gauge({
      name: 'sl_operators_connected',
      help: 'Operator sockets connected to this instance',
      registers: [registry],
    });
    // Read when scraped: the memory guard's last answer (redis/memory-guard.ts).
    const memoryGuard = app.memoryGuard;
    new Gauge({
      name: 'sl_redis_memory_high',
      help: 'Redis past its high-water mark (REDIS_MEMORY_HIGH_MB): 1 while new conversations are refused',
      registers: [registry],
      collect() {
        this.set(memoryGuard.full ? 1 : 0);
      },
    });
    const waitSeconds = new Histogram({
      name: 'sl_wait_seconds',
      help: 'Time from chat:start to assignment',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers: [registry],
    });
    const relaySeconds = new Histogram({
      name: 'sl_message_relay_seconds',
      help: 'Time from receiving a message to relaying it (validate, encrypt, store, ack, emit)',
      labelNames: ['direction'],
      // Fine below 5 ms, where the relay's p50 and p99 lie on an idle line: with only 0.5,
      // 1, 2 and 5 ms a p99 read as "at most 5 ms".
      buckets: [
        0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
      ],
      registers: [registry],
    });
    const assignments = new Counter({
      name: 'sl_assignments_total',
      help: 'Conversations assigned to an operator',
      registers: [registry],
    });
    const reportDeliveries = new Counter({
      name: 'sl_report_deliveries_total',
      help: 'Delivery attempts of Veilig Thuis reports made by this process, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
    const purgesFailed = new Counter({
      name: 'sl_purges_failed_total',
      help: 'Purges of ended conversations that failed for good in this process; their content still expires (RETENTION_HOURS)',
      registers: [registry],
    });
    app.decorate('metrics', {
      registry,
      purgesFailed,
      visitorsConnected,
      operatorsConnected,
      waitSeconds,
      relaySeconds,
      assignments,
      reportDeliveries,
    });
    const allowed = bearerCheck(app.config.metricsToken);
    if (!app.config.metricsToken && app.config.nodeEnv === 'production')
      app.log.warn('METRICS_TOKEN is not set: /metrics answers anyone who reaches this server');
    app.get('/metrics', async (req, reply) => {
      reply.header('cache-control', 'no-store');
      if (!allowed(req.headers.authorization)) return reply.code(401).send({ error: 'unauthorized' });
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['redis'] },
);
