import { Emitter } from '@socket.io/redis-emitter';
import { colleaguesResponseSchema, overviewResponseSchema } from '@stille-lijn/shared/rest';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { relayParser, socketChannel } from '../sockets/notify-plugin.ts';
import { supervisionEvents } from './handlers.ts';
import { type LineScope, Supervision } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Reading along, reassigning, the overview and alerts. */
    supervision: Supervision;
  }
}

/** Server-to-server (Socket.IO `serverSideEmit`): a conversation moved; re-check its read-alongs. */
const READ_ALONG_MOVED = 'supervision:moved';

/**
 * How a move reaches the other instances' read-alongs, as an account's access change does
 * (sockets/operator.ts): a server waits for every other server's answer; a worker process,
 * without Socket.IO, publishes through the Redis emitter and cannot wait.
 */
function tellOtherInstances(app: FastifyInstance): (conversationId: string, holder: string) => Promise<void> {
  if (!app.hasDecorator('io')) {
    // The relay's parser too, so that anything this emitter ever broadcasts is sealed like
    // the rest (serverSideEmit itself goes out as ids only).
    const emitter = new Emitter(app.redis, {
      key: socketChannel(app.config.redisPrefix),
      parser: relayParser(app),
    }).of('/operator');
    return async (conversationId, holder) => emitter.serverSideEmit(READ_ALONG_MOVED, conversationId, holder);
  }
  const nsp = app.io.of('/operator');
  return async (conversationId, holder) => {
    try {
      await nsp.serverSideEmitWithAck(READ_ALONG_MOVED, conversationId, holder);
    } catch (err) {
      app.log.warn({ err, conversationId }, 'not every server confirmed a read-along re-check');
    }
  };
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
      lines: app.lines,
      otherInstances: tellOtherInstances(app),
      log: app.log,
    });
    app.decorate('supervision', supervision);
    app.router.onMoved((id, holder) => supervision.moved(id, holder));
    if (!app.hasDecorator('socketFeatures')) return; // a worker process: no HTTP, no sockets
    app.socketFeatures.operator.push(supervisionEvents(supervision));
    app.io.of('/operator').on(READ_ALONG_MOVED, (conversationId: unknown, holder: unknown, ack: unknown) => {
      const done = () => {
        if (typeof ack === 'function') ack(true);
      };
      if (typeof conversationId !== 'string' || typeof holder !== 'string') return done();
      supervision
        .recheckReadAlongs(conversationId, holder)
        .catch((err) => app.log.warn({ err, conversationId }, 'read-along re-check failed'))
        .finally(done);
    });
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
    dependencies: ['conversation-store', 'routing', 'notify', 'audit', 'oncall', 'queues', 'lines'],
  },
);
