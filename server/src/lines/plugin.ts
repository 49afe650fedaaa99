import fp from 'fastify-plugin';
import { type LineRegistry, loadLines } from './registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The deployment's lines (`LINES_FILE`), read once at boot. */
    lines: LineRegistry;
  }
}

/**
 * Reads `LINES_FILE` at boot and decorates `app.lines`. A bad file throws a `ConfigError`
 * with one line per problem, so the server (and the worker) refuse to start, as they do
 * for a bad `VT_REGIONS_FILE`.
 */
export default fp(
  async (app) => {
    const lines = loadLines(app.config);
    app.decorate('lines', lines);
    if (lines.configured) app.log.info({ lines: lines.all.map((l) => l.id) }, 'lines');
  },
  { name: 'lines', dependencies: ['config'] },
);
