import { colleaguesResponseSchema, overviewResponseSchema } from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { supervisionEvents } from './handlers.ts';
import { type LineScope, Supervision } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Reading along, reassigning, the overview and alerts. */
    supervision: Supervision;
  }
}

/** Supervision, its `/operator` events, `GET /api/supervisor/overview` and `GET /api/colleagues`. */
export default fp(
  async (app) => {
    const supervision = new Supervision({
      redis: app.redis,
      keys: app.keys,
      config: app.config,
      oncall: app.oncall,
      conversationsQueue: app.queues.conversations,
      store: app.store,
      roster: app.roster,
      router: app.router,
      notifier: app.notifier,
      audit: app.audit,
    });
    app.decorate('supervision', supervision);
    if (!app.hasDecorator('socketFeatures')) return; // a worker process: no HTTP, no sockets
    app.socketFeatures.operator.push(supervisionEvents(supervision));
    const routes = app.withTypeProvider<ZodTypeProvider>();
    // Lines (PROTOCOL.md): the conversations the caller's lines may reach, and the
    // colleagues who share a line with the caller (admins: everything).
    const lineScope = (me: OperatorAccount): LineScope => {
      const mine = app.lineAccess.linesOfAccount(me);
      return {
        mayReach: (id) => app.lineAccess.mayReach(me, id),
        async sharesLine(operatorId) {
          const other = await app.operators.get(operatorId);
          if (!other) return false;
          for (const l of app.lineAccess.linesOfAccount(other)) if (mine.has(l)) return true;
          return false;
        },
      };
    };
    routes.get(
      '/api/supervisor/overview',
      {
        schema: { response: { 200: overviewResponseSchema } },
        preValidation: app.requireRole('supervisor', 'admin'),
      },
      async (req) => {
        const me = currentOperator(req);
        // The session the look is audited under (always set once requireRole passed).
        const sessionId = req.operatorSessionId ?? me.id;
        return supervision.overview({ id: me.id, sessionId }, lineScope(me));
      },
    );
    // Who a conversation can be handed to: the colleagues signed in now, by name.
    const colleagues = { response: { 200: colleaguesResponseSchema } };
    routes.get(
      '/api/colleagues',
      { schema: colleagues, preValidation: app.requireOperator },
      async (req) => ({
        colleagues: await supervision.colleaguesOf(currentOperator(req).id, lineScope(currentOperator(req))),
      }),
    );
  },
  {
    name: 'supervision',
    dependencies: ['conversation-store', 'routing', 'notify', 'audit', 'oncall', 'queues'],
  },
);
