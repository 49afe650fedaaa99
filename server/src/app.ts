import { errorBody } from '@stille-lijn/shared/errors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import assessmentPlugin from './assessment/plugin.ts';
import auditPlugin from './audit/plugin.ts';
import auditRoutes from './audit/routes.ts';
import authPlugin from './auth/plugin.ts';
import blocksPlugin from './blocks/plugin.ts';
import cannedPlugin from './canned/plugin.ts';
import { type Config, configPlugin } from './config.ts';
import conversationsPlugin, { storePlugin } from './conversations/plugin.ts';
import conversationRoutes from './conversations/routes.ts';
import cryptoPlugin from './crypto/plugin.ts';
import healthPlugin from './health/plugin.ts';
import { trustHops } from './http/client-address.ts';
import { useRestContract } from './http/rest.ts';
import securityHeadersPlugin, { clientErrorHandler, securityHeaders } from './http/security-headers.ts';
import linesPlugin from './lines/plugin.ts';
import linesPublicRoutes from './lines/public-routes.ts';
import lineRoutes from './lines/routes.ts';
import { createLogger, newInstanceId } from './logger.ts';
import messagesPlugin from './messages/plugin.ts';
import { clusterMetricsPlugin } from './metrics/cluster.ts';
import metricsPlugin from './metrics/plugin.ts';
import oncallPlugin from './oncall/plugin.ts';
import adminRoutes from './operators/admin-routes.ts';
import presencePlugin from './presence/plugin.ts';
import queuesPlugin from './queues/plugin.ts';
import redisPlugin from './redis/plugin.ts';
import reportsPlugin from './reports/plugin.ts';
import routingPlugin from './routing/plugin.ts';
import workersPlugin from './routing/workers-plugin.ts';
import shiftPlugin from './shift/plugin.ts';
import signalsPlugin from './signals/plugin.ts';
import notifyPlugin from './sockets/notify-plugin.ts';
import socketsPlugin from './sockets/plugin.ts';
import staticPlugin from './static/plugin.ts';
import figuresPlugin from './stats/figures-plugin.ts';
import statsPlugin from './stats/plugin.ts';
import supervisionPlugin from './supervision/plugin.ts';

/**
 * Failed sign-ins of one account are audited once per window, the login throttle's
 * (`DEFAULT_LOGIN_LIMITS.pairWindowMs`): the entry says that someone failed on the account
 * then; the throttle counts the attempts. @default 900000 (15 minutes)
 */
export const LOGIN_FAILED_AUDIT_WINDOW_MS = 15 * 60_000;

/**
 * One `login` (and one `logout`) entry per account per this window, however many: a sign-in
 * is never refused for the action budget (that would keep an operator out of a night shift
 * because a console of theirs retried too often), so a loop of sign-ins and sign-outs is
 * bounded here instead: 2 entries per 10 s is some four months to push out the 1,000,000
 * entries kept. Every sign-in still makes its own session; only repeats within seconds of
 * one another share an entry.
 * @default 10000
 */
export const SIGN_IN_AUDIT_WINDOW_MS = 10_000;

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
    /** This instance's id, in every log line (`instance`). */
    instanceId: string;
  }
}

export interface BuildAppOptions {
  config: Readonly<Config>;
  /** Where log lines go (tests capture them here). @default stdout */
  logStream?: DestinationStream;
}

/** Builds the whole app without listening; `main.ts` listens, tests use `inject()` or port 0. */
/** Methods whose requests change something, each worth an audit entry. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `own`: the route spends the account's budget of audited actions itself (reports). */
    actionBudget?: 'own';
  }
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const instanceId = newInstanceId();
  const logger: FastifyBaseLogger = createLogger(opts.config.logLevel, opts.logStream, instanceId);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    // A hop count, never `true`: Fastify would then take the client-written leftmost entry.
    trustProxy: opts.config.trustProxy > 0 ? trustHops(opts.config.trustProxy) : false,
    bodyLimit: 64 * 1024,
    clientErrorHandler: clientErrorHandler(securityHeaders()),
  });

  app.register(configPlugin(opts.config));
  app.decorate('instanceId', instanceId);
  // First, so its hook runs before any other and covers every route, 404 and error.
  app.register(securityHeadersPlugin);

  useRestContract(app);
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: errorBody('not_found') }));

  // Infrastructure first, then Socket.IO (so that the features can add their events),
  // then one plugin per feature.
  // The lines first: a bad LINES_FILE stops the boot before anything connects.
  await app.register(linesPlugin);
  await app.register(redisPlugin);
  await app.register(cryptoPlugin);
  await app.register(metricsPlugin);
  await app.register(queuesPlugin);
  await app.register(auditPlugin);
  await app.register(authPlugin, {
    audit: async (action, actorId, target) => {
      // Failed sign-ins of one account: one entry per window, however many. Anyone who
      // knows usernames can fail sign-ins without an account; one entry each would let
      // them push older entries out of the (capped) audit stream.
      const windowMs =
        action === 'login-failed'
          ? LOGIN_FAILED_AUDIT_WINDOW_MS
          : action === 'login' || action === 'logout'
            ? SIGN_IN_AUDIT_WINDOW_MS
            : undefined;
      if (windowMs !== undefined) {
        const gate = app.keys.auditOnce(action, actorId);
        await app.audit.recordOncePer({ gate, windowMs }, action, actorId, target);
        return;
      }
      await app.audit.record(action, actorId, target);
    },
  });
  // Every state-changing request of a signed-in account (admin, canned responses, blocks,
  // password, reports) spends its budget of audited actions before the handler runs
  // (ACTION_BUDGET_PER_HOUR): each writes an entry, and none may push older ones out of the
  // capped stream by repetition. Signing in and out are bounded by SIGN_IN_AUDIT_WINDOW_MS
  // instead (neither has a signed-in account here); a route that spends on its own (with a
  // budget of its own too) says so in its config.
  app.addHook('preHandler', async (req) => {
    if (!req.operator || !STATE_CHANGING.has(req.method)) return;
    if (req.routeOptions.config.actionBudget === 'own') return;
    await app.actionBudget.spend(req.operator.id);
  });
  await app.register(socketsPlugin);
  await app.register(notifyPlugin);
  await app.register(storePlugin);
  await app.register(routingPlugin);
  await app.register(oncallPlugin);
  await app.register(signalsPlugin);
  await app.register(conversationsPlugin);
  await app.register(figuresPlugin);
  await app.register(presencePlugin);
  await app.register(messagesPlugin);
  await app.register(supervisionPlugin);
  await app.register(assessmentPlugin);
  await app.register(blocksPlugin);
  await app.register(shiftPlugin);
  await app.register(workersPlugin);
  await app.register(conversationRoutes);
  await app.register(adminRoutes);
  await app.register(cannedPlugin);
  await app.register(statsPlugin);
  await app.register(lineRoutes);
  await app.register(auditRoutes);
  await app.register(reportsPlugin);
  await app.register(clusterMetricsPlugin);
  await app.register(healthPlugin);
  await app.register(linesPublicRoutes);
  await app.register(staticPlugin);
  return app;
}
