import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type AuthTestApp, type AuthTestAppOptions, startAuthApp } from '../../../test/support/auth-app.ts';
import { deferred } from '../../../test/support/deferred.ts';
import { ensureDemoOperator } from '../operators/demo.ts';
import { PasswordHasher } from './password.ts';
import { LOGIN_CHECKS_PER_ADDRESS, LOGIN_FAILED_MESSAGE } from './plugin.ts';
import { SESSION_MAX_AGE_MS } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';
import { totpCodeAt } from './totp.ts';

// Cheap Argon2id parameters keep these tests fast; password.test.ts covers the real ones.
const hasher = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
afterAll(() => hasher.close());

const PASSWORD = 'correct-horse-battery';
let current: AuthTestApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function start(opts: AuthTestAppOptions = {}): Promise<AuthTestApp> {
  current = await startAuthApp({ hasher, ...opts });
  return current;
}

interface LoginOptions {
  username: string;
  password?: string;
  totp?: string;
  ip?: string;
  headers?: Record<string, string>;
}

function login(app: FastifyInstance, o: LoginOptions) {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: o.username, password: o.password ?? PASSWORD, ...(o.totp ? { totp: o.totp } : {}) },
    remoteAddress: o.ip ?? '192.0.2.1',
    ...(o.headers ? { headers: o.headers } : {}),
  });
}

/** The `sl_session=…` pair from a login answer, ready for a Cookie header. */
function sessionCookie(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw[0] : raw) as string | undefined;
  const pair = line?.split(';')[0];
  if (!pair?.startsWith('sl_session=')) throw new Error('no session cookie');
  return pair;
}

function me(app: FastifyInstance, cookie: string) {
  return app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
}

