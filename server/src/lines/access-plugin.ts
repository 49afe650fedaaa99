import type { FastifyInstance } from 'fastify';
import { LineAccess } from './access.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The line checks every conversation route, event, notice and audit entry asks. */
    lineAccess: LineAccess;
  }
}

/**
 * Decorates `app.lineAccess` (`app.lines` bound to Redis and the key layout), once. The
 * audit plugin calls it, being the first plugin after Redis that needs it, in the server
 * and in the worker alike; plugins that use it depend on `audit`.
 */
export function decorateLineAccess(app: FastifyInstance): void {
  if (app.hasDecorator('lineAccess')) return;
  app.decorate(
    'lineAccess',
    new LineAccess({ registry: app.lines, redis: app.redis, conversationKey: app.keys.conversation }),
  );
}
