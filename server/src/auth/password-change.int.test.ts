import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AuthTestApp, type AuthTestAppOptions, startAuthApp } from '../../../test/support/auth-app.ts';
import { deferred } from '../../../test/support/deferred.ts';
import { PasswordHasher } from './password.ts';
import { LOGIN_FAILED_MESSAGE } from './plugin.ts';
import { sessionIdForToken } from './sessions.ts';

// Cheap Argon2id parameters keep these tests fast; password.test.ts covers the real ones.
const hasher = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
afterAll(() => hasher.close());

const ONE_TIME = 'k7mq-xr4t-bn2w-p9ha-d3fz';
const CHOSEN = 'my-own-long-passphrase';
const HOUR = 3_600_000;
let current: AuthTestApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** An auth app on a clock the test moves forward instead of sleeping. */
async function start(opts: AuthTestAppOptions = {}) {
  let at = Date.now();
  current = await startAuthApp({ hasher, now: () => at, ...opts });
  return { ...current, advance: (ms: number) => (at += ms) };
}

function login(app: FastifyInstance, username: string, password: string, ip = '192.0.2.1') {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: ip,
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

async function signIn(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await login(app, username, password);
  expect(res.statusCode).toBe(200);
  return sessionCookie(res);
}

function me(app: FastifyInstance, cookie: string) {
  return app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
}

function changePassword(app: FastifyInstance, cookie: string, payload: unknown, ip = '192.0.2.1') {
  return app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: { cookie },
    payload: payload as Record<string, unknown>,
    remoteAddress: ip,
  });
}

describe('one-time passwords', () => {
  it('tell the console a change is due in /me (sign-in answers as PROTOCOL.md); a chosen password does not', async () => {
    const { app } = await start();
    const anna = await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    await app.operators.create({ username: 'bob', password: CHOSEN });

    const res = await login(app, 'anna', ONE_TIME);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      operator: { id: anna.id, displayName: 'anna', role: 'operator' },
    });
    expect((await me(app, sessionCookie(res))).json().operator.passwordChangeDue).toBe(true);

    const bob = await login(app, 'bob', CHOSEN);
    expect(bob.json().operator).not.toHaveProperty('passwordChangeDue');
    expect((await me(app, sessionCookie(bob))).json().operator).not.toHaveProperty('passwordChangeDue');
  });

  it('stop working ONE_TIME_PASSWORD_HOURS after they were set, exactly like a wrong password', async () => {
    const { app, advance } = await start({ env: { ONE_TIME_PASSWORD_HOURS: '72' } });
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    await app.operators.create({ username: 'bob', password: CHOSEN });
    const wrong = await login(app, 'anna', 'not-the-password', '192.0.2.7');

    advance(72 * HOUR - 1000);
    expect((await login(app, 'anna', ONE_TIME)).statusCode).toBe(200);
    advance(1000);
    const expired = await login(app, 'anna', ONE_TIME);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual(wrong.json());
    expect(expired.json()).toEqual({ error: { code: 'unauthorized', message: LOGIN_FAILED_MESSAGE } });
    expect(expired.headers['set-cookie']).toBeUndefined();

    // A password its owner chose never expires.
    advance(365 * 24 * HOUR);
    expect((await login(app, 'bob', CHOSEN)).statusCode).toBe(200);
  });

  it('an expired one is counted by the login throttle as any wrong password', async () => {
    const { app, advance } = await start();
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    advance(73 * HOUR);
    for (let i = 0; i < 5; i++) expect((await login(app, 'anna', ONE_TIME)).statusCode).toBe(401);
    const throttled = await login(app, 'anna', ONE_TIME);
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an admin reset issues a new one-time password, with a fresh expiry', async () => {
    const { app, advance } = await start();
    const anna = await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    advance(100 * HOUR);
    expect((await login(app, 'anna', ONE_TIME)).statusCode).toBe(401);
    await app.operators.resetPassword(anna.id, 'a-fresh-one-time-pw');
    const res = await login(app, 'anna', 'a-fresh-one-time-pw');
    expect(res.statusCode).toBe(200);
    expect((await me(app, sessionCookie(res))).json().operator.passwordChangeDue).toBe(true);
    advance(72 * HOUR);
    expect((await login(app, 'anna', 'a-fresh-one-time-pw')).statusCode).toBe(401);
  });
});

