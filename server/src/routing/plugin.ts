import fp from 'fastify-plugin';
import { routingEvents } from './handlers.ts';
import { QueueView } from './queue-view.ts';
import { Roster } from './roster.ts';
import { Router } from './router.ts';
import { Waiters } from './waiters.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** What routing knows of operators. */
    roster: Roster;
    /** The queue as operators and waiting visitors see it. */
    queueView: QueueView;
    /** Who holds which conversation. */
    router: Router;
    /** Waiters whose visitor is gone. */
    waiters: Waiters;
  }
}

/** Routing: the roster of operators, the queue view, the router and their `/operator` events. */
export default fp(
  async (app) => {
    const roster = new Roster({ redis: app.redis, keys: app.keys, capacity: app.config.operatorCapacity });
    const view = new QueueView({
      redis: app.redis,
      keys: app.keys,
      notifier: app.notifier,
      roster,
      log: app.log,
      openSignals: (id, sealed) => app.store.openSignalSummaries(id, sealed),
      lines: app.lines,
    });
    const router = new Router({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      roster,
      view,
      notifier: app.notifier,
      audit: app.audit,
      config: app.config,
      log: app.log,
      metrics: { waitSeconds: app.metrics.waitSeconds, assignments: app.metrics.assignments },
      lines: app.lines,
      conversationsQueue: app.queues.conversations,
    });
    const waiters = new Waiters({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      view,
      config: app.config,
      log: app.log,
      lines: app.lines,
    });
    app.decorate('roster', roster);
    app.decorate('waiters', waiters);
    app.decorate('queueView', view);
    app.decorate('router', router);
    if (app.hasDecorator('socketFeatures')) app.socketFeatures.operator.push(routingEvents(router));
    app.addHook('onClose', async () => {
      router.close();
      view.close();
    });
  },
  { name: 'routing', dependencies: ['conversation-store', 'notify', 'audit', 'metrics', 'lines', 'queues'] },
);
