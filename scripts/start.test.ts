import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// start.mjs is plain Node ESM (it runs before `npm install`), without types.
type Probe = { status: 'ok' } | { status: 'unreachable' | 'refused'; detail: string };
type Plan = { action: 'use' | 'private' | 'fail'; message: string };
const start = (await import('./start.mjs' as string)) as {
  pingRedis(url: string, timeoutMs?: number, opts?: { password?: string }): Promise<Probe>;
  planRedis(opts: {
    explicit: boolean;
    production?: boolean;
    url: string;
    probe: Probe;
    canStartPrivate: boolean;
  }): Plan;
  redisMissingParagraph(url: string): string;
  freePort(): Promise<number>;
};

const startMjs = join(dirname(fileURLToPath(import.meta.url)), 'start.mjs');

/** Reads RESP arrays of bulk strings (what a client sends) off a buffer. */
function takeCommands(buf: { data: string }): string[][] {
  const commands: string[][] = [];
  for (;;) {
    const m = /^\*(\d+)\r\n/.exec(buf.data);
    if (!m) return commands;
    let at = m[0].length;
    const parts: string[] = [];
    for (let i = 0; i < Number(m[1]); i++) {
      const len = /^\$(\d+)\r\n/.exec(buf.data.slice(at));
      if (!len) return commands;
      const start = at + len[0].length;
      if (buf.data.length < start + Number(len[1]) + 2) return commands;
      parts.push(buf.data.slice(start, start + Number(len[1])));
      at = start + Number(len[1]) + 2;
    }
    buf.data = buf.data.slice(at);
    commands.push(parts);
  }
}

/**
 * A loopback stand-in for redis-server: with `requirepass` it answers PING with NOAUTH until
 * AUTH gave the password (as user `default` or without a user); without, it answers AUTH as
 * Redis 7 does when no password is configured.
 */
async function fakeRedis(
  requirepass: string | null,
): Promise<{ url: string; seen: string[][]; close(): void }> {
  const seen: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const buf = { data: '' };
    let authed = requirepass === null;
    socket.on('data', (chunk) => {
      buf.data += chunk.toString('latin1');
      for (const [name, ...args] of takeCommands(buf)) {
        seen.push([name!, ...args]);
        if (name === 'AUTH') {
          const [user, pass] = args.length === 2 ? args : ['default', args[0]];
          if (requirepass === null) {
            socket.write(
              '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
            );
          } else if (user === 'default' && pass === requirepass) {
            authed = true;
            socket.write('+OK\r\n');
          } else {
            socket.write('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
          }
        } else if (name === 'PING') {
          socket.write(authed ? '+PONG\r\n' : '-NOAUTH Authentication required.\r\n');
        } else {
          socket.write(`-ERR unknown command '${name}'\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Runs `resolveRedis` in a child process, as `npm start` would, with only `env`. */
function resolveInChild(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const code = `const m = await import(${JSON.stringify(startMjs)});
await m.resolveRedis(m.createLog('start'));
process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, out });
    });
  });
}

describe('pingRedis and REDIS_PASSWORD', () => {
  let withPass: Awaited<ReturnType<typeof fakeRedis>>;
  let withoutPass: Awaited<ReturnType<typeof fakeRedis>>;
  beforeAll(async () => {
    withPass = await fakeRedis('s3cret-pw');
    withoutPass = await fakeRedis(null);
  });
  afterAll(() => {
    withPass.close();
    withoutPass.close();
  });

  it('is refused by a requirepass Redis without a password (NOAUTH)', async () => {
    expect(await start.pingRedis(withPass.url)).toEqual({
      status: 'refused',
      detail: 'NOAUTH Authentication required.',
    });
  });

  it('AUTHs with REDIS_PASSWORD when the URL holds no password', async () => {
    expect(await start.pingRedis(withPass.url, 1500, { password: 's3cret-pw' })).toEqual({ status: 'ok' });
    expect(withPass.seen.at(-2)).toEqual(['AUTH', 's3cret-pw']);
  });

  it('lets a password in the URL win over REDIS_PASSWORD, as the server does', async () => {
    const url = withPass.url.replace('redis://', 'redis://:s3cret-pw@');
    expect(await start.pingRedis(url, 1500, { password: 'other' })).toEqual({ status: 'ok' });
    const urlWithUser = withPass.url.replace('redis://', 'redis://default:s3cret-pw@');
    expect(await start.pingRedis(urlWithUser, 1500, { password: 'other' })).toEqual({ status: 'ok' });
    expect(withPass.seen.at(-2)).toEqual(['AUTH', 'default', 's3cret-pw']);
  });

  it('with only a user in the URL sends AUTH user REDIS_PASSWORD, as the server does', async () => {
    const url = withPass.url.replace('redis://', 'redis://default@');
    expect(await start.pingRedis(url, 1500, { password: 's3cret-pw' })).toEqual({ status: 'ok' });
    expect(withPass.seen.at(-2)).toEqual(['AUTH', 'default', 's3cret-pw']);
  });

  it('reports a wrong REDIS_PASSWORD without repeating it', async () => {
    const probe = await start.pingRedis(withPass.url, 1500, { password: 'wrong-pw' });
    expect(probe.status).toBe('refused');
    expect(JSON.stringify(probe)).toContain('WRONGPASS');
    expect(JSON.stringify(probe)).not.toContain('wrong-pw');
  });

  it('accepts a Redis without a password when REDIS_PASSWORD is set (the server only warns)', async () => {
    expect(await start.pingRedis(withoutPass.url, 1500, { password: 's3cret-pw' })).toEqual({
      status: 'ok',
    });
  });

  it('npm start uses a requirepass Redis at REDIS_URL with REDIS_PASSWORD, never printing it', async () => {
    const r = await resolveInChild({
      PATH: dirname(process.execPath),
      REDIS_URL: withPass.url,
      REDIS_PASSWORD: 's3cret-pw',
    });
    expect(r.out).toContain(`[start] using Redis at ${withPass.url}`);
    expect(r.out).not.toContain('s3cret-pw');
    expect(r.code).toBe(0);
  });
});

