import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';

/** Where Redis is: a URL, or Sentinels that name the current primary. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisSentinels' | 'redisSentinelName'> &
  Partial<Pick<Config, 'redisPassword' | 'redisSentinelPassword'>>;

/**
 * The one place every Redis connection is made: the server's, BullMQ's, the Socket.IO
 * adapter's, the worker's and the CLIs'. With REDIS_SENTINELS, ioredis asks the Sentinels
 * for the primary on every (re)connect. A lost primary closes its connections, and a
 * promoted or demoted one closes its clients' (Sentinel's client protocol), so each
 * connection follows a failover by reconnecting.
 *
 * Not ioredis' `failoverDetector`: in our failover test, a `+switch-master` that arrived
 * while a connection was still reconnecting left it closed for good ("Connection is
 * closed." on every command; 3 of 18 runs). It is off by default in ioredis for a
 * similar reason (redis/ioredis#1362, #1363).
 * @example const sub = createRedis(app.config, { maxRetriesPerRequest: null });
 */
export function createRedis(target: RedisTarget, opts: RedisOptions = {}): Redis {
  const password = target.redisPassword ? { password: target.redisPassword } : {};
  if (target.redisSentinels.length === 0)
    return catchUnawaited(new Redis(withPassword(target.redisUrl, target.redisPassword), opts));
  return catchUnawaited(
    new Redis({
      sentinels: target.redisSentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.redisSentinelName,
      role: 'master',
      // The primary, and after a failover the promoted replica, ask for the same password.
      ...password,
      ...(target.redisSentinelPassword ? { sentinelPassword: target.redisSentinelPassword } : {}),
      // A primary demoted while we were connected answers writes with READONLY: reconnect
      // (to whatever the Sentinels now name) and resend the command.
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      // Keep asking the Sentinels while none answers: the line comes back when they do.
      sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      ...opts,
    }),
  );
}

/**
 * Commands that libraries send without awaiting them: the Socket.IO adapter's and the
 * emitter's PUBLISH, the adapter's (P)UNSUBSCRIBE when it closes, and ioredis' own
 * re-SUBSCRIBE after a reconnect. While Redis is away (a failover, a restart, a close)
 * each of them rejects (`MaxRetriesPerRequestError`, `Connection is closed.`) with
 * nobody to catch it: an unhandled rejection, which ends a Node process by default. A
 * lost publish is repaired as any lost relay is (the clients' resume, the consoles'
 * reconnect); a lost subscription is redone on the next reconnect.
 */
const UNAWAITED = [
  'publish',
  'spublish',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
] as const;

/**
 * Gives each command in UNAWAITED a handler on the connection itself, so that its
 * rejection is never unhandled. A caller that awaits one still gets the error: the same
 * promise is returned.
 */
export function catchUnawaited(conn: Redis): Redis {
  const methods = conn as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of UNAWAITED) {
    const send = methods[name]!.bind(conn);
    methods[name] = (...args: unknown[]) => {
      const p = send(...args);
      p.catch(() => {});
      return p;
    };
  }
  return conn;
}

/**
 * A CLI's one connection: it fails at once, with one sentence that says where Redis was
 * looked for, instead of retrying in the background while the command seems to hang.
 */
export async function connectForCli(target: RedisTarget): Promise<Redis> {
  const redis = createRedis(target, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  redis.on('error', () => {
    // Reported once, below, or by the failing command.
  });
  try {
    await redis.connect();
  } catch {
    throw new Error(
      target.redisSentinels.length > 0
        ? `cannot reach the Redis ${describeTarget(target)}`
        : `cannot reach Redis at ${describeTarget(target).replace(' (REDIS_URL)', '')} (set REDIS_URL)`,
    );
  }
  return redis;
}

/**
 * REDIS_URL with REDIS_PASSWORD in it when it holds none: a password in the URL wins. In
 * the URL, not as an option: ioredis takes a URL that names only a user as an empty
 * password, over the option.
 */
function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const u = new URL(url);
  if (u.password) return url;
  // ioredis decodes the URL's password: `%41` would reach Redis as `A`.
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** Where Redis is, for a message: never a password that REDIS_URL may hold. */
export function describeTarget(target: RedisTarget): string {
  if (target.redisSentinels.length > 0) {
    const list = target.redisSentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `primary "${target.redisSentinelName}" of the Sentinels ${list} (REDIS_SENTINELS)`;
  }
  try {
    const u = new URL(target.redisUrl);
    return `${u.hostname}:${u.port || '6379'} (REDIS_URL)`;
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * At start, with REDIS_SENTINELS: asks each Sentinel for the primary and throws one clear
 * sentence when none answers or none knows REDIS_SENTINEL_NAME. Without this the process
 * would start and keep asking in the background, which looks like a hang.
 * @returns the primary's `host:port` as the first Sentinel that answered names it
 */
export async function checkSentinels(target: RedisTarget, timeoutMs = 3000): Promise<string | undefined> {
  if (target.redisSentinels.length === 0) return undefined;
  const answers = await Promise.all(
    target.redisSentinels.map(async (s) => {
      const conn = new Redis({
        host: s.host,
        port: s.port,
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableOfflineQueue: false,
        ...(target.redisSentinelPassword ? { password: target.redisSentinelPassword } : {}),
      });
      let lastError = '';
      conn.on('error', (err: Error) => {
        // Reported below: "no Sentinel answers", or the password refused.
        lastError = err.message;
      });
      try {
        await conn.connect();
        const addr = (await conn.call('SENTINEL', 'get-master-addr-by-name', target.redisSentinelName)) as
          | [string, string]
          | null;
        return { answered: true, refused: false, addr: addr ? `${addr[0]}:${addr[1]}` : undefined };
      } catch (err) {
        // NOAUTH or WRONGPASS; or AUTH sent to a Sentinel that has no password.
        // The reason comes as the connection's error event; the call only says it closed.
        const refused = /NOAUTH|WRONGPASS|AUTH/.test(
          `${lastError} ${err instanceof Error ? err.message : ''}`,
        );
        return { answered: false, refused, addr: undefined };
      } finally {
        conn.disconnect();
      }
    }),
  );
  const list = target.redisSentinels.map((s) => `${s.host}:${s.port}`).join(',');
  if (!answers.some((a) => a.answered) && answers.some((a) => a.refused)) {
    throw new Error(`the Sentinels at ${list} refuse the password (REDIS_SENTINEL_PASSWORD)`);
  }
  if (!answers.some((a) => a.answered)) {
    throw new Error(`no Sentinel answers at ${list} (REDIS_SENTINELS)`);
  }
  const named = answers.find((a) => a.addr);
  if (!named) {
    throw new Error(
      `the Sentinels at ${list} know no primary named "${target.redisSentinelName}" (REDIS_SENTINEL_NAME)`,
    );
  }
  return named.addr;
}
