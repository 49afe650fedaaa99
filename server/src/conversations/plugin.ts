import fp from 'fastify-plugin';
import { operatorLifecycleEvents, visitorLifecycleEvents } from './handlers.ts';
import { ConversationLifecycle } from './lifecycle.ts';
import { ConversationStore } from './store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** A conversation's layout in Redis, decoded. */
    store: ConversationStore;
    /** Start, resume, leave and end. */
    lifecycle: ConversationLifecycle;
  }
}

/** The conversation store: every feature reads conversations through it. */
export const storePlugin = fp(
  async (app) => {
    app.decorate(
      'store',
      new ConversationStore({
        redis: app.redis,
        cipher: app.cipher,
        keys: app.keys,
        lineOf: (stored) => app.lines.lineOf(stored),
        // Version 2 (lines): the line's region is the default region of its reports.
        regionOf: (line) => app.lines.get(line)?.region,
      }),
    );
  },
  { name: 'conversation-store', dependencies: ['redis', 'crypto', 'lines'] },
);

/** A conversation's lifecycle, and its `/visitor` and `/operator` events. */
export default fp(
  async (app) => {
    const lifecycle = new ConversationLifecycle({
      redis: app.redis,
      keys: app.keys,
      cipher: app.cipher,
      store: app.store,
      router: app.router,
      waiters: app.waiters,
      roster: app.roster,
      view: app.queueView,
      notifier: app.notifier,
      audit: app.audit,
      oncall: app.oncall,
      config: app.config,
      log: app.log,
      signals: app.signals,
      conversationsQueue: app.queues.conversations,
      retentionQueue: app.queues.retention,
      durable: app.durable,
      lines: app.lines,
      memory: app.memoryGuard,
    });
    app.decorate('lifecycle', lifecycle);
    if (app.hasDecorator('socketFeatures')) {
      app.socketFeatures.visitor.push(visitorLifecycleEvents(lifecycle));
      app.socketFeatures.operator.push(operatorLifecycleEvents(lifecycle));
    }
  },
  {
    name: 'conversations',
    dependencies: ['conversation-store', 'routing', 'notify', 'audit', 'queues', 'oncall', 'signals'],
  },
);
