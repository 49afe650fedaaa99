import { languages } from '@stille-lijn/shared';
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
    };
  }
}

/** Prometheus metrics, in a registry of this app's own (several apps can share a process in tests). */
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
    new Gauge({
      name: 'sl_conversations_waiting',
      help: 'Conversations waiting for an operator',
      registers: [registry],
      async collect() {
        const counts = await Promise.all(languages.map((l) => app.redis.zcard(app.key('waiting', l))));
        this.set(counts.reduce((a, b) => a + b, 0));
      },
    });
    new Gauge({
      name: 'sl_conversations_active',
      help: 'Conversations with an operator',
      registers: [registry],
      async collect() {
        this.set(await app.redis.scard(app.key('active')));
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
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    const assignments = new Counter({
      name: 'sl_assignments_total',
      help: 'Conversations assigned to an operator',
      registers: [registry],
    });
    app.decorate('metrics', {
      registry,
      visitorsConnected,
      operatorsConnected,
      waitSeconds,
      relaySeconds,
      assignments,
    });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['redis'] },
);
