import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedis } from './connect.ts';

/**
 * REDIS_PASSWORD applies when REDIS_URL holds no password (README), also when the URL names
 * a Redis 6 ACL user: a deployment keeps the secret out of the URL. An ACL user of its own
 * on the suite's Redis, removed after.
 */
describe('REDIS_PASSWORD with REDIS_URL', () => {
  const user = `sl-test-${randomUUID().slice(0, 8)}`;
  // As a password generator makes them: `%41` must not become `A`, nor `@:/#?` end the userinfo.
  const password = `pw%41-${randomUUID()}-@:/#? é+`;
  const admin = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  const open: Redis[] = [];
  const url = new URL(inject('redisUrl'));
  const at = (userinfo: string) => `redis://${userinfo}${url.host}`;
  const ping = async (redisUrl: string, redisPassword?: string) => {
    const conn = createRedis(
      { redisUrl, redisSentinels: [], redisSentinelName: 'mymaster', redisPassword },
      { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true },
    );
    open.push(conn);
    return conn.ping().catch((err: Error) => err.message);
  };
  beforeAll(async () => {
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('is sent with the user the URL names', async () => {
    expect(await ping(at(`${user}@`), password)).toBe('PONG');
  });

  it('gives way to a password in the URL', async () => {
    expect(await ping(at(`${user}:${encodeURIComponent(password)}@`), 'not-this-one')).toBe('PONG');
  });
});
