import { RETURN_WINDOW_MAX_MIN } from '@stille-lijn/shared/domain/return-code';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { isInternalHost } from './http/internal-host.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const origin = z.string().refine((v) => {
  try {
    return new URL(v).origin === v;
  } catch {
    return false;
  }
}, 'must be an origin such as https://example.nl (scheme, host and port only)');

/**
 * Every environment variable the server reads. Parsed once at boot and frozen;
 * no other file reads `process.env`.
 */
const envSchema = z.object({
  /** @default 'development' */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** @default 8080 */
  PORT: int(0, 65535).default(8080),
  /** @default '0.0.0.0' */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** The public origin of this helpline, e.g. https://chat.stillelijn.nl. @default http://localhost:PORT */
  PUBLIC_URL: httpUrl.optional(),
  /** @default 'redis://127.0.0.1:6379' */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /**
   * Redis Sentinels, `host:port,host:port,…`: when set, every connection asks them for the
   * primary named REDIS_SENTINEL_NAME and follows a failover; REDIS_URL is then not used.
   */
  REDIS_SENTINELS: list
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, {
              error: 'must be a list of host:port (e.g. sentinel-1:26379,sentinel-2:26379)',
              abort: true,
            })
            .refine((v) => {
              const port = Number(v.slice(v.lastIndexOf(':') + 1));
              return port >= 1 && port <= 65535;
            }, 'has a port outside 1-65535'),
        )
        .min(1, 'must name at least one Sentinel as host:port'),
    )
    .optional(),
  /** The primary's name the Sentinels know it by. @default 'mymaster' */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .default('mymaster'),
  /**
   * The password of the Redis data nodes (AUTH). With REDIS_SENTINELS every connection to
   * the primary uses it; with REDIS_URL it applies when the URL holds none
   * (`redis://:password@host:6379` does the same).
   */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** The password of the Sentinels themselves (their `requirepass`), when they have one. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /**
   * Replicas that must hold a message, note, acute marking, report or return-code redemption
   * before it is acknowledged (Redis `WAIT`); 0 acknowledges once the primary has it. @default 0
   */
  REDIS_ACK_REPLICAS: int(0, 16).default(0),
  /** How long (ms) an ack waits for REDIS_ACK_REPLICAS before it is `unavailable`. @default 1000 */
  REDIS_ACK_TIMEOUT_MS: int(1, 60_000).default(1000),
  /**
   * Redis memory (MB, `used_memory`) past which no new conversation is started
   * (`redis/memory-guard.ts`); 0: 90 % of Redis' `maxmemory` when it has one, else never.
   * @default 0
   */
  REDIS_MEMORY_HIGH_MB: z.coerce.number().min(0).max(10_000_000).default(0),
  /** Key prefix for every Redis key and BullMQ queue. @default 'sl' */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('sl'),
  /** Data keys: `kid:base64key[,kid:base64key]`, the first is current. */
  DATA_KEY: z.string().optional(),
  /** A file holding DATA_KEY's value. */
  DATA_KEY_FILE: z.string().optional(),
  /** Origins allowed to embed the widget (frame-ancestors). @default PUBLIC_URL's origin */
  EMBED_ORIGINS: list.pipe(z.array(origin)).optional(),
  /** Active conversations per operator. @default 3 */
  OPERATOR_CAPACITY: int(1, 100).default(3),
  /** Seconds an operator may be disconnected before their conversations are requeued. @default 30 */
  OPERATOR_GRACE_S: int(1, 3600).default(30),
  /** Minutes a visitor can return after a quick exit or a drop. @default 15 */
  RETURN_WINDOW_MIN: z.coerce.number().min(0.05).max(RETURN_WINDOW_MAX_MIN).default(15),
  /** Hours after its end that a conversation is deleted. @default 72 */
  RETENTION_HOURS: z.coerce
    .number()
    .min(0.0001)
    .max(24 * 90)
    .default(72),
  /** Where quick exit goes. @default 'https://www.buienradar.nl/' */
  QUICK_EXIT_URL: httpUrl.default('https://www.buienradar.nl/'),
  /**
   * Upper end of the wait estimate (s) from which the widget shows 0800-2000 and 112 while
   * waiting (with nobody staffed it shows them at once). @default 600
   */
  WAIT_ALTERNATIVES_S: int(0, 86_400).default(600),
  /** JSON file with the Veilig Thuis regions. */
  VT_REGIONS_FILE: z.string().optional(),
  /** Version 2: JSON file with the lines (PROTOCOL.md, "Lines"); one line, `default`, without. */
  LINES_FILE: z.string().optional(),
  /** Delivery attempts of a Veilig Thuis report before it is `failed`. @default 8 */
  REPORT_MAX_ATTEMPTS: int(1, 100).default(8),
  /** The first delay (ms) between delivery attempts; it doubles each time. @default 5000 */
  REPORT_BACKOFF_MS: int(1, 3_600_000).default(5000),
  /** Days a delivered report's sealed copy is kept. @default 30 */
  REPORT_RETENTION_DAYS: z.coerce.number().min(0.00001).max(3650).default(30),
  /** @default 'info' */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Minutes of inactivity after which an operator session ends. @default 30 */
  SESSION_IDLE_MIN: z.coerce
    .number()
    .min(0.05)
    .max(24 * 60)
    .default(30),
  /** Run the BullMQ workers in this process (`inline`) or only with `npm run worker` (`none`). @default 'inline' */
  WORKERS: z.enum(['inline', 'none']).default('inline'),
  /** New visitor connections per minute from one (hashed) address. @default 120 */
  VISITOR_CONNECTIONS_PER_MIN: int(1, 1_000_000).default(120),
  /**
   * Visitor sockets without a conversation open at once from one (hashed) address, IPv6 per
   * /64. The rate above alone let one address keep 1,200 idle sockets after ten minutes,
   * each with its own event budget. Past it a new socket is never refused: it takes the
   * place of the address's oldest socket without a conversation, which is closed, so idle
   * sockets opened on a victim's Wi-Fi cannot keep her out. A socket that has a conversation
   * does not count (VISITOR_OPEN_PER_ADDRESS bounds those). @default 20
   */
  VISITOR_SOCKETS_PER_ADDRESS: int(1, 1_000_000).default(20),
  /**
   * Seconds a visitor socket may stay open without a conversation; then the server closes
   * it. The widget connects only to start or resume one and asks at once, so a real
   * visitor's socket has its conversation within seconds; what stays idle is a script's.
   * @default 60
   */
  VISITOR_IDLE_S: int(1, 3600).default(60),
  /** Events per second one socket may send (burst twice that). @default 20 */
  SOCKET_EVENTS_PER_S: int(1, 100_000).default(20),
  /**
   * Proxy hops in front of the server that append to X-Forwarded-For: the client address
   * is the N-th entry from the right, never one the client wrote further left.
   * `true`/`yes` mean 1, `false`/`no` 0. @default 0
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|yes|no|\d{1,2})$/, 'must be true, false or a number of proxy hops (0-10)')
    .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v)))
    .pipe(z.number().int().min(0).max(10))
    .default(0),
  // ---- Visitor limits (PROTOCOL.md, "Limits a visitor meets")
  /** The key of every keyed hash (tokens, return codes, addresses): 32 bytes, base64. Kept when DATA_KEY rotates. */
  HASH_KEY: z.string().optional(),
  /** A file holding HASH_KEY's value. */
  HASH_KEY_FILE: z.string().optional(),
  /**
   * When set, `GET /metrics` asks for `Authorization: Bearer <token>`: its counters move
   * with every message, which someone watching a quiet night line could read.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Conversations open at once (waiting, active or away) per hashed client address. @default 5 */
  VISITOR_OPEN_PER_ADDRESS: int(1, 1_000_000).default(5),
  /**
   * Conversations started per hashed client address in an hour (a fixed window from the
   * first start). Ended conversations free their place in VISITOR_OPEN_PER_ADDRESS but are
   * kept for RETENTION_HOURS: without this a script could start and end them in a loop
   * and fill Redis. @default 100
   */
  VISITOR_STARTS_PER_HOUR: int(1, 1_000_000).default(100),
  /**
   * Conversations open at once per network (IPv6 /48, IPv4 /24: `networkBucket`), across its
   * addresses: a free tunnel-broker /48 is 65,536 addresses as VISITOR_OPEN_PER_ADDRESS counts
   * them. Never tighter than VISITOR_OPEN_PER_ADDRESS. A network is shared by strangers (a
   * provider's /48, a carrier-grade NAT's /24): the default takes ten of its addresses at
   * their own limit to reach, which one phone or household does not have. @default 50
   */
  VISITOR_OPEN_PER_NETWORK: int(1, 1_000_000).default(50),
  /**
   * Conversations started per network in an hour (a fixed window from the first), ended ones
   * included, across its addresses. Never tighter than VISITOR_STARTS_PER_HOUR; ten of its
   * addresses at their own limit by default (see VISITOR_OPEN_PER_NETWORK). @default 1000
   */
  VISITOR_STARTS_PER_NETWORK_HOUR: int(1, 1_000_000).default(1000),
  /** Visitor messages while still waiting, the start text included; reset at assignment. @default 20 */
  WAITING_MESSAGES: int(1, 10_000).default(20),
  /** Visitor text stored per conversation, in KB of UTF-8 plaintext. @default 256 */
  CONVERSATION_MAX_KB: int(4, 100_000).default(256),
  /**
   * Visitor messages stored per conversation. The byte cap alone let a script store a
   * quarter of a million one-character messages, each a stream entry, two id fields and a
   * decryption whenever the conversation is sent whole (an assignment, a reconnect, a
   * read-along). A long chat has a few hundred. @default 2000
   */
  CONVERSATION_MAX_MESSAGES: int(10, 1_000_000).default(2000),
  /** Window in which failed return-code redemptions per hashed address are counted. @default 15 */
  RETURN_CODE_FAIL_WINDOW_MIN: z.coerce.number().min(0.05).max(1440).default(15),
  /** Hours a blocked address may not start a conversation. @default 2 */
  BLOCK_HOURS: z.coerce.number().min(0.0001).max(168).default(2),
  /** Seconds a waiting visitor may be disconnected before the conversation is held out of routing. @default 60 */
  WAITER_HOLD_S: int(1, 86_400).default(60),
  // ---- The night shift (PROTOCOL.md, "Staffing, alternatives and alerts", "Operators' shift")
  /** Seconds a conversation waits for a speaker of its language before Dutch or English speakers may take it. @default 120 */
  LANGUAGE_FALLBACK_S: int(1, 86_400).default(120),
  /** Seconds an urgent conversation waits unassigned before supervisors are alerted. @default 60 */
  URGENT_ALERT_S: int(1, 86_400).default(60),
  /** Seconds between repeated alerts while it still waits. @default 300 */
  URGENT_ALERT_REPEAT_S: int(1, 86_400).default(300),
  /** Hours after sign-in that a session ends, however active; a warning comes 15 minutes ahead. @default 12 */
  SESSION_MAX_HOURS: z.coerce.number().min(0.001).max(48).default(12),
  /** Minutes of break after a conversation with a high risk level or acute danger; 0 turns it off. @default 10 */
  BREAK_AFTER_HIGH_RISK_MIN: z.coerce.number().min(0).max(240).default(10),
  /** Where on-call paging POSTs (no content, no ids); unset pages nobody. */
  ONCALL_WEBHOOK_URL: httpUrl.optional(),
  /** At most one page per kind and line in this many seconds. @default 300 */
  ONCALL_MIN_INTERVAL_S: int(1, 86_400).default(300),
  /**
   * Hours a one-time password (made by an admin, `npm run operator` or the demo) works
   * before it fails like a wrong one; a password its owner chose never expires. @default 72
   */
  ONE_TIME_PASSWORD_HOURS: z.coerce.number().min(0.001).max(720).default(72),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  publicUrl: string;
  publicOrigin: string;
  redisUrl: string;
  /** REDIS_SENTINELS, parsed; empty when Redis is reached by REDIS_URL. */
  redisSentinels: readonly { host: string; port: number }[];
  redisSentinelName: string;
  /** REDIS_PASSWORD: never logged. */
  redisPassword: string | undefined;
  /** REDIS_SENTINEL_PASSWORD: never logged. */
  redisSentinelPassword: string | undefined;
  redisAckReplicas: number;
  redisAckTimeoutMs: number;
  /** REDIS_MEMORY_HIGH_MB in bytes; 0 when unset. */
  redisMemoryHighBytes: number;
  redisPrefix: string;
  dataKey: string | undefined;
  dataKeyFile: string | undefined;
  embedOrigins: string[];
  operatorCapacity: number;
  operatorGraceMs: number;
  returnWindowMs: number;
  retentionMs: number;
  quickExitUrl: string;
  waitAlternativesSeconds: number;
  vtRegionsFile: string | undefined;
  linesFile: string | undefined;
  reportMaxAttempts: number;
  reportBackoffMs: number;
  reportRetentionMs: number;
  logLevel: string;
  sessionIdleMs: number;
  workers: 'inline' | 'none';
  visitorConnectionsPerMin: number;
  visitorSocketsPerAddress: number;
  /** `VISITOR_IDLE_S` in ms. */
  visitorIdleMs: number;
  socketEventsPerSecond: number;
  /** Proxy hops trusted to append to X-Forwarded-For (`TRUST_PROXY`); 0 trusts none. */
  trustProxy: number;
  hashKey: string | undefined;
  hashKeyFile: string | undefined;
  /** `METRICS_TOKEN`: the bearer token `/metrics` asks for, or undefined (open). */
  metricsToken: string | undefined;
  visitorOpenPerAddress: number;
  visitorStartsPerHour: number;
  visitorOpenPerNetwork: number;
  visitorStartsPerNetworkHour: number;
  waitingMessages: number;
  conversationMaxBytes: number;
  conversationMaxMessages: number;
  returnCodeFailWindowMs: number;
  blockMs: number;
  waiterHoldMs: number;
  languageFallbackMs: number;
  urgentAlertMs: number;
  urgentAlertRepeatMs: number;
  sessionMaxMs: number;
  breakAfterHighRiskMs: number;
  oncallWebhookUrl: string | undefined;
  oncallMinIntervalMs: number;
  /** `ONE_TIME_PASSWORD_HOURS` in ms. */
  oneTimePasswordMs: number;
}

