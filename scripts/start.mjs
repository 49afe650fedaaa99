#!/usr/bin/env node
// `npm start`. It must work on a fresh clone before `npm install`, so it is plain Node ESM
// with no dependencies. `scripts/test.mjs` reuses the install and build steps exported here.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reexecOnNode24, runningOnNode24 } from './node24.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const privateRedisDir = join(root, '.data', 'redis');

/** Prefixed output, so our lines stand out from npm's, vite's and the server's. */
export function createLog(tag) {
  const log = (line) => console.log(`[${tag}] ${line}`);
  log.fail = (text) => {
    console.error(`\n[${tag}] ${text}\n`);
  };
  return log;
}

/** After `reexecOnNode24()` this always holds; a guard for callers that skipped it. */
export function checkNode(log) {
  if (!runningOnNode24()) {
    log.fail(
      `Node ${process.versions.node} is too old: Stille Lijn needs Node 24 (run it through npm start).`,
    );
    process.exit(1);
  }
}

/** Runs a command in the repo root with inherited output; returns its exit code. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
  if (r.error) {
    console.error(`could not run ${cmd}: ${r.error.message}`);
    return 127;
  }
  return r.status ?? 1;
}

export function onPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Why dependencies must be installed, or null when they are current. npm writes
 * node_modules/.package-lock.json at the end of every install, so its age is the install's.
 */
export function installReason() {
  const modules = join(root, 'node_modules');
  if (!existsSync(modules)) return 'node_modules is missing';
  const installed = join(modules, '.package-lock.json');
  if (!existsSync(installed)) return 'node_modules is incomplete';
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock) && statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
    return 'package-lock.json is newer than node_modules';
  }
  return null;
}

export function ensureInstalled(log) {
  const reason = installReason();
  if (!reason) return;
  log(`${reason}: installing dependencies with npm ci`);
  let code = run('npm', ['ci']);
  if (code !== 0) {
    log('npm ci failed; trying npm install');
    code = run('npm', ['install']);
  }
  if (code !== 0) {
    log.fail(
      'Installing dependencies failed (npm printed why above). Check that the npm registry is reachable and that Node is 20.19 or newer, then run `npm install` yourself.',
    );
    process.exit(1);
  }
  // `npm install` leaves the hidden lock file alone when nothing changed; mark the install as current.
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed)) {
    const now = new Date();
    utimesSync(installed, now, now);
  }
}

const viteConfigs = ['vite.config.ts', 'vite.config.mts', 'vite.config.js', 'vite.config.mjs'];