describe('POST /api/auth/login', () => {
  it('signs in, sets a strict HttpOnly session cookie, and /me knows the operator', async () => {
    const { app, logs } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD, displayName: 'Anna B' });

    const res = await login(app, { username: 'Anna' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ operator: { id: anna.id, displayName: 'Anna B', role: 'operator' } });
    expect(res.headers['cache-control']).toBe('no-store');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^sl_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');

    const cookie = sessionCookie(res);
    const who = await me(app, cookie);
    expect(who.statusCode).toBe(200);
    expect(who.headers['cache-control']).toBe('no-store');
    expect(who.json()).toEqual({
      operator: {
        id: anna.id,
        displayName: 'Anna B',
        role: 'operator',
        languages: ['nl', 'en'],
        totpEnabled: false,
        // Version 2: without LINES_FILE, the one line.
        lines: ['default'],
      },
      // The console's screen lock: SESSION_IDLE_MIN (its default here).
      sessionIdleMinutes: 30,
    });

    // Redis holds only a hash of the token.
    const token = cookie.split('=')[1]!;
    const keys = await app.redis.keys(`${app.config.redisPrefix}:*`);
    for (const k of keys) expect(k).not.toContain(token);
    expect(
      JSON.stringify(
        await Promise.all(keys.filter((k) => k.includes(':session:')).map((k) => app.redis.hgetall(k))),
      ),
    ).not.toContain(token);

    // Logs name the operator by id only: no username, password, token or address.
    const all = logs.join('');
    expect(logs.some((l) => l.includes('"msg":"login"') && l.includes(anna.id))).toBe(true);
    for (const secret of [PASSWORD, token, 'anna', 'Anna', '192.0.2.1']) expect(all).not.toContain(secret);
  });

  it('gives one identical 401 for a wrong password, an unknown user and a disabled account', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const bob = await app.operators.create({ username: 'bob', password: PASSWORD });
    await app.operators.disable(bob.id);

    const answers = await Promise.all([
      login(app, { username: 'anna', password: 'wrong-password-1', ip: '192.0.2.10' }),
      login(app, { username: 'nobody', ip: '192.0.2.11' }),
      login(app, { username: 'bob', ip: '192.0.2.12' }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: LOGIN_FAILED_MESSAGE } });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers 400 invalid_payload for a malformed body', async () => {
    const { app } = await start();
    for (const payload of [{}, { username: 'anna' }, { username: 'anna', password: PASSWORD, totp: '12' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_payload');
      expect(typeof res.json().error.message).toBe('string');
    }
    const form = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=anna&password=x',
    });
    expect(form.statusCode).toBe(400);
  });

  it('requires a valid TOTP code when TOTP is on, and refuses a replayed code', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await app.operators.setTotpSecret(anna.id, secret);

    expect((await login(app, { username: 'anna' })).statusCode).toBe(401);
    const code = totpCodeAt(secret, Date.now());
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await login(app, { username: 'anna', totp: wrong });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toBe(LOGIN_FAILED_MESSAGE);

    const ok = await login(app, { username: 'anna', totp: code });
    expect(ok.statusCode).toBe(200);
    expect((await me(app, sessionCookie(ok))).json().operator.totpEnabled).toBe(true);

    const replay = await login(app, { username: 'anna', totp: code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toBe(LOGIN_FAILED_MESSAGE);
  });

  it('does not spend a TOTP code on a wrong password', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await app.operators.setTotpSecret(anna.id, secret);
    const code = totpCodeAt(secret, Date.now());
    expect(
      (await login(app, { username: 'anna', password: 'not-the-password', totp: code })).statusCode,
    ).toBe(401);
    expect((await login(app, { username: 'anna', totp: code })).statusCode).toBe(200);
  });

  it('refuses a foreign Origin with 403 and accepts the public or own origin', async () => {
    const { app, config } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const evil = await login(app, { username: 'anna', headers: { origin: 'https://evil.example' } });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error.code).toBe('forbidden');
    expect(
      (await login(app, { username: 'anna', headers: { origin: config.publicOrigin } })).statusCode,
    ).toBe(200);
    const own = await login(app, {
      username: 'anna',
      headers: { origin: 'http://helpline.test:9000', host: 'helpline.test:9000' },
    });
    expect(own.statusCode).toBe(200);
  });

  it('the demo accounts printed by npm start can sign in', async () => {
    const { app } = await start();
    const creds = await ensureDemoOperator(app);
    expect(creds.map((c) => c.username)).toEqual(['demo', 'demo-supervisor']);
    for (const c of creds) {
      const res = await login(app, { username: c.username, password: c.password });
      expect(res.json().operator.role).toBe(c.role);
    }
  });

  it('in production: the cookie is __Host- prefixed, and one of the bare name (set from a sibling domain) signs nobody in', async () => {
    const { app } = await start({ env: { NODE_ENV: 'production' } });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const res = await login(app, { username: 'anna' });
    const setCookie = String(res.headers['set-cookie']);
    // The prefix makes the browser refuse it unless Secure, host-only (no Domain) and Path=/,
    // so a site on a sibling subdomain cannot plant or overshadow it.
    expect(setCookie).toMatch(/^__Host-sl_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toMatch(/Domain=/i);
    const token = setCookie.split(';')[0]!.slice('__Host-sl_session='.length);
    expect((await me(app, `__Host-sl_session=${token}`)).statusCode).toBe(200);
    expect((await me(app, `sl_session=${token}`)).statusCode).toBe(401);
    expect(await app.auth.sessionFromCookieHeader(`sl_session=${token}`)).toBeNull();

    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: `__Host-sl_session=${token}` },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^__Host-sl_session=;.*Secure/);
    expect((await me(app, `__Host-sl_session=${token}`)).statusCode).toBe(401);
  });

  it('in production: sets Secure, and refuses a supervisor without TOTP', async () => {
    const { app } = await start({ env: { NODE_ENV: 'production' } });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const sup = await app.operators.create({ username: 'sara', password: PASSWORD, role: 'supervisor' });
    const ok = await login(app, { username: 'anna' });
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).toContain('Secure');

    const refused = await login(app, { username: 'sara' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toBe(LOGIN_FAILED_MESSAGE);
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await app.operators.setTotpSecret(sup.id, secret);
    expect((await login(app, { username: 'sara', totp: totpCodeAt(secret, Date.now()) })).statusCode).toBe(
      200,
    );
  });
});

