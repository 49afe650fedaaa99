import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { inject } from 'vitest';
import type { PasswordHasher } from '../../server/src/auth/password.ts';
import authPlugin from '../../server/src/auth/plugin.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';
import cryptoPlugin from '../../server/src/crypto/plugin.ts';
import { useRestContract } from '../../server/src/http/rest.ts';
import linesPlugin from '../../server/src/lines/plugin.ts';
import { createLogger } from '../../server/src/logger.ts';
import redisPlugin from '../../server/src/redis/plugin.ts';

/**
 * The same fixed key as `TEST_DATA_KEY` in ./app.ts, repeated so auth tests do not
 * load the whole app's module graph.
 */
export const AUTH_TEST_DATA_KEY = `t1:${Buffer.alloc(32, 7).toString('base64')}`;

export interface AuthTestApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  /** Every log line so far, raw JSON. */
  logs: string[];
  close(): Promise<void>;
}

export interface AuthTestAppOptions {
  env?: Record<string, string>;
  /** Overrides applied after parsing (e.g. a sessionIdleMs below the env minimum). */
  config?: Partial<Config>;
  hasher?: PasswordHasher;
  now?: () => number;
  /** Registers extra routes before `ready()`. */
  routes?: (app: FastifyInstance) => void;
}

/**
 * A Fastify instance with only config, redis, crypto and auth, for `inject()` tests,
 * against the suite's private Redis under a fresh key prefix.
 */
export async function startAuthApp(opts: AuthTestAppOptions = {}): Promise<AuthTestApp> {
  const config: Readonly<Config> = Object.freeze({
    ...loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
      DATA_KEY: AUTH_TEST_DATA_KEY,
      HASH_KEY: Buffer.alloc(32, 9).toString('base64'),
      LOG_LEVEL: 'info',
      ...opts.env,
    }),
    ...opts.config,
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = Fastify({ loggerInstance: createLogger(config.logLevel, logStream) as FastifyBaseLogger });
  app.register(
    fp(
      async (a) => {
        a.decorate('config', config);
      },
      { name: 'config' },
    ),
  );
  useRestContract(app);
  await app.register(linesPlugin);
  await app.register(redisPlugin);
  await app.register(cryptoPlugin);
  await app.register(authPlugin, {
    ...(opts.hasher ? { hasher: opts.hasher } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  opts.routes?.(app);
  await app.ready();
  return { app, config, logs, close: () => app.close() };
}
