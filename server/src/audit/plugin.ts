import fp from 'fastify-plugin';
import { ActionBudget } from './budget.ts';
import { AuditLog } from './log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The append-only audit trail (no content). */
    audit: AuditLog;
    /** Each account's hourly budget of audited actions (ACTION_BUDGET_PER_HOUR). */
    actionBudget: ActionBudget;
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
    app.decorate('actionBudget', new ActionBudget(app.redis, app.keys));
  },
  { name: 'audit', dependencies: ['redis', 'lines'] },
);
