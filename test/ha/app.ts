import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';
import { TEST_DATA_KEY, TEST_HASH_KEY } from '../support/app.ts';
import { login, type TestOperator } from '../support/clients.ts';

export interface HaApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  url: string;
  /** Every log line, as raw JSON text: shown when a test fails. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real app on a free port, against the Redis `env` names (REDIS_SENTINELS or
 * REDIS_URL): test/support/app.ts without the suite's shared Redis.
 */
export async function startHaApp(env: Record<string, string>): Promise<HaApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    DATA_KEY: TEST_DATA_KEY,
    HASH_KEY: TEST_HASH_KEY,
    LOG_LEVEL: 'info',
    VISITOR_CONNECTIONS_PER_MIN: '100000',
    VISITOR_OPEN_PER_ADDRESS: '10000',
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

/** An operator account, signed in over HTTP. */
export async function createHaOperator(t: HaApp): Promise<TestOperator> {
  const username = `op${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const account = await t.app.operators.create({
    username,
    password,
    role: 'operator',
    displayName: `Anna ${username}`,
    languages: ['nl', 'en'],
  });
  return { id: account.id, username, password, cookie: await login(t.url, username, password) };
}
