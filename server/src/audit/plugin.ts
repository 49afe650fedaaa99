import fp from 'fastify-plugin';
import { AuditLog } from './log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The append-only audit trail (no content). */
    audit: AuditLog;
  }
}

export default fp(
  async (app) => {
    app.decorate('audit', new AuditLog(app.redis, app.keys.audit));
  },
  { name: 'audit', dependencies: ['redis'] },
);