describe('POST /api/auth/password', () => {
  it('replaces the password: other sessions end, this one stays, the old password and the flag are gone', async () => {
    const { app, logs } = await start();
    const anna = await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const here = await signIn(app, 'anna', ONE_TIME);
    const elsewhere = await signIn(app, 'anna', ONE_TIME);

    const res = await changePassword(app, here, { currentPassword: ONE_TIME, newPassword: CHOSEN });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(res.headers['cache-control']).toBe('no-store');

    expect((await me(app, elsewhere)).statusCode).toBe(401);
    const renewed = sessionCookie(res);
    const stillHere = await me(app, renewed);
    expect(stillHere.statusCode).toBe(200);
    expect(stillHere.json().operator).not.toHaveProperty('passwordChangeDue');
    expect(await app.auth.sessionFromCookieHeader(renewed)).toMatchObject({ operator: { id: anna.id } });

    expect((await login(app, 'anna', ONE_TIME, '192.0.2.9')).statusCode).toBe(401);
    const again = await login(app, 'anna', CHOSEN);
    expect(again.statusCode).toBe(200);
    expect(again.json().operator).not.toHaveProperty('passwordChangeDue');

    // Neither password reaches a log line.
    const all = logs.join('');
    for (const secret of [ONE_TIME, CHOSEN]) expect(all).not.toContain(secret);
    expect(logs.some((l) => l.includes('"msg":"password changed"') && l.includes(anna.id))).toBe(true);
  });

  it('renews the calling session: a copy of its old cookie stops working, the answer sets a new one', async () => {
    const { app, advance } = await start({ env: { SESSION_MAX_HOURS: '12' } });
    const anna = await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const signedIn = await login(app, 'anna', ONE_TIME);
    const old = sessionCookie(signedIn);
    advance(11 * HOUR);

    const res = await changePassword(app, old, { currentPassword: ONE_TIME, newPassword: CHOSEN });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect((await me(app, old)).statusCode).toBe(401);
    expect(await app.auth.sessionFromCookieHeader(old)).toBeNull();

    const renewed = sessionCookie(res);
    expect(renewed).not.toBe(old);
    // The login's cookie, attributes and all; only the token differs.
    const attributes = (r: { headers: Record<string, unknown> }) =>
      String(r.headers['set-cookie']).split(';').slice(1).join(';');
    expect(attributes(res)).toBe(attributes(signedIn));
    const who = await me(app, renewed);
    expect(who.statusCode).toBe(200);
    expect(who.json().operator.id).toBe(anna.id);
    // The account's session set holds the new session only.
    const token = renewed.slice('sl_session='.length);
    expect(await app.redis.smembers(app.operators.keys.sessionsOf(anna.id))).toEqual([
      sessionIdForToken(token),
    ]);
    // The console goes on with the new cookie, a second change included.
    const again = await changePassword(app, renewed, { currentPassword: CHOSEN, newPassword: `${CHOSEN}-2` });
    expect(again.statusCode).toBe(200);
    expect((await me(app, renewed)).statusCode).toBe(401);
    const latest = sessionCookie(again);
    expect((await me(app, latest)).statusCode).toBe(200);

    // Renewed, not extended: the session still ends SESSION_MAX_HOURS after the sign-in.
    advance(HOUR);
    expect((await me(app, latest)).statusCode).toBe(401);
  });

  it('a chosen password never expires', async () => {
    const { app, advance } = await start();
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const cookie = await signIn(app, 'anna', ONE_TIME);
    expect(
      (await changePassword(app, cookie, { currentPassword: ONE_TIME, newPassword: CHOSEN })).statusCode,
    ).toBe(200);
    advance(1000 * HOUR);
    expect((await login(app, 'anna', CHOSEN)).statusCode).toBe(200);
  });

  it('refuses a wrong current password with the sign-in 401, counted by the login throttle', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const cookie = await signIn(app, 'anna', ONE_TIME);
    const body = { currentPassword: 'not-my-password', newPassword: CHOSEN };
    for (let i = 0; i < 5; i++) {
      const res = await changePassword(app, cookie, body);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: LOGIN_FAILED_MESSAGE } });
    }
    // The sixth waits, as a sixth wrong sign-in would; so does a sign-in from here.
    const throttled = await changePassword(app, cookie, body);
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(app, 'anna', ONE_TIME)).statusCode).toBe(429);
    // Nothing changed, and the session lives on.
    expect((await me(app, cookie)).json().operator.passwordChangeDue).toBe(true);
    expect((await login(app, 'anna', ONE_TIME, '192.0.2.50')).statusCode).toBe(200);
  });

  it('refuses a new password that is too short, too long or the same, naming the field', async () => {
    const { app } = await start();
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const cookie = await signIn(app, 'anna', ONE_TIME);
    for (const newPassword of ['short-11chr', 'x'.repeat(257), ONE_TIME]) {
      const res = await changePassword(app, cookie, { currentPassword: ONE_TIME, newPassword });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_payload' }, fields: ['newPassword'] });
      expect(JSON.stringify(res.json())).not.toContain(newPassword);
    }
    for (const payload of [{}, { currentPassword: ONE_TIME }, { currentPassword: '', newPassword: CHOSEN }]) {
      expect((await changePassword(app, cookie, payload)).statusCode).toBe(400);
    }
    // Nothing changed.
    expect((await login(app, 'anna', ONE_TIME, '192.0.2.2')).statusCode).toBe(200);
    expect((await me(app, cookie)).json().operator.passwordChangeDue).toBe(true);
  });

  it('refuses an expired one-time password as the current one', async () => {
    // Shorter than a session, so the session outlives the password.
    const { app, advance } = await start({ env: { ONE_TIME_PASSWORD_HOURS: '1' } });
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const cookie = await signIn(app, 'anna', ONE_TIME);
    advance(HOUR);
    expect((await me(app, cookie)).statusCode).toBe(200);
    const res = await changePassword(app, cookie, { currentPassword: ONE_TIME, newPassword: CHOSEN });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe(LOGIN_FAILED_MESSAGE);
  });

  it('needs a session and the own origin', async () => {
    const { app, config } = await start();
    await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
    const body = { currentPassword: ONE_TIME, newPassword: CHOSEN };
    const anonymous = await changePassword(app, 'sl_session=nothing', body);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.message).not.toBe(LOGIN_FAILED_MESSAGE);

    const cookie = await signIn(app, 'anna', ONE_TIME);
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie, origin: 'https://evil.example' },
      payload: body,
    });
    expect(foreign.statusCode).toBe(403);
    const own = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie, origin: config.publicOrigin },
      payload: body,
    });
    expect(own.statusCode).toBe(200);
  });

  it('a session ended while the password was checked changes nothing', async () => {
    // Holds the check of the current password until released, to land a reset inside it.
    const inside = deferred();
    const gate = deferred();
    let hold = false;
    class GatedHasher extends PasswordHasher {
      override async verify(hash: string, password: string): Promise<boolean> {
        if (hold) {
          inside.resolve();
          await gate.promise;
        }
        return super.verify(hash, password);
      }
    }
    const gated = new GatedHasher({ opsLimit: 1, memLimit: 8192 });
    try {
      const { app } = await start({ hasher: gated });
      const anna = await app.operators.create({ username: 'anna', password: ONE_TIME, oneTime: true });
      const cookie = await signIn(app, 'anna', ONE_TIME);
      hold = true;
      const pending = changePassword(app, cookie, { currentPassword: ONE_TIME, newPassword: CHOSEN });
      await Promise.race([inside.promise, pending]);
      await app.operators.resetPassword(anna.id, 'the-admins-new-one');
      gate.resolve();
      const res = await pending;
      expect(res.statusCode).toBe(401);
      hold = false;
      expect((await login(app, 'anna', CHOSEN)).statusCode).toBe(401);
      expect((await login(app, 'anna', 'the-admins-new-one')).statusCode).toBe(200);
    } finally {
      await gated.close();
    }
  });
});
