import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type AuthTestApp, type AuthTestAppOptions, startAuthApp } from '../../../test/support/auth-app.ts';
import { ensureDemoOperator } from '../operators/demo.ts';
import { PasswordHasher } from './password.ts';
import { LOGIN_FAILED_MESSAGE } from './plugin.ts';
import { SESSION_MAX_AGE_MS } from './sessions.ts';
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
      },
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

  it('throttles after 5 failures for one username, from any address, with Retry-After', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    await app.operators.create({ username: 'bob', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      const res = await login(app, { username: 'anna', password: 'wrong-password!', ip: `198.51.100.${i}` });
      expect(res.statusCode).toBe(401);
    }
    // Even the right password is refused now, from a fresh address.
    const sixth = await login(app, { username: 'ANNA', ip: '198.51.100.99' });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('rate_limited');
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(sixth.headers['cache-control']).toBe('no-store');
    // Another account from one of those addresses is not affected.
    expect((await login(app, { username: 'bob', ip: '198.51.100.0' })).statusCode).toBe(200);
  });

  it('throttles after 5 failures from one address, whatever the usernames', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      expect((await login(app, { username: `guess${i}`, ip: '203.0.113.7' })).statusCode).toBe(401);
    }
    const sixth = await login(app, { username: 'anna', ip: '203.0.113.7' });
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(app, { username: 'anna', ip: '203.0.113.8' })).statusCode).toBe(200);
    // Only keyed hashes of the address and username are stored.
    const keys = (await app.redis.keys(`${app.config.redisPrefix}:login-fail:*`)).join(' ');
    expect(keys).not.toContain('203.0.113.7');
    expect(keys).not.toContain('guess');
  });

  it('cannot be raced past the limit by parallel guesses', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        login(app, { username: 'anna', password: 'wrong-password!', ip: `192.0.2.${i}` }),
      ),
    );
    expect(answers.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(7);
  });

  it('a successful login clears the username count', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: PASSWORD });
    for (let i = 0; i < 4; i++)
      await login(app, { username: 'anna', password: 'wrong-password!', ip: `192.0.2.${i}` });
    expect((await login(app, { username: 'anna', ip: '192.0.2.50' })).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect(
        (await login(app, { username: 'anna', password: 'wrong!password', ip: `192.0.2.${10 + i}` }))
          .statusCode,
      ).toBe(401);
    }
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

  it('disable revokes all sessions at once and publishes the operator id', async () => {
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
        .toEqual([`${app.config.redisPrefix}:events:operator-revoked ${anna.id}`]);
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

  it('a session created by a login racing with disable or a password reset is dead', async () => {
    // Holds password verification until released, to land a revocation inside a login.
    const deferred = () => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      return { promise, resolve };
    };
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
    await app.operators.create({ username: 'sara', password: PASSWORD, role: 'supervisor' });
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
    // A role change applies to the next request.
    await app.operators.setRole(anna.id, 'admin');
    expect((await app.inject({ url: '/t/super/x', headers: { cookie: op } })).statusCode).toBe(200);
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
