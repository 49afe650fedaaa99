import fp from 'fastify-plugin';
import type { Redis, RedisOptions } from 'ioredis';
import { closeConnection } from './close.ts';
import { checkSentinels, createRedis } from './connect.ts';
import { DurableAcks } from './durable.ts';
import { type RedisKeys, redisKeys } from './keys.ts';
import { MemoryGuard } from './memory-guard.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The main Redis connection (commands). */
    redis: Redis;
    /** Builds a prefixed Redis key: `key('conv', id)` → `sl:conv:<id>`. Prefer `keys`. */
    key: (...parts: string[]) => string;
    /** Every key name, under REDIS_PREFIX (`redis/keys.ts`). */
    keys: RedisKeys;
    /**
     * Opens a new connection to the same Redis (for subscribers and BullMQ), through
     * REDIS_SENTINELS when set; the caller closes it.
     */
    newRedis: (opts?: RedisOptions) => Redis;
    /** Acks that wait for REDIS_ACK_REPLICAS replicas (`redis/durable.ts`). */
    durable: DurableAcks;
    /** Whether Redis is past its high-water mark, where no new conversation starts (`redis/memory-guard.ts`). */
    memoryGuard: MemoryGuard;
  }
}

export default fp(
  async (app) => {
    const { redisPrefix } = app.config;
    // All Sentinels down at start is a clear error, not a silent wait.
    await checkSentinels(app.config);
    const newRedis = (opts: RedisOptions = {}): Redis => {
      const r = createRedis(app.config, { lazyConnect: false, ...opts });
      // Connection errors are logged without the URL (it may hold a password).
      r.on('error', (err: Error & { code?: string }) => {
        app.log.warn({ code: err.code }, 'redis connection error');
      });
      return r;
    };
    const redis = newRedis({ maxRetriesPerRequest: 3, enableAutoPipelining: true });
    // The message path's own connection (redis/durable.ts says why), with WAIT on it when
    // acks wait for replicas.
    const waits = app.config.redisAckReplicas > 0;
    const messageConn = newRedis({ maxRetriesPerRequest: waits ? 1 : 3, enableAutoPipelining: true });
    if (waits) {
      // Said once at start: too few replicas means every durable ack is `unavailable`.
      const wanted = app.config.redisAckReplicas;
      messageConn
        .info('replication')
        .then((info) => {
          const connected = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
          if (connected < wanted) {
            app.log.warn(
              { replicas: connected, wanted },
              'fewer replicas than REDIS_ACK_REPLICAS: acks are unavailable until enough are connected',
            );
          }
        })
        .catch(() => {
          // Redis not reachable yet: the connection error is logged already.
        });
    }
    const keys = redisKeys(redisPrefix);
    app.decorate('redis', redis);
    app.decorate('newRedis', newRedis);
    app.decorate(
      'durable',
      new DurableAcks({
        conn: messageConn,
        replicas: app.config.redisAckReplicas,
        timeoutMs: app.config.redisAckTimeoutMs,
        fenceKey: keys.ackFence,
      }),
    );
    app.decorate('keys', keys);
    app.decorate('key', keys.join);
    const memoryGuard = new MemoryGuard({ redis, log: app.log, highBytes: app.config.redisMemoryHighBytes });
    memoryGuard.start();
    app.decorate('memoryGuard', memoryGuard);
    app.addHook('onClose', async () => {
      memoryGuard.stop();
      await closeConnection(redis);
      await closeConnection(messageConn);
    });
  },
  { name: 'redis', dependencies: ['config'] },
);