describe('login throttling slows guessing down and locks nobody out', () => {
  const WRONG = 'not-the-password';

  /** A clock the tests move forward instead of sleeping. */
  function clock() {
    let at = Date.now();
    return { now: () => at, advance: (ms: number) => (at += ms) };
  }

  /**
   * Wrong passwords from one address until `failures` of them were checked (401),
   * waiting out each 429 on the test clock. Returns every Retry-After seen, in order.
   */
  async function guess(
    app: FastifyInstance,
    c: ReturnType<typeof clock>,
    o: { username: string | ((i: number) => string); ip: string | ((i: number) => string); failures: number },
  ): Promise<number[]> {
    const waits: number[] = [];
    for (let i = 0, failed = 0; failed < o.failures; i++) {
      // A throttle that never lets a guess through again is a lockout: fail, do not hang.
      if (i > 2 * o.failures + 20)
        throw new Error(`only ${failed} of ${o.failures} guesses were let through`);
      const res = await login(app, {
        username: typeof o.username === 'string' ? o.username : o.username(failed),
        ip: typeof o.ip === 'string' ? o.ip : o.ip(failed),
        password: WRONG,
      });
      if (res.statusCode === 401) {
        failed++;
        continue;
      }
      expect(res.statusCode).toBe(429);
      const wait = Number(res.headers['retry-after']);
      waits.push(wait);
      c.advance(wait * 1000);
    }
    return waits;
  }

  it('wrong passwords from one address while the operator signs in from another', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    // Someone hammers her username from one address, as fast as the server lets him.
    await guess(app, c, { username: 'anna', ip: '198.51.100.7', failures: 25 });
    const hammering = await login(app, { username: 'anna', ip: '198.51.100.7', password: WRONG });
    expect(hammering.statusCode).toBe(429);
    // She has never signed in from her address before, and still gets in at once.
    expect((await login(app, { username: 'anna', ip: '192.0.2.10' })).statusCode).toBe(200);
    // Even on the same line as him, his count is his: IPv6 from another /64 is another address.
    expect((await login(app, { username: 'anna', ip: '2001:db8:aaaa:1::5' })).statusCode).toBe(200);
  });

  it('the wait after repeated failures doubles up to 60 s, and the right password then gets in', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const waits = await guess(app, c, { username: 'anna', ip: '203.0.113.9', failures: 13 });
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    const slowed = await login(app, { username: 'anna', ip: '203.0.113.9' });
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json()).toEqual({
      error: { code: 'rate_limited', message: 'Too many requests. Please wait a moment.' },
    });
    expect(slowed.headers['cache-control']).toBe('no-store');
    c.advance(Number(slowed.headers['retry-after']) * 1000);
    expect((await login(app, { username: 'anna', ip: '203.0.113.9' })).statusCode).toBe(200);
  });

  it('typos in one office slow down only the account that made them', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    const office = '192.0.2.77';
    for (const name of ['anna', 'bram', 'cleo']) {
      await app.operators.create({ username: name, password: PASSWORD });
    }
    // Anna mistypes five times; the sixth attempt waits a second, for her alone.
    await guess(app, c, { username: 'anna', ip: office, failures: 5 });
    expect((await login(app, { username: 'anna', ip: office })).statusCode).toBe(429);
    expect((await login(app, { username: 'bram', ip: office })).statusCode).toBe(200);
    expect((await login(app, { username: 'cleo', ip: office })).statusCode).toBe(200);
  });

  it('one address guessing many accounts is slowed down, but not for accounts that signed in there before', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    const shared = '192.0.2.88';
    await app.operators.create({ username: 'anna', password: PASSWORD });
    await app.operators.create({ username: 'bram', password: PASSWORD });
    expect((await login(app, { username: 'anna', ip: shared })).statusCode).toBe(200);
    // Twenty different usernames go through; the next guess from there waits.
    await guess(app, c, { username: (i) => `guess${i}`, ip: shared, failures: 20 });
    const next = await login(app, { username: 'guess-more', ip: shared, password: WRONG });
    expect(next.statusCode).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A first sign-in from that address waits too; Anna, who signed in there before, does not.
    expect((await login(app, { username: 'bram', ip: shared })).statusCode).toBe(429);
    expect((await login(app, { username: 'anna', ip: shared })).statusCode).toBe(200);
    // Elsewhere nothing changed.
    expect((await login(app, { username: 'bram', ip: '192.0.2.89' })).statusCode).toBe(200);
  });

  it('guessing one username from many addresses slows strangers, not the operator at her usual address', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    expect((await login(app, { username: 'anna', ip: '192.0.2.20' })).statusCode).toBe(200);
    // Fifty guesses from fifty addresses go through; the fifty-first waits.
    await guess(app, c, { username: 'anna', ip: (i) => `198.51.100.${i + 1}`, failures: 50 });
    const distributed = await login(app, { username: 'anna', ip: '198.51.100.200', password: WRONG });
    expect(distributed.statusCode).toBe(429);
    // The right password from yet another new address waits as well ...
    expect((await login(app, { username: 'anna', ip: '203.0.113.50' })).statusCode).toBe(429);
    // ... but not from where she signed in before.
    expect((await login(app, { username: 'anna', ip: '192.0.2.20' })).statusCode).toBe(200);
  });

  it('parallel guesses are counted atomically: exactly 50 of 60 from different addresses are checked', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        login(app, { username: 'anna', password: WRONG, ip: `198.51.100.${i + 1}` }),
      ),
    );
    expect(answers.filter((r) => r.statusCode === 401)).toHaveLength(50);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(10);
  });

  it('parallel guesses from one address at one username: exactly 5 go ahead', async () => {
    const { app } = await start();
    const throttle = new LoginThrottle({ redis: app.redis, keys: app.operators.keys, cipher: app.cipher });
    const attempt = throttle.attempt('anna', '192.0.2.1');
    const answers = await Promise.all(Array.from({ length: 12 }, () => throttle.begin(attempt)));
    const waits = answers.map((a) => a.waitMs);
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    for (const w of waits.filter((w) => w > 0)) expect(w).toBeLessThanOrEqual(1000);
  });

  it('one address cannot queue more than two password checks; more are refused before any hashing', async () => {
    let checks = 0;
    const gate = deferred();
    class CountingHasher extends PasswordHasher {
      override async verify(hash: string, password: string): Promise<boolean> {
        checks++;
        await gate.promise;
        return super.verify(hash, password);
      }
    }
    const counting = new CountingHasher({ opsLimit: 1, memLimit: 8192 });
    try {
      const { app } = await start({ hasher: counting });
      for (const name of ['anna', 'bram', 'cleo', 'dirk', 'eva', 'fenna']) {
        await app.operators.create({ username: name, password: PASSWORD });
      }
      const wrong = (username: string, ip: string) => login(app, { username, ip, password: 'nope-nope' });
      // A refused attempt answers at once; one that reached the hasher would hang at the gate.
      const refusedBeforeHashing = async (username: string, ip: string) => {
        const before = checks;
        let timer: NodeJS.Timeout | undefined;
        const hashed = new Promise<'hashed'>((resolve) => {
          timer = setInterval(() => checks > before && resolve('hashed'), 5);
        });
        try {
          const res = await Promise.race([wrong(username, ip), hashed]);
          if (res === 'hashed') throw new Error('the attempt reached the password hasher');
          return res;
        } finally {
          clearInterval(timer);
        }
      };
      expect(LOGIN_CHECKS_PER_ADDRESS).toBe(2);
      // Two checks from one IPv6 /64 run (held at the gate); a third address in that /64 waits for none.
      const held = [wrong('anna', '2001:db8:5:6::1'), wrong('bram', '2001:db8:5:6::2')];
      await expect.poll(() => checks).toBe(2);
      const third = await refusedBeforeHashing('cleo', '2001:db8:5:6:ffff::3');
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBe('1');
      // IPv4-mapped IPv6 is the IPv4 address.
      held.push(wrong('dirk', '192.0.2.5'), wrong('eva', '192.0.2.5'));
      await expect.poll(() => checks).toBe(4);
      expect((await refusedBeforeHashing('fenna', '::ffff:192.0.2.5')).statusCode).toBe(429);
      // Another address is not held up by them.
      held.push(wrong('fenna', '192.0.2.6'));
      await expect.poll(() => checks).toBe(5);
      gate.resolve();
      for (const res of await Promise.all(held)) expect(res.statusCode).toBe(401);
      expect(checks).toBe(5);
      // Once they are done, that address may check passwords again.
      expect((await login(app, { username: 'cleo', ip: '2001:db8:5:6:ffff::3' })).statusCode).toBe(200);
    } finally {
      gate.resolve();
      await counting.close();
    }
  });

  it('stores only keyed hashes, each with an expiry', async () => {
    const c = clock();
    const { app } = await start({ now: c.now });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    await guess(app, c, { username: 'anna', ip: '203.0.113.7', failures: 6 });
    expect((await login(app, { username: 'anna', ip: '2001:db8:1:2::7' })).statusCode).toBe(200);
    const keys = await app.redis.keys(`${app.config.redisPrefix}:login*`);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const stored = JSON.stringify([
      keys,
      await Promise.all(
        keys.map(async (k) =>
          (await app.redis.type(k)) === 'hash' ? app.redis.hgetall(k) : app.redis.get(k),
        ),
      ),
    ]);
    for (const clear of ['anna', '203.0.113.7', '2001:db8', 'db8:1:2']) expect(stored).not.toContain(clear);
    for (const k of keys) expect(await app.redis.pttl(k)).toBeGreaterThan(0);
  });
});

