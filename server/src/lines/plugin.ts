import fp from 'fastify-plugin';
import { LineAccess } from './access.ts';
import { type LineRegistry, loadLines } from './registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The deployment's lines (`LINES_FILE`), read once at boot. */
    lines: LineRegistry;
    /** The line checks every conversation route and event asks. */
    lineAccess: LineAccess;
  }
}

/** Decorates `app.lines` and `app.lineAccess`; a bad `LINES_FILE` stops the start (`ConfigError`). */
export default fp(
  async (app) => {
    if (!app.hasDecorator('lines')) app.decorate('lines', loadLines(app.config));
    app.decorate(
      'lineAccess',
      new LineAccess({ registry: app.lines, redis: app.redis, conversationKey: app.keys.conversation }),
    );
  },
  { name: 'lines', dependencies: ['redis'] },
);
