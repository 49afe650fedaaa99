import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';

export interface TestApp {
  /** The live app; `restart()` replaces it. */
  app: FastifyInstance;
  config: Readonly<Config>;
  /** http://127.0.0.1:<port>; the same across `restart()`. */
  url: string;
  /** Every log line written so far, as raw JSON text (across restarts). */
  logs: string[];
  close(): Promise<void>;
  /**
   * A server restart: closes the live app as a shutdown does, then builds a new one with
   * the same config (Redis prefix, data key) on the same port, so clients get back by themselves.
   */
  restart(): Promise<void>;
}

/** A fixed test data key, so several instances in one test share it. Never used outside tests. */
export const TEST_DATA_KEY = `t1:${Buffer.alloc(32, 7).toString('base64')}`;
/** A fixed hash key for the same reason. */
export const TEST_HASH_KEY = Buffer.alloc(32, 9).toString('base64');

const HOST = '127.0.0.1';

/** Listens on `port`, waiting a little if the port is still held (0 picks a free one). */
async function listen(app: FastifyInstance, port: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await app.listen({ port, host: HOST });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw err;
      await sleep(100);
    }
  }
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

/**
 * Builds the real app against the suite's private Redis, with its own key prefix so
 * tests never see each other's data, and listens on a free port. `env` may name another
 * Redis (REDIS_URL, or REDIS_SENTINELS as the `ha` project's tests do, which have no
 * suite Redis).
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const ownRedis = env.REDIS_URL !== undefined || env.REDIS_SENTINELS !== undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST,
    ...(ownRedis ? {} : { REDIS_URL: inject('redisUrl') }),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    DATA_KEY: TEST_DATA_KEY,
    HASH_KEY: TEST_HASH_KEY,
    LOG_LEVEL: 'info',
    VISITOR_CONNECTIONS_PER_MIN: '100000',
    VISITOR_SOCKETS_PER_ADDRESS: '100000',
    // Every test visitor comes from 127.0.0.1; the limit's own tests set it.
    VISITOR_OPEN_PER_ADDRESS: '10000',
    VISITOR_STARTS_PER_HOUR: '1000000',
    SOCKET_EVENTS_PER_S: '1000',
    ...env,
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = await buildApp({ config, logStream });
  const port = await listen(app, config.port);
  const t: TestApp = {
    app,
    config,
    url: `http://${HOST}:${port}`,
    logs,
    close: () => t.app.close(),
    async restart() {
      await t.app.close();
      const next = await buildApp({ config, logStream });
      try {
        await listen(next, port);
      } catch (err) {
        await next.close();
        throw err;
      }
      t.app = next;
    },
  };
  return t;
}
