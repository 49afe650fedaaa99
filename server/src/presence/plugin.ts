import fp from 'fastify-plugin';
import { presenceEvents } from './handlers.ts';
import { Presence } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who is there: operators' consoles and visitors' sockets. */
    presence: Presence;
  }
}

export default fp(
  async (app) => {
    const presence = new Presence({
      redis: app.redis,
      keys: app.keys,
      store: app.store,
      lifecycle: app.lifecycle,
      router: app.router,
      roster: app.roster,
      view: app.queueView,
      config: app.config,
      conversationsQueue: app.queues.conversations,
    });
    app.decorate('presence', presence);
    if (app.hasDecorator('socketFeatures')) app.socketFeatures.operator.push(presenceEvents(presence));
  },
  { name: 'presence', dependencies: ['conversations', 'routing'] },
);