export class ConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(`Invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.lines = lines;
  }
}

/** Parses the environment into a frozen Config; throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'config')}: ${i.message}`);
    throw new ConfigError([...new Set(lines)]);
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const publicOrigin = new URL(publicUrl).origin;
  const missing: string[] = [];
  if (e.NODE_ENV === 'production' && !e.DATA_KEY && !e.DATA_KEY_FILE) {
    missing.push('DATA_KEY: DATA_KEY or DATA_KEY_FILE is required in production');
  }
  if (e.NODE_ENV === 'production' && !e.HASH_KEY && !e.HASH_KEY_FILE) {
    missing.push(
      'HASH_KEY: HASH_KEY or HASH_KEY_FILE is required in production (npm run keys -- generate --hash-key)',
    );
  }
  // Over plain http anyone on the path reads the waiting counts and can drop the page.
  if (e.NODE_ENV === 'production' && e.ONCALL_WEBHOOK_URL) {
    const url = new URL(e.ONCALL_WEBHOOK_URL);
    if (url.protocol === 'http:' && !isInternalHost(url.hostname))
      missing.push(
        'ONCALL_WEBHOOK_URL: must be https:// in production (http only on loopback, a private address or an internal service name)',
      );
  }
  if (e.REDIS_SENTINEL_PASSWORD && !e.REDIS_SENTINELS) {
    missing.push('REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINELS');
  }
  if (e.REDIS_SENTINELS && picked.REDIS_URL !== undefined) {
    missing.push('REDIS_URL: set REDIS_URL or REDIS_SENTINELS, not both');
  }
  if (missing.length > 0) throw new ConfigError(missing);
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    publicOrigin,
    redisUrl: e.REDIS_URL,
    redisSentinels: Object.freeze(
      (e.REDIS_SENTINELS ?? []).map((hp) => {
        const at = hp.lastIndexOf(':');
        return Object.freeze({
          host: hp.slice(0, at).replace(/^\[|\]$/g, ''),
          port: Number(hp.slice(at + 1)),
        });
      }),
    ),
    redisSentinelName: e.REDIS_SENTINEL_NAME,
    redisPassword: e.REDIS_PASSWORD,
    redisSentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    redisAckReplicas: e.REDIS_ACK_REPLICAS,
    redisAckTimeoutMs: e.REDIS_ACK_TIMEOUT_MS,
    redisMemoryHighBytes: Math.floor(e.REDIS_MEMORY_HIGH_MB * 1024 * 1024),
    redisPrefix: e.REDIS_PREFIX,
    dataKey: e.DATA_KEY,
    dataKeyFile: e.DATA_KEY_FILE,
    embedOrigins: Object.freeze(e.EMBED_ORIGINS ?? [publicOrigin]) as string[],
    operatorCapacity: e.OPERATOR_CAPACITY,
    operatorGraceMs: e.OPERATOR_GRACE_S * 1000,
    returnWindowMs: Math.round(e.RETURN_WINDOW_MIN * 60_000),
    retentionMs: Math.round(e.RETENTION_HOURS * 3_600_000),
    quickExitUrl: e.QUICK_EXIT_URL,
    waitAlternativesSeconds: e.WAIT_ALTERNATIVES_S,
    vtRegionsFile: e.VT_REGIONS_FILE,
    linesFile: e.LINES_FILE,
    reportMaxAttempts: e.REPORT_MAX_ATTEMPTS,
    reportBackoffMs: e.REPORT_BACKOFF_MS,
    reportRetentionMs: Math.round(e.REPORT_RETENTION_DAYS * 86_400_000),
    logLevel: e.LOG_LEVEL,
    sessionIdleMs: Math.round(e.SESSION_IDLE_MIN * 60_000),
    workers: e.WORKERS,
    visitorConnectionsPerMin: e.VISITOR_CONNECTIONS_PER_MIN,
    visitorSocketsPerAddress: e.VISITOR_SOCKETS_PER_ADDRESS,
    visitorIdleMs: e.VISITOR_IDLE_S * 1000,
    socketEventsPerSecond: e.SOCKET_EVENTS_PER_S,
    trustProxy: e.TRUST_PROXY,
    hashKey: e.HASH_KEY,
    hashKeyFile: e.HASH_KEY_FILE,
    metricsToken: e.METRICS_TOKEN,
    visitorOpenPerAddress: e.VISITOR_OPEN_PER_ADDRESS,
    visitorStartsPerHour: e.VISITOR_STARTS_PER_HOUR,
    // A network holds at least one address.
    visitorOpenPerNetwork: Math.max(e.VISITOR_OPEN_PER_NETWORK, e.VISITOR_OPEN_PER_ADDRESS),
    visitorStartsPerNetworkHour: Math.max(e.VISITOR_STARTS_PER_NETWORK_HOUR, e.VISITOR_STARTS_PER_HOUR),
    waitingMessages: e.WAITING_MESSAGES,
    conversationMaxBytes: e.CONVERSATION_MAX_KB * 1024,
    conversationMaxMessages: e.CONVERSATION_MAX_MESSAGES,
    returnCodeFailWindowMs: Math.round(e.RETURN_CODE_FAIL_WINDOW_MIN * 60_000),
    blockMs: Math.round(e.BLOCK_HOURS * 3_600_000),
    waiterHoldMs: e.WAITER_HOLD_S * 1000,
    languageFallbackMs: e.LANGUAGE_FALLBACK_S * 1000,
    urgentAlertMs: e.URGENT_ALERT_S * 1000,
    urgentAlertRepeatMs: e.URGENT_ALERT_REPEAT_S * 1000,
    sessionMaxMs: Math.round(e.SESSION_MAX_HOURS * 3_600_000),
    breakAfterHighRiskMs: Math.round(e.BREAK_AFTER_HIGH_RISK_MIN * 60_000),
    oncallWebhookUrl: e.ONCALL_WEBHOOK_URL,
    oncallMinIntervalMs: e.ONCALL_MIN_INTERVAL_S * 1000,
    oneTimePasswordMs: Math.round(e.ONE_TIME_PASSWORD_HOURS * 3_600_000),
  });
}

/** The variables, for the README table and `--help` output. */
export const configVariables = Object.keys(envSchema.shape);

/** Each variable's default as the schema applies it; a variable without one is absent. For the README table's test. */
export function configDefaults(): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(envSchema.parse({})).filter(([, v]) => typeof v === 'string' || typeof v === 'number'),
  ) as Record<string, string | number>;
}

/** For entry points: the config, or one line per bad variable on stderr and exit code 1. */
export function loadConfigOrExit(who: string): Readonly<Config> {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(
      `${who} cannot start; fix these settings:\n${err.lines.map((l) => `  ${l}\n`).join('')}`,
    );
    process.exit(1);
  }
}

/** Decorates `app.config`; every other plugin depends on it by name. */
export function configPlugin(config: Readonly<Config>) {
  return fp(
    async (a) => {
      a.decorate('config', config);
    },
    { name: 'config' },
  );
}
