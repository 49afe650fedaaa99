import { AppError, errorBody } from '@stille-lijn/shared/errors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import authPlugin from './auth/plugin.ts';
import { type Config, configPlugin } from './config.ts';
import consolePlugin from './console/plugin.ts';
import conversationsPlugin from './conversations/plugin.ts';
import cryptoPlugin from './crypto/plugin.ts';
import healthPlugin from './health/plugin.ts';
import { trustHops } from './http/client-address.ts';
import securityHeadersPlugin, { clientErrorHandler, securityHeaders } from './http/security-headers.ts';
import { createLogger } from './logger.ts';
import metricsPlugin from './metrics/plugin.ts';
import queuesPlugin from './queues/plugin.ts';
import redisPlugin from './redis/plugin.ts';
import reportsPlugin from './reports/plugin.ts';
import routingPlugin from './routing/plugin.ts';
import socketsPlugin from './sockets/plugin.ts';
import staticPlugin from './static/plugin.ts';
import statsPlugin from './stats/plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<Config>;
  }
}

export interface BuildAppOptions {
  config: Readonly<Config>;
  /** Where log lines go (tests capture them here). @default stdout */
  logStream?: DestinationStream;
}

/** Builds the whole app without listening; `main.ts` listens, tests use `inject()` or port 0. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: createLogger(opts.config.logLevel, opts.logStream),
    // A hop count, never `true`: Fastify would then take the client-written leftmost entry.
    trustProxy: opts.config.trustProxy > 0 ? trustHops(opts.config.trustProxy) : false,
    bodyLimit: 64 * 1024,
    clientErrorHandler: clientErrorHandler(securityHeaders(opts.config)),
  }) as unknown as FastifyInstance;

  app.register(configPlugin(opts.config));
  // First, so its hook runs before any other and covers every route, 404 and error.
  app.register(securityHeadersPlugin);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      const body: Record<string, unknown> = { error: err.toBody() };
      if (err.extra.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(err.extra.retryAfterSeconds));
      if (err.details !== undefined) body.fields = err.details;
      return reply.status(err.status).send(body);
    }
    const e = err as { statusCode?: number; code?: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: errorBody('too_large') });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(400).send({ error: errorBody('invalid_payload') });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: errorBody('internal') });
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: errorBody('not_found') }));

  await app.register(redisPlugin);
  await app.register(cryptoPlugin);
  await app.register(metricsPlugin);
  await app.register(queuesPlugin);
  await app.register(authPlugin, {
    // Registered after auth; only called once requests arrive.
    audit: (action, actorId, target) => app.conversations.audit(action, actorId, target),
  });
  await app.register(conversationsPlugin);
  await app.register(socketsPlugin);
  await app.register(routingPlugin);
  await app.register(statsPlugin);
  await app.register(consolePlugin);
  await app.register(reportsPlugin);
  await app.register(healthPlugin);
  await app.register(staticPlugin);
  return app;
}