/** Workspaces with a build script; a Vite build without a vite config yet is marked to skip. */
export function workspaceBuilds() {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const builds = [];
  for (const ws of rootPkg.workspaces ?? []) {
    const pkgFile = join(root, ws, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const script = JSON.parse(readFileSync(pkgFile, 'utf8')).scripts?.build;
    if (!script) continue;
    const noViteConfig = /\bvite\b/.test(script) && !viteConfigs.some((f) => existsSync(join(root, ws, f)));
    builds.push({ workspace: ws, skip: noViteConfig ? 'it has no vite config yet' : null });
  }
  return builds;
}

/** `npm run build` per workspace, skipping any not buildable yet; returns false on a failed build. */
export function buildWorkspaces(log) {
  for (const { workspace, skip } of workspaceBuilds()) {
    if (skip) {
      log(`skipping the ${workspace} build: ${skip}`);
      continue;
    }
    log(`building ${workspace}`);
    if (run('npm', ['run', 'build', '--workspace', workspace]) !== 0) {
      log.fail(`Building ${workspace} failed (see above). Run \`npm run build -w ${workspace}\` to retry.`);
      return false;
    }
  }
  return true;
}

/** The URL with its password hidden, for printing. */
export function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function respCommand(parts) {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/**
 * The AUTH that the server's Redis client sends for `url` (server/src/redis/connect.ts), or
 * null for none: a password in the URL wins, else REDIS_PASSWORD (`password`) applies, also
 * with a user the URL names (`AUTH user password`).
 */
export function redisAuthCommand(url, password) {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const pass = u.password ? decodeURIComponent(u.password) : (password ?? '');
  if (!user && !pass) return null;
  return user ? ['AUTH', user, pass] : ['AUTH', pass];
}

/**
 * AUTH answers that ioredis only warns about and connects on: the password sent to a Redis
 * that has none (Redis before 6, and 6 or newer).
 */
const authOnlyWarns = /no password is set|without any password configured for the default user/;

/**
 * Asks whatever listens at a redis:// or rediss:// URL for PING, after the AUTH the server
 * would send (`redisAuthCommand`: the URL's credentials, else `opts.password`, which is
 * REDIS_PASSWORD). Resolves `{ status: 'ok' }`, `{ status: 'unreachable', detail }` when
 * nothing answers, or `{ status: 'refused', detail }` when something answers but not with
 * PONG. `detail` is the server's answer or an error code, never the password.
 */
export function pingRedis(url, timeoutMs = 1500, opts = {}) {
  let u;
  let auth;
  try {
    u = new URL(url);
    auth = redisAuthCommand(url, opts.password);
  } catch {
    return Promise.resolve({ status: 'refused', detail: 'not a valid URL' });
  }
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const commands = auth ? [auth, ['PING']] : [['PING']];

  return new Promise((resolve) => {
    const socket =
      u.protocol === 'rediss:'
        ? tlsConnect({ host, port, servername: host })
        : createConnection({ host, port });
    let received = '';
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      settle({ status: 'unreachable', detail: `no answer in ${timeoutMs} ms` }),
    );
    socket.on('error', (err) => settle({ status: 'unreachable', detail: err.code ?? err.message }));
    socket.on('close', () => settle({ status: 'unreachable', detail: 'connection closed' }));
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      socket.write(commands.map(respCommand).join(''));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      // One line per answer: +OK, -ERR …, +PONG.
      const answers = received.split('\r\n').slice(0, -1);
      for (const [i, answer] of answers.slice(0, commands.length).entries()) {
        const isAuth = commands[i][0] === 'AUTH';
        // LOADING: Redis is there and reading its AOF; the server's client waits for it.
        if (answer.startsWith('-LOADING')) return settle({ status: 'ok' });
        if (isAuth && answer.startsWith('-') && authOnlyWarns.test(answer)) continue;
        if (answer.startsWith('-')) return settle({ status: 'refused', detail: answer.slice(1) });
        if (i === commands.length - 1) {
          return settle(
            answer === '+PONG'
              ? { status: 'ok' }
              : { status: 'refused', detail: `answered ${JSON.stringify(answer.slice(0, 40))}, not PONG` },
          );
        }
      }
      if (received.length > 4096) settle({ status: 'refused', detail: 'not a Redis server' });
    });
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function stopPid(pid, waitMs = 10_000) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM'); // redis-server treats SIGTERM as SHUTDOWN: the AOF is flushed
  } catch {
    return;
  }
  const deadline = Date.now() + waitMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function readOwnerFile(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function logTail(file, fromByte) {
  try {
    return readFileSync(file).subarray(fromByte).toString('utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/**
 * A private redis-server on a free loopback port, configured as production runs Redis (AOF
 * with appendfsync everysec, noeviction), keeping its data in `.data/redis/` across runs.
 * One data directory must never have two servers, so a server left by an earlier run is reused.
 */
export async function startPrivateRedis(log, dir = privateRedisDir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ownerFile = join(dir, 'owner.json');
  const logFile = join(dir, 'redis.log');

  const earlier = readOwnerFile(ownerFile);
  if (earlier && isAlive(earlier.redisPid)) {
    const url = `redis://127.0.0.1:${earlier.port}`;
    if ((await pingRedis(url)).status === 'ok') {
      if (isAlive(earlier.ownerPid)) {
        log(`using the private redis-server of the npm start still running as pid ${earlier.ownerPid}`);
        return { url, stop: async () => {}, onUnexpectedExit: () => {} };
      }
      log(`reusing the private redis-server an earlier npm start left running (pid ${earlier.redisPid})`);
      writeFileSync(ownerFile, JSON.stringify({ ...earlier, ownerPid: process.pid }));
      return {
        url,
        pid: earlier.redisPid,
        stop: async () => {
          await stopPid(earlier.redisPid);
          rmSync(ownerFile, { force: true });
        },
        onUnexpectedExit: () => {},
      };
    }
  }

  const port = await freePort();
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'],
    ...['--save', '', '--daemonize', 'no', '--logfile', logFile, '--loglevel', 'notice'],
  ];
  // Own process group: a Ctrl-C in the terminal reaches only us, and we stop Redis after the server.
  const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore', detached: true });
  let exited = null;
  const exitListeners = [];
  child.on('error', (err) => {
    exited = { code: 127, signal: null, error: err.message };
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const fn of exitListeners) fn(exited);
  });

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      const tail = logTail(logFile, logStart);
      throw new Error(
        `redis-server exited at start (${exited.error ?? `code ${exited.code}`}).` +
          (tail ? `\nIts log (${logFile}):\n${tail}` : ''),
      );
    }
    if ((await pingRedis(url, 500)).status === 'ok') break;
    if (Date.now() > deadline) {
      await stopPid(child.pid);
      throw new Error(`redis-server did not answer on port ${port} within 15 s; see ${logFile}`);
    }
    await sleep(100);
  }
  writeFileSync(ownerFile, JSON.stringify({ port, redisPid: child.pid, ownerPid: process.pid }));

  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (!exited) {
        const done = new Promise((resolve) => exitListeners.push(resolve));
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(killTimer);
      }
      rmSync(ownerFile, { force: true });
    },
    onUnexpectedExit: (fn) => exitListeners.push(fn),
  };
}