describe('npm start with REDIS_URL where nothing answers', () => {
  let bin: string;
  let marker: string;
  beforeAll(() => {
    // A redis-server on PATH that only notes it was started: npm start must not start one.
    bin = mkdtempSync(join(tmpdir(), 'sl-start-test-'));
    marker = join(bin, 'redis-server-was-started');
    writeFileSync(join(bin, 'redis-server'), `#!/bin/sh\n: > '${marker}'\nexit 1\n`);
    chmodSync(join(bin, 'redis-server'), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('exits 1 with one paragraph, and starts no private redis-server', async () => {
    const port = await start.freePort();
    const r = await resolveInChild({
      PATH: `${bin}:${dirname(process.execPath)}`,
      REDIS_URL: `redis://app:hunter2@127.0.0.1:${port}`,
      NODE_ENV: 'production',
    });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`redis://app:***@127.0.0.1:${port}`);
    expect(r.out).toMatch(/nothing answers/);
    expect(r.out).toMatch(/unset REDIS_URL/);
    expect(r.out).not.toContain('hunter2');
    expect(r.out).not.toMatch(/starting a private redis-server/);
  });
});

describe('planRedis', () => {
  const url = 'redis://app:hunter2@redis.internal:6379';
  const unreachable: Probe = { status: 'unreachable', detail: 'ECONNREFUSED' };

  it('uses a Redis that answers', () => {
    for (const explicit of [true, false]) {
      expect(start.planRedis({ explicit, url, probe: { status: 'ok' }, canStartPrivate: true }).action).toBe(
        'use',
      );
    }
  });

  it('fails on an explicit REDIS_URL where nothing answers, redis-server installed or not', () => {
    for (const canStartPrivate of [true, false]) {
      const plan = start.planRedis({ explicit: true, url, probe: unreachable, canStartPrivate });
      expect(plan.action).toBe('fail');
      expect(plan.message).toContain('redis://app:***@redis.internal:6379');
      expect(plan.message).toContain('ECONNREFUSED');
      expect(plan.message).toContain('unset REDIS_URL');
      expect(plan.message).not.toContain('hunter2');
    }
  });

  it('fails on an explicit REDIS_URL that answers but not with PONG, naming REDIS_PASSWORD', () => {
    const plan = start.planRedis({
      explicit: true,
      url,
      probe: { status: 'refused', detail: 'NOAUTH Authentication required.' },
      canStartPrivate: true,
    });
    expect(plan.action).toBe('fail');
    expect(plan.message).toContain('NOAUTH Authentication required');
    expect(plan.message).toContain('REDIS_PASSWORD');
    expect(plan.message).not.toContain('hunter2');
  });

  it('without REDIS_URL, starts a private redis-server when the default does not answer', () => {
    const dflt = 'redis://127.0.0.1:6379';
    for (const probe of [unreachable, { status: 'refused', detail: 'NOAUTH Authentication required.' }]) {
      const plan = start.planRedis({
        explicit: false,
        url: dflt,
        probe: probe as Probe,
        canStartPrivate: true,
      });
      expect(plan.action).toBe('private');
    }
    const none = start.planRedis({ explicit: false, url: dflt, probe: unreachable, canStartPrivate: false });
    expect(none).toEqual({ action: 'fail', message: start.redisMissingParagraph(dflt) });
  });

  it('in production (NODE_ENV=production) never starts a private redis-server, REDIS_URL set or not', () => {
    const dflt = 'redis://127.0.0.1:6379';
    const plan = start.planRedis({
      explicit: false,
      production: true,
      url: dflt,
      probe: unreachable,
      canStartPrivate: true,
    });
    expect(plan.action).toBe('fail');
    expect(plan.message).toContain('redis://127.0.0.1:6379');
    expect(plan.message).toMatch(/production/);
    expect(plan.message).toMatch(/REDIS_URL/);
  });

  it("says Debian's redis-server package starts a system Redis that npm start then uses", () => {
    const text = start.redisMissingParagraph('redis://127.0.0.1:6379').replace(/\s+/g, ' ');
    expect(text).toContain('sudo apt-get install redis-server');
    expect(text).toMatch(/starts a system Redis on 127\.0\.0\.1:6379/);
    expect(text).toMatch(/which `npm start` then uses/);
    expect(text).not.toMatch(/apt-get install redis-server`[^.]*which then starts its own/);
  });
});
