import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from './config.ts';

/** The lines of the ConfigError that `env` produces; fails the test when it parses. */
function errorLines(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const variableOf = (line: string) => line.slice(0, line.indexOf(':'));

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      isProduction: false,
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8080',
      publicOrigin: 'http://localhost:8080',
      redisUrl: 'redis://127.0.0.1:6379',
      redisSentinels: [],
      redisSentinelName: 'mymaster',
      redisAckReplicas: 0,
      redisAckTimeoutMs: 1000,
      redisMemoryHighBytes: 0,
      redisPrefix: 'sl',
      dataKey: undefined,
      dataKeyFile: undefined,
      embedOrigins: ['http://localhost:8080'],
      operatorCapacity: 3,
      operatorGraceMs: 30_000,
      returnWindowMs: 15 * 60_000,
      retentionMs: 72 * 3_600_000,
      quickExitUrl: 'https://www.buienradar.nl/',
      waitAlternativesSeconds: 600,
      vtRegionsFile: undefined,
      reportMaxAttempts: 8,
      reportBackoffMs: 5000,
      reportRetentionMs: 30 * 86_400_000,
      logLevel: 'info',
      sessionIdleMs: 30 * 60_000,
      workers: 'inline',
      visitorConnectionsPerMin: 120,
      visitorSocketsPerAddress: 20,
      visitorIdleMs: 60_000,
      socketEventsPerSecond: 20,
      trustProxy: 0,
      hashKey: undefined,
      hashKeyFile: undefined,
      visitorOpenPerAddress: 5,
      visitorStartsPerHour: 100,
      visitorOpenPerNetwork: 50,
      visitorStartsPerNetworkHour: 1000,
      waitingMessages: 20,
      conversationMaxBytes: 256 * 1024,
      conversationMaxMessages: 2000,
      returnCodeFailWindowMs: 15 * 60_000,
      blockMs: 2 * 3_600_000,
      waiterHoldMs: 60_000,
      languageFallbackMs: 120_000,
      urgentAlertMs: 60_000,
      urgentAlertRepeatMs: 300_000,
      sessionMaxMs: 12 * 3_600_000,
      breakAfterHighRiskMs: 10 * 60_000,
      oncallWebhookUrl: undefined,
      oncallMinIntervalMs: 300_000,
      oneTimePasswordMs: 72 * 3_600_000,
    });
  });

  it('treats an empty variable as unset and ignores variables it does not know', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '', HOME: '/root', npm_lifecycle_event: 'start' });
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('info');
  });

  it('converts units and derives the public origin from PUBLIC_URL', () => {
    const config = loadConfig({
      PORT: '9000',
      PUBLIC_URL: 'https://chat.example.nl/base/',
      OPERATOR_GRACE_S: '45',
      RETURN_WINDOW_MIN: '0.5',
      RETENTION_HOURS: '24',
      SESSION_IDLE_MIN: '10',
      WORKERS: 'none',
    });
    expect(config.port).toBe(9000);
    expect(config.publicUrl).toBe('https://chat.example.nl/base/');
    expect(config.publicOrigin).toBe('https://chat.example.nl');
    expect(config.embedOrigins).toEqual(['https://chat.example.nl']);
    expect(config.operatorGraceMs).toBe(45_000);
    expect(config.returnWindowMs).toBe(30_000);
    expect(config.retentionMs).toBe(86_400_000);
    expect(config.sessionIdleMs).toBe(600_000);
    expect(config.workers).toBe('none');
  });

  it('uses PORT in the default public URL', () => {
    expect(loadConfig({ PORT: '3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it.each([
    ['true', 1],
    ['1', 1],
    ['yes', 1],
    ['2', 2],
    ['false', 0],
    ['0', 0],
    ['no', 0],
  ])('reads TRUST_PROXY=%s as %s hops', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it('reports one line per bad variable, each starting with its name', () => {
    const lines = errorLines({
      PORT: 'abc',
      OPERATOR_CAPACITY: '0',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://127.0.0.1:6379',
      TRUST_PROXY: 'maybe',
      QUICK_EXIT_URL: 'not a url',
      OPERATOR_GRACE_S: '30', // valid: must not be reported
    });
    expect(lines.map(variableOf).sort()).toEqual(
      ['LOG_LEVEL', 'OPERATOR_CAPACITY', 'PORT', 'QUICK_EXIT_URL', 'REDIS_URL', 'TRUST_PROXY'].sort(),
    );
    expect(lines.find((l) => l.startsWith('REDIS_URL:'))).toBe(
      'REDIS_URL: must start with redis:// or rediss://',
    );
  });

  it('rejects values out of range', () => {
    expect(errorLines({ PORT: '65536' }).map(variableOf)).toEqual(['PORT']);
    expect(errorLines({ OPERATOR_CAPACITY: '101' }).map(variableOf)).toEqual(['OPERATOR_CAPACITY']);
    expect(errorLines({ PORT: '80.5' }).map(variableOf)).toEqual(['PORT']);
    expect(errorLines({ REDIS_PREFIX: 'has space' }).map(variableOf)).toEqual(['REDIS_PREFIX']);
    expect(errorLines({ NODE_ENV: 'staging' }).map(variableOf)).toEqual(['NODE_ENV']);
    // The on-call webhook in production: https, or http inside the deployment's own network.
    const prod = { NODE_ENV: 'production', DATA_KEY_FILE: '/k', HASH_KEY_FILE: '/h' };
    const pager = (url: string) => errorLines({ ...prod, ONCALL_WEBHOOK_URL: url });
    expect(pager('http://pager.example.org/hook').map(variableOf)).toEqual(['ONCALL_WEBHOOK_URL']);
    expect(pager('http://pager.example.org/hook').join('\n')).not.toContain('pager.example.org');
    expect(pager('http://[2001:db8::1]/hook').map(variableOf)).toEqual(['ONCALL_WEBHOOK_URL']);
    for (const ok of ['https://pager.example.org/hook', 'http://127.0.0.1:9/hook', 'http://pager:8080/hook'])
      expect(loadConfig({ ...prod, ONCALL_WEBHOOK_URL: ok }).oncallWebhookUrl).toBe(ok);
    expect(
      loadConfig({ ONCALL_WEBHOOK_URL: 'http://pager.example.org/hook' }).oncallWebhookUrl,
    ).toBeDefined();
    // A guessable metrics token is no token.
    expect(errorLines({ METRICS_TOKEN: 'short' }).map(variableOf)).toEqual(['METRICS_TOKEN']);
  });

  it('reads REDIS_SENTINELS as hosts and ports, and the durable-ack settings', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.7:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'stille-lijn',
      REDIS_ACK_REPLICAS: '1',
      REDIS_ACK_TIMEOUT_MS: '250',
    });
    expect(config.redisSentinels).toEqual([
      { host: 'sentinel-1', port: 26379 },
      { host: '10.0.0.7', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(config.redisSentinelName).toBe('stille-lijn');
    expect(config.redisAckReplicas).toBe(1);
    expect(config.redisAckTimeoutMs).toBe(250);
  });

  it('explains a bad Sentinel setting in one line per variable', () => {
    expect(errorLines({ REDIS_SENTINELS: 'sentinel-1' })).toEqual([
      'REDIS_SENTINELS: must be a list of host:port (e.g. sentinel-1:26379,sentinel-2:26379)',
    ]);
    expect(errorLines({ REDIS_SENTINELS: 'a:1,b:70000' })).toEqual([
      'REDIS_SENTINELS: has a port outside 1-65535',
    ]);
    expect(errorLines({ REDIS_SENTINELS: ' , ' })).toEqual([
      'REDIS_SENTINELS: must name at least one Sentinel as host:port',
    ]);
    expect(errorLines({ REDIS_SENTINELS: 'a:1', REDIS_URL: 'redis://db:6379' })).toEqual([
      'REDIS_URL: set REDIS_URL or REDIS_SENTINELS, not both',
    ]);
    expect(errorLines({ REDIS_SENTINEL_NAME: 'my master' }).map(variableOf)).toEqual(['REDIS_SENTINEL_NAME']);
    expect(errorLines({ REDIS_ACK_REPLICAS: '-1' }).map(variableOf)).toEqual(['REDIS_ACK_REPLICAS']);
    expect(errorLines({ REDIS_ACK_TIMEOUT_MS: '0' }).map(variableOf)).toEqual(['REDIS_ACK_TIMEOUT_MS']);
    expect(errorLines({ REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      'REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINELS',
    ]);
  });

  it('reads the Redis passwords for the data nodes and the Sentinels', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'sentinel-1:26379',
      REDIS_PASSWORD: 'data-pw',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(config.redisPassword).toBe('data-pw');
    expect(config.redisSentinelPassword).toBe('sentinel-pw');
    expect(loadConfig({}).redisPassword).toBeUndefined();
  });

  it('never echoes a bad value, which may hold a secret', () => {
    const lines = errorLines({ REDIS_URL: 'http://user:s3cret-pw@db:6379', DATA_KEY_FILE: '', PORT: 'p4ss' });
    expect(lines.join('\n')).not.toContain('s3cret-pw');
    expect(lines.join('\n')).not.toContain('p4ss');
  });

  it('puts every line in the error message, so an uncaught error still shows them', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:\n/);
    expect(message).toContain('\nPORT: ');
    expect(message).toContain('\nLOG_LEVEL: ');
  });

  describe('in production', () => {
    it('requires a data key and a hash key', () => {
      expect(errorLines({ NODE_ENV: 'production' })).toEqual([
        'DATA_KEY: DATA_KEY or DATA_KEY_FILE is required in production',
        'HASH_KEY: HASH_KEY or HASH_KEY_FILE is required in production (npm run keys -- generate --hash-key)',
      ]);
      expect(errorLines({ NODE_ENV: 'production', DATA_KEY: '', HASH_KEY: 'abc' }).map(variableOf)).toEqual([
        'DATA_KEY',
      ]);
      expect(errorLines({ NODE_ENV: 'production', DATA_KEY: 'k1:abc' }).map(variableOf)).toEqual([
        'HASH_KEY',
      ]);
    });

    it('accepts either DATA_KEY or DATA_KEY_FILE, and HASH_KEY or HASH_KEY_FILE', () => {
      const withKey = loadConfig({ NODE_ENV: 'production', DATA_KEY: 'k1:abc', HASH_KEY: 'h' });
      expect(withKey.isProduction).toBe(true);
      expect(withKey.dataKey).toBe('k1:abc');
      expect(withKey.hashKey).toBe('h');
      const withFile = loadConfig({
        NODE_ENV: 'production',
        DATA_KEY_FILE: '/run/secrets/data-key',
        HASH_KEY_FILE: '/run/secrets/hash-key',
      });
      expect(withFile.hashKeyFile).toBe('/run/secrets/hash-key');
      expect(withFile.dataKeyFile).toBe('/run/secrets/data-key');
      expect(withFile.dataKey).toBeUndefined();
    });

    it('does not require a data key outside production', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).dataKey).toBeUndefined();
      expect(loadConfig({ NODE_ENV: 'development' }).isProduction).toBe(false);
    });
  });

  describe('EMBED_ORIGINS', () => {
    it('parses a comma-separated list of origins, trimming spaces', () => {
      expect(
        loadConfig({ EMBED_ORIGINS: 'https://a.example.nl, https://b.example.nl:8443' }).embedOrigins,
      ).toEqual(['https://a.example.nl', 'https://b.example.nl:8443']);
    });

    it('defaults to the public origin', () => {
      expect(loadConfig({ PUBLIC_URL: 'https://chat.example.nl' }).embedOrigins).toEqual([
        'https://chat.example.nl',
      ]);
    });

    it.each([
      ['a path', 'https://a.example.nl/page'],
      ['a trailing slash', 'https://a.example.nl/'],
      ['a wildcard', '*'],
      ['a bare host', 'a.example.nl'],
      ['a query', 'https://a.example.nl?x=1'],
    ])('rejects an entry with %s', (_what, value) => {
      expect(errorLines({ EMBED_ORIGINS: `https://ok.example.nl,${value}` })).toEqual([
        'EMBED_ORIGINS: must be an origin such as https://example.nl (scheme, host and port only)',
      ]);
    });

    it('reports several bad entries on one line', () => {
      expect(errorLines({ EMBED_ORIGINS: 'https://a.nl/x, https://b.nl/y' })).toHaveLength(1);
    });
  });

  it('returns a frozen config, embed origins included', () => {
    const config = loadConfig({ EMBED_ORIGINS: 'https://a.example.nl' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.embedOrigins)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      config.embedOrigins.push('https://evil.example');
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
    expect(config.embedOrigins).toEqual(['https://a.example.nl']);
  });

  it('reads ONE_TIME_PASSWORD_HOURS in hours and refuses what could never expire or not be used', () => {
    expect(loadConfig({ ONE_TIME_PASSWORD_HOURS: '24' }).oneTimePasswordMs).toBe(24 * 3_600_000);
    expect(loadConfig({ ONE_TIME_PASSWORD_HOURS: '0.5' }).oneTimePasswordMs).toBe(1_800_000);
    for (const bad of ['0', '-1', '721', 'never']) {
      expect(errorLines({ ONE_TIME_PASSWORD_HOURS: bad }).map(variableOf)).toEqual([
        'ONE_TIME_PASSWORD_HOURS',
      ]);
    }
  });

  it('lists every variable DESIGN.md names under Configuration', () => {
    for (const name of [
      'PORT',
      'HOST',
      'PUBLIC_URL',
      'REDIS_URL',
      'DATA_KEY',
      'DATA_KEY_FILE',
      'EMBED_ORIGINS',
      'OPERATOR_CAPACITY',
      'OPERATOR_GRACE_S',
      'RETURN_WINDOW_MIN',
      'RETENTION_HOURS',
      'QUICK_EXIT_URL',
      'VT_REGIONS_FILE',
      'LOG_LEVEL',
      'NODE_ENV',
    ]) {
      expect(configVariables).toContain(name);
    }
  });
});

describe('URL variables', () => {
  it('accept only http and https', () => {
    for (const [name, value] of [
      ['QUICK_EXIT_URL', 'javascript:alert(1)'],
      ['PUBLIC_URL', 'ftp://example.nl'],
    ] as const) {
      let caught: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as InstanceType<typeof ConfigError>).lines.join('\n')).toContain(name);
    }
    expect(loadConfig({ QUICK_EXIT_URL: 'https://www.knmi.nl/' }).quickExitUrl).toBe('https://www.knmi.nl/');
  });
});