export function redisMissingParagraph(url) {
  return [
    `Stille Lijn needs Redis, and there is none: nothing answers at ${redactUrl(url)}, and`,
    'redis-server is not installed, so `npm start` cannot run a private one. Either install it:',
    'on Debian/Ubuntu `sudo apt-get install redis-server` also starts a system Redis on',
    '127.0.0.1:6379 (a service, with its data in /var/lib/redis), which `npm start` then uses;',
    'after `brew install redis` (macOS), or with that service disabled (`sudo systemctl disable',
    '--now redis-server`), `npm start` runs a private redis-server with its data in .data/redis/.',
    'Or run Redis in Docker (`docker run -d -p 127.0.0.1:6379:6379 redis:7 --appendonly yes',
    '--maxmemory-policy noeviction`); or point REDIS_URL at a Redis you have',
    '(`REDIS_URL=redis://host:6379 npm start`, with REDIS_PASSWORD if it asks for one).',
    '`docker compose up` runs the whole set instead.',
  ].join('\n');
}

/**
 * What `npm start` does about Redis, from the probe of `url`: `use` it, start a `private`
 * redis-server, or `fail` with `message`. A Redis named by REDIS_URL (`explicit`) is never
 * replaced by a private one: the server would run on an empty Redis, without the accounts
 * and conversations kept where REDIS_URL points. Only the default address falls back, and
 * only outside production (`production`: NODE_ENV=production), where a fresh clone needs it.
 */
export function planRedis({ explicit, production = false, url, probe, canStartPrivate }) {
  const where = redactUrl(url);
  if (probe.status === 'ok') return { action: 'use', message: `using Redis at ${where}` };
  if (explicit && probe.status === 'refused') {
    return {
      action: 'fail',
      message: `REDIS_URL ${where} answered, but not with PONG: ${probe.detail.replace(/\.$/, '')}. Fix REDIS_URL (host, port, user, password) or REDIS_PASSWORD, or unset REDIS_URL to let \`npm start\` use the Redis at ${DEFAULT_REDIS_URL} or a private redis-server.`,
    };
  }
  if (explicit) {
    return {
      action: 'fail',
      message: [
        `REDIS_URL is ${where}, but nothing answers there (${probe.detail}).`,
        '`npm start` does not put a Redis of its own in its place: the server would run on an',
        'empty Redis, without the accounts and conversations kept where REDIS_URL points. Start',
        'Redis there (or correct REDIS_URL), or unset REDIS_URL to let `npm start` use the Redis',
        `at ${DEFAULT_REDIS_URL} or run a private redis-server with its data in .data/redis/.`,
      ].join('\n'),
    };
  }
  if (production) {
    return {
      action: 'fail',
      message: [
        `${probe.status === 'refused' ? `The Redis at ${where} refused` : `Nothing answers at ${where}`} (${probe.detail}), and with NODE_ENV=production \`npm start\``,
        'runs no private redis-server: the server would run on an empty Redis. Start Redis there,',
        'or set REDIS_URL (or REDIS_SENTINELS) to the Redis that holds the line.',
      ].join('\n'),
    };
  }
  if (!canStartPrivate) return { action: 'fail', message: redisMissingParagraph(url) };
  return {
    action: 'private',
    message: `no usable Redis at ${where} (${probe.detail}); starting a private redis-server`,
  };
}