describe('sessions', () => {
  it('logout ends only that session and clears the cookie', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const first = sessionCookie(await login(app, { username: 'anna' }));
    const second = sessionCookie(await login(app, { username: 'anna' }));

    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: first } });
    expect(out.statusCode).toBe(200);
    expect(out.headers['cache-control']).toBe('no-store');
    expect(String(out.headers['set-cookie'])).toMatch(/^sl_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
    expect((await me(app, first)).statusCode).toBe(401);
    expect((await me(app, second)).statusCode).toBe(200);
    // Logging out again, or without a session, is harmless.
    expect(
      (await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: first } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(200);
  });

  it('/me is 401 without a cookie or with a forged one', async () => {
    const { app } = await start();
    for (const cookie of ['', 'sl_session=abc', `sl_session=${'A'.repeat(43)}`]) {
      const res = await me(app, cookie);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('expires after the idle period, and each use pushes that back', async () => {
    const { app } = await start({ config: { sessionIdleMs: 1000 } });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const cookie = sessionCookie(await login(app, { username: 'anna' }));
    await sleep(600);
    expect((await me(app, cookie)).statusCode).toBe(200);
    await sleep(600);
    expect((await me(app, cookie)).statusCode).toBe(200);
    await sleep(1300);
    expect((await me(app, cookie)).statusCode).toBe(401);
  });

  it('ends 12 hours after login however active', async () => {
    let clock = Date.now();
    const { app } = await start({ now: () => clock });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const cookie = sessionCookie(await login(app, { username: 'anna' }));
    clock += SESSION_MAX_AGE_MS - 60_000;
    expect((await me(app, cookie)).statusCode).toBe(200);
    clock += 60_001;
    expect((await me(app, cookie)).statusCode).toBe(401);
  });

  it('disable revokes all sessions at once and publishes the operator id and epoch', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const cookies = [
      sessionCookie(await login(app, { username: 'anna' })),
      sessionCookie(await login(app, { username: 'anna' })),
    ];
    const session = await app.auth.sessionFromCookieHeader(cookies[0]);
    expect(session?.operator.id).toBe(anna.id);
    expect(await app.auth.isSessionLive(session!.sessionId)).toBe(true);

    const sub = new Redis(inject('redisUrl'));
    const received: string[] = [];
    sub.on('message', (channel, message) => received.push(`${channel} ${message}`));
    await sub.subscribe(`${app.config.redisPrefix}:events:operator-revoked`);
    try {
      await app.operators.disable(anna.id);
      await expect
        .poll(() => received)
        .toEqual([`${app.config.redisPrefix}:events:operator-revoked ${anna.id} 1`]);
    } finally {
      sub.disconnect();
    }
    for (const cookie of cookies) expect((await me(app, cookie)).statusCode).toBe(401);
    expect(await app.auth.isSessionLive(session!.sessionId)).toBe(false);
    expect((await login(app, { username: 'anna' })).statusCode).toBe(401);
    // Enabling does not bring the old sessions back.
    await app.operators.enable(anna.id);
    expect((await me(app, cookies[1]!)).statusCode).toBe(401);
    expect((await login(app, { username: 'anna' })).statusCode).toBe(200);
  });

  it('a password reset revokes sessions; only the new password works', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const cookie = sessionCookie(await login(app, { username: 'anna' }));
    await app.operators.resetPassword(anna.id, 'a-brand-new-password');
    expect((await me(app, cookie)).statusCode).toBe(401);
    expect((await login(app, { username: 'anna' })).statusCode).toBe(401);
    expect((await login(app, { username: 'anna', password: 'a-brand-new-password' })).statusCode).toBe(200);
  });

  it('an operator at an address she signed in from gets past a hasher queue kept full by a script', async () => {
    let verifies = 0;
    const finished: string[] = [];
    class CountingHasher extends PasswordHasher {
      override async verify(hash: string, password: string): Promise<boolean> {
        verifies++;
        const ok = await super.verify(hash, password);
        finished.push(password);
        return ok;
      }
    }
    const MAX_QUEUE = 6;
    const small = new CountingHasher({ opsLimit: 1, memLimit: 8192, maxQueue: MAX_QUEUE });
    try {
      const { app } = await start({ hasher: small });
      await app.operators.create({ username: 'anna', password: PASSWORD });
      await app.operators.create({ username: 'bram', password: PASSWORD });
      const home = '2001:db8:77:1::10';
      expect((await login(app, { username: 'anna', ip: home })).statusCode).toBe(200);
      // The dummy hash exists from here on: each unknown username costs one verification.
      await small.verifyDummy('warming up');
      // A stored hash carries its own Argon2id cost: this one holds the worker for a
      // second or two while the script fills the queue behind it.
      const salt = Buffer.alloc(16, 1).toString('base64').replace(/=+$/, '');
      const sum = Buffer.alloc(32, 2).toString('base64').replace(/=+$/, '');
      const busy = small.verify(`$argon2id$v=19$m=65536,t=16,p=1$${salt}$${sum}`, 'x');
      busy.catch(() => {}); // settled below; a failing assertion must not leave it unhandled
      finished.length = 0;
      // The script: wrong passwords for made-up usernames, one /64 of its /48 after another.
      const script = Array.from({ length: MAX_QUEUE - 1 }, (_, i) =>
        login(app, { username: `nobody-${i}`, password: 'wrong-wrong-wrong', ip: `2001:db8:bad:${i}::1` }),
      );
      await expect.poll(() => verifies).toBe(MAX_QUEUE + 1);
      // A new address gets the full queue's answer, whoever the account is.
      const stranger = await login(app, { username: 'bram', ip: '2001:db8:99:1::1' });
      expect(stranger.statusCode).toBe(503);
      expect(stranger.json()).toMatchObject({ error: { code: 'unavailable' } });
      // Anna at her usual address is checked before the script's queued guesses.
      const anna = await login(app, { username: 'anna', ip: '2001:db8:77:1::11' });
      expect(anna.statusCode).toBe(200);
      expect(await busy).toBe(false);
      for (const res of await Promise.all(script)) expect(res.statusCode).toBe(401);
      // Only the guess handed to the worker with the long run went before her.
      expect(finished).toEqual([
        'x',
        'wrong-wrong-wrong',
        PASSWORD,
        ...Array(MAX_QUEUE - 2).fill('wrong-wrong-wrong'),
      ]);
    } finally {
      await small.close();
    }
  });

  it('a session created by a login racing with disable or a password reset is dead', async () => {
    // Holds password verification until released, to land a revocation inside a login.
    class GatedHasher extends PasswordHasher {
      gate = deferred();
      entered = deferred();
      override async verify(hash: string, password: string): Promise<boolean> {
        this.entered.resolve();
        await this.gate.promise;
        return super.verify(hash, password);
      }
    }
    const gated = new GatedHasher({ opsLimit: 1, memLimit: 8192 });
    try {
      const { app } = await start({ hasher: gated });
      const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
      for (const revoke of [
        () => app.operators.disable(anna.id),
        () => app.operators.resetPassword(anna.id, PASSWORD),
      ]) {
        await app.operators.enable(anna.id);
        gated.gate = deferred();
        gated.entered = deferred();
        const pending = login(app, { username: 'anna' });
        await gated.entered.promise;
        await revoke();
        gated.gate.resolve();
        const res = await pending;
        expect(res.statusCode).toBe(200);
        expect((await me(app, sessionCookie(res))).statusCode).toBe(401);
      }
    } finally {
      await gated.close();
    }
  });

  it('sessionFromCookieHeader reads a raw Cookie header among other cookies', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const pair = sessionCookie(await login(app, { username: 'anna' }));
    const session = await app.auth.sessionFromCookieHeader(`theme=dark; ${pair}; lang=nl`);
    expect(session?.operator).toMatchObject({ id: anna.id, username: 'anna', role: 'operator' });
    expect(await app.auth.sessionFromCookieHeader(undefined)).toBeNull();
    expect(await app.auth.sessionFromCookieHeader('')).toBeNull();
    expect(await app.auth.sessionFromCookieHeader('sl_session=%E0%A4%A')).toBeNull();
    await app.auth.revokeSession(session!.sessionId);
    expect(await app.auth.isSessionLive(session!.sessionId)).toBe(false);
  });

  it('touchSession keeps a socket-only operator signed in; isSessionLive does not', async () => {
    const { app } = await start({ config: { sessionIdleMs: 800 } });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const session = await app.auth.sessionFromCookieHeader(
      sessionCookie(await login(app, { username: 'anna' })),
    );
    const id = session!.sessionId;
    await sleep(500);
    expect(await app.auth.touchSession(id)).toBe(true);
    await sleep(500);
    expect(await app.auth.isSessionLive(id)).toBe(true);
    await sleep(500);
    expect(await app.auth.isSessionLive(id)).toBe(false);
    expect(await app.auth.touchSession(id)).toBe(false);
  });
});

