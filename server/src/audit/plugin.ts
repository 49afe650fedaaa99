import fp from 'fastify-plugin';
import { decorateLineAccess } from '../lines/access-plugin.ts';
import { AuditLog } from './log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The append-only audit trail (no content). */
    audit: AuditLog;
  }
}

export default fp(
  async (app) => {
    decorateLineAccess(app);
    // Entries about a conversation carry its line (PROTOCOL.md, "Lines").
    const lineOf = (target: string) => app.lineAccess.lineOf(target);
    app.decorate('audit', new AuditLog(app.redis, app.keys.audit, lineOf));
  },
  { name: 'audit', dependencies: ['redis', 'lines'] },
);