/**
 * Finds a Redis to use: the Sentinels' primary (REDIS_SENTINELS), else REDIS_URL, else the
 * default address, else a private one (`planRedis`); exits with one paragraph when there is none.
 */
export async function resolveRedis(log) {
  if (process.env.REDIS_SENTINELS) {
    // The server asks the Sentinels itself, and says clearly when none answers.
    const name = process.env.REDIS_SENTINEL_NAME || 'mymaster';
    log(
      `using the Redis primary "${name}" of the Sentinels ${process.env.REDIS_SENTINELS}; no private redis-server`,
    );
    return { url: undefined, stop: async () => {}, onUnexpectedExit: () => {} };
  }
  // As config.ts reads them: an empty value counts as unset.
  const explicit = Boolean(process.env.REDIS_URL);
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const probe = await pingRedis(url, 1500, { password: process.env.REDIS_PASSWORD || undefined });
  const plan = planRedis({
    explicit,
    production: process.env.NODE_ENV === 'production',
    url,
    probe,
    canStartPrivate: onPath('redis-server'),
  });
  if (plan.action === 'use') {
    log(plan.message);
    return { url, stop: async () => {}, onUnexpectedExit: () => {} };
  }
  if (plan.action === 'fail') {
    log.fail(plan.message);
    process.exit(1);
  }
  log(plan.message);
  try {
    const redis = await startPrivateRedis(log);
    log(`private Redis at ${redis.url}, data in .data/redis/`);
    return redis;
  } catch (err) {
    log.fail(err.message);
    process.exit(1);
  }
}

/** Is `port` free on loopback? */
function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The demo Veilig Thuis region: reports to it land in the demo inbox. */
const DEMO_REGION = 'VR09';

/**
 * Outside production, unless VT_REGIONS_FILE is set: makes sure the demo key pair exists
 * (`.data/vt-demo-key`), writes `.data/vt-regions.json` with a demo region pointing at the
 * inbox, and starts `npm run inbox` as a child whose lines are prefixed `[inbox]`.
 * Needs the dependencies installed. Returns null when there is no demo inbox.
 */