describe('requireOperator and requireRole', () => {
  const routes = (app: FastifyInstance) => {
    app.get('/t/any', { preHandler: app.requireOperator }, async (req) => ({ id: req.operator?.id }));
    app.get<{ Params: { id: string } }>(
      '/t/super/:id',
      { preHandler: app.requireRole('supervisor', 'admin') },
      async (req) => ({ role: req.operator?.role, id: req.params.id }),
    );
    app.post('/t/change', { preHandler: app.requireOperator }, async () => ({ changed: true }));
  };

  it('let the right roles through with request.operator set', async () => {
    const { app } = await start({ routes });
    const anna = await app.operators.create({ username: 'anna', password: PASSWORD });
    const sara = await app.operators.create({ username: 'sara', password: PASSWORD, role: 'supervisor' });
    const op = sessionCookie(await login(app, { username: 'anna' }));
    const sup = sessionCookie(await login(app, { username: 'sara' }));

    expect((await app.inject({ url: '/t/any' })).statusCode).toBe(401);
    const any = await app.inject({ url: '/t/any', headers: { cookie: op } });
    expect(any.json()).toEqual({ id: anna.id });
    expect(any.headers['cache-control']).toBe('no-store');
    const denied = await app.inject({ url: '/t/super/x', headers: { cookie: op } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    expect((await app.inject({ url: '/t/super/x', headers: { cookie: sup } })).json()).toEqual({
      role: 'supervisor',
      id: 'x',
    });
    // A lowered role applies to the next request, on the same session.
    await app.operators.setRole(sara.id, 'operator');
    expect((await app.inject({ url: '/t/super/x', headers: { cookie: sup } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/t/any', headers: { cookie: sup } })).statusCode).toBe(200);
    // A raised role ends the session: the higher role needs a new sign-in (and TOTP in production).
    await app.operators.setRole(anna.id, 'admin');
    expect((await app.inject({ url: '/t/super/x', headers: { cookie: op } })).statusCode).toBe(401);
    const again = sessionCookie(await login(app, { username: 'anna' }));
    expect((await app.inject({ url: '/t/super/x', headers: { cookie: again } })).statusCode).toBe(200);
  });

  it('check the Origin of state-changing calls', async () => {
    const { app } = await start({ routes });
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const cookie = sessionCookie(await login(app, { username: 'anna' }));
    const foreign = await app.inject({
      method: 'POST',
      url: '/t/change',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    const same = await app.inject({
      method: 'POST',
      url: '/t/change',
      headers: { cookie, origin: app.config.publicOrigin },
    });
    expect(same.json()).toEqual({ changed: true });
  });
});
