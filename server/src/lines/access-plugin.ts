import fp from 'fastify-plugin';
import { LineAccess } from './access.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The line checks every conversation route, event and notice asks. */
    lineAccess: LineAccess;
  }
}

/** Decorates `app.lineAccess`: `app.lines` bound to Redis and the key layout. */
export default fp(
  async (app) => {
    app.decorate(
      'lineAccess',
      new LineAccess({ registry: app.lines, redis: app.redis, conversationKey: app.keys.conversation }),
    );
  },
  { name: 'line-access', dependencies: ['lines', 'redis'] },
);
