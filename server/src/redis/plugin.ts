import fp from 'fastify-plugin';
import { Redis, type RedisOptions } from 'ioredis';
import { closeConnection } from './close.ts';
import { type RedisKeys, redisKeys } from './keys.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The main Redis connection (commands). */
    redis: Redis;
    /** Builds a prefixed Redis key: `key('conv', id)` → `sl:conv:<id>`. Prefer `keys`. */
    key: (...parts: string[]) => string;
    /** Every key name, under REDIS_PREFIX (`redis/keys.ts`). */
    keys: RedisKeys;
    /** Opens a new connection to the same Redis (for subscribers and BullMQ); the caller closes it. */
    newRedis: (opts?: RedisOptions) => Redis;
  }
}

export default fp(
  async (app) => {
    const { redisUrl, redisPrefix } = app.config;
    const newRedis = (opts: RedisOptions = {}): Redis => {
      const r = new Redis(redisUrl, { lazyConnect: false, ...opts });
      // Connection errors are logged without the URL (it may hold a password).
      r.on('error', (err: Error & { code?: string }) => {
        app.log.warn({ code: err.code }, 'redis connection error');
      });
      return r;
    };
    const redis = newRedis({ maxRetriesPerRequest: 3, enableAutoPipelining: true });
    app.decorate('redis', redis);
    app.decorate('newRedis', newRedis);
    const keys = redisKeys(redisPrefix);
    app.decorate('keys', keys);
    app.decorate('key', keys.join);
    app.addHook('onClose', async () => {
      await closeConnection(redis);
    });
  },
  { name: 'redis', dependencies: ['config'] },
);
