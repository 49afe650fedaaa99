import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  close(): Promise<void>;
}

/** A fixed test data key, so several instances in one test share it. Never used outside tests. */
export const TEST_DATA_KEY = `t1:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * Builds the real app against the suite's private Redis, with its own key prefix so
 * tests never see each other's data, and listens on a free port.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    DATA_KEY: TEST_DATA_KEY,
    LOG_LEVEL: 'info',
    VISITOR_CONNECTIONS_PER_MIN: '100000',
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
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { app, config, url: `http://127.0.0.1:${port}`, logs, close: () => app.close() };
}
