import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, inject } from 'vitest';
import { type RedisKeys, redisKeys } from '../../server/src/redis/keys.ts';
import { type LuaScript, prepareScripts } from '../../server/src/redis/scripts.ts';

type AnyScript = LuaScript<readonly string[], readonly string[], unknown>;

/** What a Lua integration test works with; fresh for every test. */
export interface LuaTest {
  /** A connection with the scripts prepared. */
  readonly redis: Redis;
  /** The test's own keys, under its own prefix. */
  readonly k: RedisKeys;
  /** Another connection with the scripts prepared: parallel callers race on separate sockets. */
  connection(): Redis;
  /** Every key under the test's prefix, sorted. */
  keys(): Promise<string[]>;
}

/**
 * Registers hooks that give each test its own prefix and prepared connections, and close
 * them afterwards, as BullMQ's own suite does.
 */
export function useLuaTest(scripts: readonly AnyScript[]): LuaTest {
  let open: Redis[] = [];
  let k: RedisKeys | undefined;
  const connect = (): Redis => {
    const redis = new Redis(inject('redisUrl'), { lazyConnect: false, maxRetriesPerRequest: 1 });
    prepareScripts(redis, scripts);
    open.push(redis);
    return redis;
  };
  let main: Redis | undefined;
  beforeEach(() => {
    k = redisKeys(`t${randomUUID().slice(0, 8)}`);
    main = connect();
  });
  afterEach(async () => {
    const closing = open;
    open = [];
    main = undefined;
    await Promise.all(closing.map((r) => r.quit()));
  });
  return {
    get redis() {
      if (!main) throw new Error('useLuaTest: no test is running');
      return main;
    },
    get k() {
      if (!k) throw new Error('useLuaTest: no test is running');
      return k;
    },
    connection: connect,
    async keys() {
      if (!main || !k) throw new Error('useLuaTest: no test is running');
      return (await main.keys(`${k.prefix}:*`)).sort();
    },
  };
}
