import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { TOTP_PERIOD_S, totpCodeAt } from '../server/src/auth/totp.ts';
import { TOTP_FAILURE_LIMIT } from '../server/src/auth/totp-lock.ts';
import { AUTH_TEST_DATA_KEY, type AuthTestApp, startAuthApp } from '../test/support/auth-app.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let prefix: string;
let server: AuthTestApp | undefined;

beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs `npm run operator -- …` (node scripts/operator.ts) with stdin piped, so never a TTY. */
function cli(args: string[], input = '', env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/operator.ts', ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: prefix,
        DATA_KEY: AUTH_TEST_DATA_KEY,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The server side, sharing the CLI's Redis prefix and data key. */
async function loginAs(username: string, password: string, totp?: string): Promise<number> {
  server ??= await startAuthApp({ env: { REDIS_PREFIX: prefix } });
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password, ...(totp ? { totp } : {}) },
    // A fresh address per attempt, so the throttle never interferes.
    remoteAddress: `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  });
  return res.statusCode;
}

// Each case starts a process (tsx, libsodium, a real Argon2id hash): give them room.
describe('npm run operator', { timeout: 60_000 }, () => {
  it('add reads the password from piped stdin; the operator can then sign in; list shows it', async () => {
    const add = await cli(
      ['add', 'Anna', '--role', 'supervisor', '--name', 'Anna de Vries', '--languages', 'nl,ar'],
      'piped-password-123\nignored second line\n',
    );
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toContain('Created supervisor Anna (nl,ar).');
    expect(add.stdout).not.toContain('piped-password-123');

    expect(await loginAs('anna', 'piped-password-123')).toBe(200);
    expect(await loginAs('anna', 'ignored second line')).toBe(401);

    expect((await cli(['add', 'bob'], 'another-password-1\n')).code).toBe(0);
    const list = await cli(['list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+STATUS\s+TOTP\s+LANGUAGES\s+LINES\s+NAME$/);
    // Without LINES_FILE every account is on the one line, 'default'.
    expect(lines[1]).toMatch(/^Anna\s+supervisor\s+enabled\s+off\s+nl,ar\s+default\s+Anna de Vries$/);
    expect(lines[2]).toMatch(/^bob\s+operator\s+enabled\s+off\s+nl,en\s+default\s+bob$/);
  });

  it('reset-password takes a piped password or generates one, and only the newest works', async () => {
    expect((await cli(['add', 'anna'], 'first-password-1\n')).code).toBe(0);
    expect(await loginAs('anna', 'first-password-1')).toBe(200);

    const piped = await cli(['reset-password', 'anna'], 'second-password-2\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('ended 1 session(s)');
    expect(await loginAs('anna', 'first-password-1')).toBe(401);
    expect(await loginAs('anna', 'second-password-2')).toBe(200);

    const generated = await cli(['reset-password', 'anna', '--generate']);
    expect(generated.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    expect(await loginAs('anna', 'second-password-2')).toBe(401);
    expect(await loginAs('anna', password!)).toBe(200);
  });

  it('disable and enable an account; totp prints the URI once and makes the code required', async () => {
    const add = await cli(['add', 'sam', '--generate']);
    const password = /Password \(shown once\): (\S+)/.exec(add.stdout)?.[1] ?? '';
    expect(await loginAs('sam', password)).toBe(200);

    const disabled = await cli(['disable', 'SAM']);
    expect(disabled).toMatchObject({ code: 0, stdout: 'Disabled sam; ended 1 session(s).\n' });
    expect(await loginAs('sam', password)).toBe(401);
    expect((await cli(['enable', 'sam'])).code).toBe(0);
    expect(await loginAs('sam', password)).toBe(200);

    const totp = await cli(['totp', 'sam']);
    expect(totp.code).toBe(0);
    const uri = /URI: (otpauth:\/\/\S+)/.exec(totp.stdout)?.[1] ?? '';
    const secret = /Secret: ([A-Z2-7]+)/.exec(totp.stdout)?.[1] ?? '';
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(await loginAs('sam', password)).toBe(401);
    expect(await loginAs('sam', password, totpCodeAt(secret, Date.now()))).toBe(200);
    expect((await cli(['list'])).stdout).toMatch(/sam\s+operator\s+enabled\s+on/);
  });

  it('list marks an account whose TOTP step is locked, with the remedy, until reset-password lifts it', async () => {
    const add = await cli(['add', 'noor', '--generate']);
    const password = /Password \(shown once\): (\S+)/.exec(add.stdout)?.[1] ?? '';
    const totp = await cli(['totp', 'noor']);
    const secret = /Secret: ([A-Z2-7]+)/.exec(totp.stdout)?.[1] ?? '';
    expect((await cli(['add', 'bob'], 'another-password-1\n')).code).toBe(0);
    // A phone whose clock drifts: the right password, ten codes the window does not accept.
    const near = new Set(
      [-2, -1, 0, 1, 2].map((s) => totpCodeAt(secret, Date.now() + s * TOTP_PERIOD_S * 1000)),
    );
    const wrong: string[] = [];
    for (let n = 100_000; wrong.length < TOTP_FAILURE_LIMIT; n += 7919) {
      if (!near.has(String(n))) wrong.push(String(n));
    }
    for (const code of wrong) expect(await loginAs('noor', password, code)).toBe(401);

    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^noor\s+operator\s+enabled\s+locked\s+nl,en\s+default\s+noor$/m);
    expect(list.stdout).toMatch(/^bob\s+operator\s+enabled\s+off\s+/m);
    // What the admin does about it, in the output itself.
    expect(list.stdout).toContain('npm run operator -- reset-password noor');

    expect((await cli(['reset-password', 'noor'], 'second-password-2\n')).code).toBe(0);
    const after = await cli(['list']);
    expect(after.stdout).toMatch(/^noor\s+operator\s+enabled\s+on\s+/m);
    expect(after.stdout).not.toContain('locked');
    expect(after.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('add and reset-password make one-time passwords, piped or generated', async () => {
    expect((await cli(['add', 'anna'], 'piped-password-123\n')).code).toBe(0);
    const generated = await cli(['add', 'bob', '--generate']);
    const bobPassword = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect((await cli(['reset-password', 'anna'], 'second-password-2\n')).code).toBe(0);
    server ??= await startAuthApp({ env: { REDIS_PREFIX: prefix } });
    for (const [username, password] of [
      ['anna', 'second-password-2'],
      ['bob', bobPassword],
    ]) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      expect(res.statusCode, username).toBe(200);
      // The console learns it from /me (the sign-in answers as PROTOCOL.md says).
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
      expect(me.json().operator.passwordChangeDue, username).toBe(true);
    }
  });

  const expectOneLineFailure = async (cases: [string[], string, number, RegExp][]) => {
    for (const [args, input, code, message] of cases) {
      const res = await cli(args, input);
      expect(res.code, args.join(' ')).toBe(code);
      expect(res.stderr).toMatch(message);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  };

  it('refuses wrong usage with exit code 2 and one line', async () => {
    await expectOneLineFailure([
      [['add', 'bob'], '', 2, /first line is empty/],
      [['add', 'bob', '--role', 'boss'], 'good-password-1\n', 2, /role must be/],
      [['add'], '', 2, /takes 1 argument/],
      [['frobnicate'], '', 2, /unknown command "frobnicate"/],
      [['list', '--bogus'], '', 2, /Unknown option '--bogus'/],
    ]);
  });

  it('reports failures with exit code 1 and one line, never the Redis password', async () => {
    expect((await cli(['add', 'anna'], 'good-password-1\n')).code).toBe(0);
    await expectOneLineFailure([
      [['add', 'ANNA'], 'other-password-1\n', 1, /already taken/],
      [['add', 'bob'], 'short\n', 1, /12 to 256 characters/],
      [['disable', 'ghost'], '', 1, /no operator named "ghost"/],
    ]);
    const noRedis = await cli(['list'], '', { REDIS_URL: 'redis://user:hunter2@127.0.0.1:1' });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toBe('operator: cannot reach Redis at 127.0.0.1:1 (set REDIS_URL).\n');
  });

  it('--help explains the commands', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['add', 'list', 'disable', 'enable', 'reset-password', 'totp']) {
      expect(help.stdout).toContain(`  ${command} `);
    }
  });
});
