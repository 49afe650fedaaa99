/**
 * Data finding D3: a DATA_KEY rotation must be able to retire the old key. The TOTP secret
 * of an account is sealed once, at enrolment, and lives as long as the account: a sign-in
 * re-seals it under the current key, so that after the rotation (`k2,k1`) and a sign-in the
 * old key can be removed (`k2`) without locking supervisors and admins out. A conversation
 * that no longer opens is left out of `GET /api/conversations` with a log line naming why,
 * never silently.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTotpSecret, TOTP_PERIOD_S, totpCodeAt } from '../../server/src/auth/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type AuthTestApp, startAuthApp } from '../support/auth-app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  waitFor,
} from '../support/clients.ts';

const K1 = `k1:${Buffer.alloc(32, 11).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 12).toString('base64')}`;

let server: AuthTestApp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server of the same deployment (Redis prefix) restarted with another DATA_KEY, and a clock. */
async function restartWith(prefix: string, dataKey: string, clock: { now: number }): Promise<AuthTestApp> {
  await server?.close();
  server = await startAuthApp({ env: { REDIS_PREFIX: prefix, DATA_KEY: dataKey }, now: () => clock.now });
  return server;
}

function signIn(app: AuthTestApp, body: { username: string; password: string; totp: string }) {
  return app.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: body,
    remoteAddress: `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  });
}

describe('a TOTP secret across a DATA_KEY rotation', () => {
  it('is re-sealed under the new key at sign-in, so the old key can be removed', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    // Each sign-in one TOTP step later: a step once used is refused.
    const clock = { now: Date.now() };
    const step = () => {
      clock.now += TOTP_PERIOD_S * 1000;
      return clock.now;
    };

    let app = await restartWith(prefix, K1, clock);
    const username = `sup${randomUUID().slice(0, 6)}`;
    const password = `pw-${randomUUID()}`;
    const { id } = await app.app.operators.create({ username, password, role: 'supervisor' });
    const secret = generateTotpSecret();
    await app.app.operators.setTotpSecret(id, secret);
    const sealed = () => app.app.redis.hget(app.app.operators.keys.operator(id), 'totpSecret');
    expect(await sealed()).toMatch(/^v2\.k1\./);

    // The rotation: the new key first, the old one still there to open what it sealed.
    app = await restartWith(prefix, `${K2},${K1}`, clock);
    const rotated = await signIn(app, { username, password, totp: totpCodeAt(secret, step()) });
    expect(rotated.statusCode).toBe(200);
    const afterRotation = await sealed();

    // The old key removed: the supervisor still signs in.
    app = await restartWith(prefix, K2, clock);
    const retired = await signIn(app, { username, password, totp: totpCodeAt(secret, step()) });
    expect(retired.statusCode).toBe(200);
    // It was the sign-in under `k2,k1` that moved the secret.
    expect(afterRotation).toMatch(/^v2\.k2\./);
  });

  it('is not re-sealed over a secret that was replaced after it was read', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const clock = { now: Date.now() };
    let app = await restartWith(prefix, K1, clock);
    const { id } = await app.app.operators.create({
      username: `adm${randomUUID().slice(0, 6)}`,
      password: `pw-${randomUUID()}`,
      role: 'admin',
    });
    await app.app.operators.setTotpSecret(id, generateTotpSecret());
    const key = app.app.operators.keys.operator(id);
    const old = (await app.app.redis.hget(key, 'totpSecret'))!;

    app = await restartWith(prefix, `${K2},${K1}`, clock);
    // An admin gives the account a new authenticator between the read and the re-seal.
    await app.app.operators.setTotpSecret(id, generateTotpSecret());
    const replaced = await app.app.redis.hget(key, 'totpSecret');
    expect(await app.app.operators.resealTotp(id, old)).toBe(false);
    expect(await app.app.redis.hget(key, 'totpSecret')).toBe(replaced);
    // Turned off meanwhile: it stays off.
    await app.app.operators.clearTotp(id);
    expect(await app.app.operators.resealTotp(id, old)).toBe(false);
    expect(await app.app.redis.hexists(key, 'totpSecret')).toBe(0);
  });
});

describe('a conversation that no longer opens', () => {
  let t: TestApp | undefined;
  const sockets: { disconnect(): unknown }[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    t = undefined;
  });

  it('is left out of GET /api/conversations with a log line that names the cause, not silently', async () => {
    t = await startTestApp({ DATA_KEY: K1 });
    const prefix = t.config.redisPrefix;
    const op = await createOperator(t);
    const s = await connectOperator(t.url, op.cookie);
    sockets.push(s);
    const assigned = collect<{ conversation: { conversationId: string } }>(s, 'chat:assigned');
    await emitAck(s, 'operator:status', { status: 'available' });
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const started = await emitAck<{ conversationId: string }>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    const id = started.conversationId;
    await waitFor(() => assigned.some((a) => a.conversation.conversationId === id));
    await t.app.store.setSealed(id, 'tags', JSON.stringify(['geheim-label']));
    for (const x of sockets.splice(0)) x.disconnect();

    // k1 removed too early: the conversation's tags were sealed under it.
    await t.close();
    t = await startTestApp({ REDIS_PREFIX: prefix, DATA_KEY: K2 });
    const res = await fetch(`${t.url}/api/conversations`, { headers: { cookie: op.cookie } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { conversations: unknown[] }).conversations).toEqual([]);
    const lines = t.logs.filter((l) => l.includes('did not open'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, code: 'unknown_key' });
    expect(lines[0]).not.toContain('geheim-label');
  });
});
