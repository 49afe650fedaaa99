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
    // A target whose conversation record exists is a conversation: its line goes with the entry.
    const lineOf = async (target: string) => {
      const [state, line] = await app.redis.hmget(app.keys.conversation(target), 'state', 'line');
      return state ? app.lines.lineOf(line ?? '') : undefined;
    };
    app.decorate('audit', new AuditLog(app.redis, app.keys, lineOf));
  },
  { name: 'audit', dependencies: ['redis', 'lines'] },
);