export async function startDemoInbox(log) {
  if (process.env.NODE_ENV === 'production') return null;
  if (process.env.VT_REGIONS_FILE) {
    log('VT_REGIONS_FILE is set, so no demo Veilig Thuis inbox is started');
    return null;
  }
  const dataDir = join(root, '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = join(dataDir, 'vt-demo-key');
  const regionsFile = join(dataDir, 'vt-regions.json');
  const keyArgs = existsSync(keyFile)
    ? ['public', '--key', keyFile, '--region', DEMO_REGION, '--json']
    : ['generate', '--region', DEMO_REGION, '--out', keyFile, '--json'];
  const keys = spawnSync(process.execPath, ['scripts/keys.ts', ...keyArgs], {
    cwd: root,
    encoding: 'utf8',
  });
  let publicKey;
  try {
    publicKey = JSON.parse(keys.stdout.trim().split('\n').pop()).publicKey;
  } catch {
    publicKey = undefined;
  }
  if (keys.status !== 0 || !publicKey) {
    log(`no demo Veilig Thuis inbox: the demo key could not be made (${(keys.stderr || '').trim()})`);
    return null;
  }
  const wanted = Number(process.env.INBOX_PORT || 9090);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  if (port !== wanted) log(`port ${wanted} is taken; the demo inbox listens on ${port}`);
  const region = {
    id: DEMO_REGION,
    name: 'Utrecht (demo inbox)',
    endpoint: `http://127.0.0.1:${port}/`,
    publicKey,
  };
  writeFileSync(regionsFile, `${JSON.stringify([region], null, 2)}\n`);
  const child = spawn(
    process.execPath,
    ['scripts/inbox.ts', '--port', String(port), '--host', '127.0.0.1', '--key', keyFile],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let exited = false;
  child.on('error', (err) => log(`the demo inbox did not start: ${err.message}`));
  child.on('exit', () => {
    exited = true;
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[inbox] ${line}`));
  }
  log(`demo Veilig Thuis inbox for ${DEMO_REGION} at http://127.0.0.1:${port}/ (reports show up here)`);
  return {
    regionsFile,
    pid: child.pid,
    stop: async () => {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([done, sleep(3000)]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/**
 * `npm start -- --demo-lines`: two demo lines with an overflow between them, so that a
 * newcomer sees lines work. `utrecht` (Dutch and English, 24/7, region VR09) passes a
 * conversation on to `landelijk` (every language, 24/7) after 60 s. Writes
 * `.data/demo-lines.json` and returns its path; the server then makes a demo operator per
 * line. Their pages embed the widget from the demo host page (PUBLIC_URL's origin).
 */
export function writeDemoLines(env) {
  const dataDir = join(root, '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const origin = new URL(env.PUBLIC_URL || `http://localhost:${env.PORT}`).origin;
  const embedOrigins = env.EMBED_ORIGINS
    ? env.EMBED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : [origin];
  const lines = [
    {
      id: 'utrecht',
      name: 'Veilig Thuis Utrecht (demo)',
      languages: ['nl', 'en'],
      hours: '24/7',
      overflowTo: 'landelijk',
      overflowAfterS: 60,
      embedOrigins,
      region: DEMO_REGION,
    },
    {
      id: 'landelijk',
      name: 'Landelijke nachtlijn (demo)',
      languages: ['nl', 'en', 'ar', 'tr', 'pl'],
      hours: '24/7',
      embedOrigins,
    },
  ];
  const file = join(dataDir, 'demo-lines.json');
  writeFileSync(file, `${JSON.stringify(lines, null, 2)}\n`);
  return file;
}

async function main() {
  const log = createLog('start');
  // On an older Node this fetches Node 24 from the npm registry and runs again with it.
  await reexecOnNode24();
  checkNode(log);
  ensureInstalled(log);
  if (!process.argv.includes('--no-build') && !buildWorkspaces(log)) process.exit(1);

  const mainFile = join(root, 'server', 'src', 'main.ts');
  if (!existsSync(mainFile)) {
    log.fail('server/src/main.ts does not exist yet, so there is no server to start.');
    process.exit(1);
  }

  const redis = await resolveRedis(log);
  const env = { ...process.env, PORT: process.env.PORT || '8080' };
  if (redis.url) env.REDIS_URL = redis.url;
  const inbox = await startDemoInbox(log);
  if (inbox) env.VT_REGIONS_FILE = inbox.regionsFile;
  if (process.argv.includes('--demo-lines')) {
    if (process.env.LINES_FILE) {
      log('LINES_FILE is set, so --demo-lines writes no demo lines');
    } else {
      env.LINES_FILE = writeDemoLines(env);
      log('demo lines utrecht → landelijk (overflow after 60 s) in .data/demo-lines.json');
    }
  }
  // Own process group, like Redis: each signal reaches the server once, from us.
  // Node 24 strips the types itself: no TypeScript loader.
  const server = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });

  let stopRequests = 0;
  let serverExited = false;
  let redisStopped = false;
  let inboxStopped = false;
  redis.onUnexpectedExit(({ code, signal }) => {
    if (!serverExited)
      log(`the private redis-server stopped (${signal ?? `code ${code}`}); see .data/redis/redis.log`);
  });
  // If this process dies of something unexpected, take the children with it.
  process.on('exit', () => {
    for (const pid of [
      serverExited ? undefined : server.pid,
      redisStopped ? undefined : redis.pid,
      inboxStopped ? undefined : inbox?.pid,
    ]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      stopRequests += 1;
      if (serverExited) return;
      if (stopRequests === 1) {
        server.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig);
      } else {
        log('stopping the server at once');
        server.kill('SIGKILL');
      }
    });
  }

  const code = await new Promise((resolve) => {
    server.on('error', (err) => {
      log.fail(`could not start the server: ${err.message}`);
      resolve(1);
    });
    server.on('exit', (exitCode, signal) => {
      if (exitCode === null && stopRequests === 0) log(`the server was killed by ${signal}`);
      resolve(exitCode ?? (stopRequests > 0 ? 0 : 1));
    });
  });
  serverExited = true;
  await inbox?.stop();
  inboxStopped = true;
  await redis.stop();
  redisStopped = true;
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
