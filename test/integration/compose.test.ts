import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs here, so these check the wiring of the production-like set on paper.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published: string | number })[];
  volumes?: (string | { source: string; target: string })[];
  secrets?: (string | { source: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string | string[] };
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;
const serverNames = ['server1', 'server2'];
const sentinelNames = ['sentinel1', 'sentinel2', 'sentinel3'];

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

function env(name: string): Record<string, string> {
  const e = service(name).environment ?? {};
  if (Array.isArray(e)) {
    return Object.fromEntries(e.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const words = (cmd: string | string[] | undefined) => (Array.isArray(cmd) ? cmd.join(' ') : (cmd ?? ''));

/** nginx config without comments, so a commented-out directive does not count. */
const nginx = read('deploy/nginx.conf')
  .split('\n')
  .map((line) => line.replace(/#.*$/, ''))
  .join('\n');

/** The body of the first `name { ... }` block (no nested braces needed for upstream). */
function block(text: string, header: RegExp): string {
  const m = header.exec(text);
  if (!m) throw new Error(`no block matching ${header}`);
  const start = text.indexOf('{', m.index) + 1;
  return text.slice(start, text.indexOf('}', start));
}

describe('docker-compose.yml', () => {
  it('has the services of the production-like set', () => {
    expect(Object.keys(services).sort()).toEqual([
      'inbox',
      'lb',
      'redis',
      'redis-replica',
      'sentinel1',
      'sentinel2',
      'sentinel3',
      'server1',
      'server2',
      'worker',
    ]);
  });

  it('runs Redis with AOF (fsync every second), noeviction, a volume and a ping healthcheck', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:7/);
    const cmd = words(redis.command);
    expect(cmd).toMatch(/--appendonly yes\b/);
    expect(cmd).toMatch(/--appendfsync everysec\b/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction\b/);
    const volume = (redis.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(volume).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(words(redis.healthcheck?.test)).toMatch(/redis-cli ping/);
  });

  it('runs a replica of it, with its own AOF volume and the same settings', () => {
    const replica = service('redis-replica');
    expect(replica.image).toBe(service('redis').image);
    const cmd = words(replica.command);
    expect(cmd).toMatch(/--replicaof redis 6379\b/);
    expect(cmd).toMatch(/--appendonly yes\b/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction\b/);
    expect(replica.volumes).toEqual(['redis-replica-data:/data']);
    expect(compose.volumes).toHaveProperty('redis-replica-data');
    // Each announces its service name, so the Sentinels hand out names that resolve.
    expect(cmd).toMatch(/--replica-announce-ip redis-replica\b/);
    expect(words(service('redis').command)).toMatch(/--replica-announce-ip redis\b/);
  });

  it.each(sentinelNames)('runs %s watching the primary, with a quorum of 2', (name) => {
    const s = service(name);
    expect(s.image).toBe(service('redis').image);
    const script = words(s.command);
    expect(script).toContain('sentinel monitor mymaster redis 6379 2');
    expect(script).toMatch(/sentinel down-after-milliseconds mymaster \d+/);
    expect(script).toContain('sentinel resolve-hostnames yes');
    expect(script).toContain('exec redis-server /tmp/sentinel.conf --sentinel');
    // Compose turns $$ into $: the shell reads the variable, set to the service's own name.
    expect(script).toContain('sentinel announce-ip $$SENTINEL_HOSTNAME');
    expect(env(name).SENTINEL_HOSTNAME).toBe(name);
    expect(words(s.healthcheck?.test)).toBe('CMD redis-cli -p 26379 ping');
  });

  it.each([...serverNames, 'worker'])('points %s at the Sentinels, not at one Redis', (name) => {
    const e = env(name);
    expect(e.REDIS_URL).toBeUndefined();
    expect(e.REDIS_SENTINELS).toBe(sentinelNames.map((s) => `${s}:26379`).join(','));
    expect(e.REDIS_SENTINEL_NAME).toBe('mymaster');
    // Compose fills it from the environment, 0 when unset (one replica: see the comment there).
    expect(e.REDIS_ACK_REPLICAS).toBe(['$', '{REDIS_ACK_REPLICAS:-0}'].join(''));
    expect(service(name).depends_on).toEqual(
      Object.fromEntries(sentinelNames.map((s) => [s, { condition: 'service_healthy' }])),
    );
  });

  it('gives the Sentinels settings the server accepts', async () => {
    const { loadConfig } = await import('../../server/src/config.ts');
    const e = env('server1');
    const config = loadConfig({
      REDIS_SENTINELS: e.REDIS_SENTINELS,
      REDIS_SENTINEL_NAME: e.REDIS_SENTINEL_NAME,
    });
    expect(config.redisSentinels).toEqual(sentinelNames.map((host) => ({ host, port: 26379 })));
    expect(config.redisSentinelName).toBe('mymaster');
  });

  it.each(serverNames)('runs %s in production without workers, checked on /readyz', (name) => {
    const e = env(name);
    expect(e.NODE_ENV).toBe('production');
    expect(e.WORKERS).toBe('none');
    expect(e.TRUST_PROXY).toBe('true');
    expect(words(service(name).healthcheck?.test)).toContain(`http://127.0.0.1:${e.PORT ?? '8080'}/readyz`);
    // Only the load balancer is published: an instance reached directly would break stickiness.
    expect(service(name).ports).toBeUndefined();
  });

  it('runs the queues in a worker service and the demo inbox with its key', () => {
    expect(words(service('worker').command)).toBe('node server/src/worker.ts');
    expect(env('worker').WORKERS ?? 'inline').not.toBe('none');
    expect(words(service('inbox').command)).toBe(
      'node scripts/inbox.ts --port 9090 --key /run/secrets/vt-demo-key',
    );
    expect(service('inbox').secrets).toContain('vt-demo-key');
  });

  it.each([...serverNames, 'worker'])('gives %s the data key and the hash key as docker secrets', (name) => {
    for (const variable of ['DATA_KEY_FILE', 'HASH_KEY_FILE']) {
      const file = env(name)[variable] ?? '';
      expect(file).toMatch(/^\/run\/secrets\//);
      const secret = file.slice('/run/secrets/'.length);
      expect(service(name).secrets).toContain(secret);
      expect(compose.secrets?.[secret]?.file).toBeTruthy();
    }
  });

  it('pins every image it pulls to an exact version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/:\d+\.\d+\.\d+(-[a-z0-9.]+)?$/);
    }
  });

  it('uses one image, built from the Dockerfile, for every app service', () => {
    for (const name of [...serverNames, 'worker', 'inbox']) {
      expect(service(name).build).toBe('.');
      expect(service(name).image).toBe('stille-lijn:local');
    }
  });

  it('publishes only the load balancer, on 8080, with its config from deploy/', () => {
    const published = Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published.map(([n]) => n)).toEqual(['lb']);
    expect(service('lb').ports).toEqual(['8080:8080']);
    expect(service('lb').volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    for (const name of serverNames) {
      expect(service('lb').depends_on).toEqual(
        expect.objectContaining({ [name]: { condition: 'service_healthy' } }),
      );
    }
  });
});

describe('deploy/nginx.conf', () => {
  const upstream = block(nginx, /upstream\s+stille_lijn\s*\{/);

  it('listens on the port compose publishes and proxies to the upstream', () => {
    expect(nginx).toMatch(/\blisten\s+8080;/);
    expect(nginx).toMatch(/proxy_pass\s+http:\/\/stille_lijn;/);
  });

  it('routes to both servers on the port they listen on', () => {
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers).toEqual(serverNames.map((n) => `${n}:${env(n).PORT ?? '8080'}`));
  });

  it('keeps a client on one server by address, without a cookie', () => {
    expect(upstream).toMatch(/^\s*ip_hash;/m);
    expect(nginx).not.toMatch(/\bsticky\b|\bcookie\b/);
  });

  it('passes WebSocket upgrades', () => {
    expect(nginx).toMatch(/proxy_http_version\s+1\.1;/);
    expect(nginx).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
    expect(nginx).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade\s*\{[^}]*default\s+upgrade;/);
  });

  it('logs no client addresses and replaces X-Forwarded-For rather than trusting it', () => {
    expect(nginx).toMatch(/^\s*access_log\s+off;/m);
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;/);
    expect(nginx).not.toContain('$proxy_add_x_forwarded_for');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on a pinned Node 24 slim, installs from the lock file and builds the UIs', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
  });

  it("ships without the dev dependencies and runs the server with Node's own type stripping, unprivileged", () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "server\/src\/main\.ts"\]$/m);
    expect(dockerfile).not.toMatch(/tsx/);
  });
});

describe('the files the set runs', () => {
  it.each(['server/src/main.ts', 'server/src/worker.ts', 'scripts/inbox.ts'])('%s exists', (file) => {
    expect(existsSync(join(root, file))).toBe(true);
  });
});

describe('Veilig Thuis wiring', () => {
  it('gives the servers and the worker the same regions file', () => {
    // YAML merge keys (<<) are resolved, as Docker Compose does.
    const doc = compose as unknown as {
      services: Record<string, { environment?: Record<string, string>; secrets?: string[] }>;
    };
    for (const name of ['server1', 'server2', 'worker']) {
      const svc = doc.services[name]!;
      expect(svc.environment?.VT_REGIONS_FILE, name).toBe('/run/secrets/vt-regions');
      expect(svc.secrets, name).toContain('vt-regions');
    }
  });
});
