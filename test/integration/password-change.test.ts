import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDemoOperator } from '../../server/src/operators/demo.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, login, nextEvent } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

describe('a one-time password replaced by its owner', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  async function oneTimeAccount() {
    const username = `op${randomUUID().slice(0, 8)}`;
    const password = `one-time-${randomUUID().slice(0, 8)}`;
    const account = await t.app.operators.create({ username, password, displayName: 'Anna', oneTime: true });
    return { id: account.id, username, password };
  }

  const change = (cookie: string, body: unknown) =>
    fetch(`${t.url}/api/auth/password`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
      body: JSON.stringify(body),
    });

  it('ends the other sessions and renews this one: every socket of an old cookie hears session:ended', async () => {
    const anna = await oneTimeAccount();
    const here = await login(t.url, anna.username, anna.password);
    const elsewhere = await login(t.url, anna.username, anna.password);
    const mine = await connectOperator(t.url, here);
    // Someone who copied this console's cookie (a shared workstation).
    const copied = await connectOperator(t.url, here);
    const other = await connectOperator(t.url, elsewhere);
    const hears = (s: typeof mine) =>
      nextEvent(s, 'session:ended', { ms: 5000 }).then(
        () => true,
        () => false,
      );
    const heard = [hears(mine), hears(copied), hears(other)];
    let renewedSocket: typeof mine | undefined;
    try {
      const chosen = 'a-passphrase-of-my-own';
      const res = await change(here, { currentPassword: anna.password, newPassword: chosen });
      expect(res.status).toBe(200);
      // [this console, the copy of its cookie, the other session]
      expect(await Promise.all(heard)).toEqual([true, true, true]);
      await expect(connectOperator(t.url, elsewhere)).rejects.toThrow('unauthorized');
      await expect(connectOperator(t.url, here)).rejects.toThrow('unauthorized');

      // The console reconnects with the answer's cookie, without signing in again.
      const renewed = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(renewed).toMatch(/^sl_session=/);
      expect(renewed).not.toBe(here);
      renewedSocket = await connectOperator(t.url, renewed);
      const ack = await renewedSocket.timeout(5000).emitWithAck('operator:status', { status: 'available' });
      expect(ack).toMatchObject({ ok: true, status: 'available' });

      const entries = await auditEntries(t);
      expect(entries.filter((e) => e.action === 'password-change')).toEqual([
        expect.objectContaining({ action: 'password-change', actor: anna.id }),
      ]);
      const stored = JSON.stringify(entries);
      for (const secret of [anna.password, chosen, anna.username]) expect(stored).not.toContain(secret);
      for (const line of t.logs) {
        expect(line).not.toContain(anna.password);
        expect(line).not.toContain(chosen);
      }
    } finally {
      for (const s of [mine, copied, other, renewedSocket]) s?.disconnect();
    }
  });

  it('an expired one-time password is audited as a failed sign-in', async () => {
    const anna = await oneTimeAccount();
    // Set 72 hours and a second ago: ONE_TIME_PASSWORD_HOURS has passed.
    await t.app.redis.hset(
      t.app.operators.keys.operator(anna.id),
      'passwordSetAt',
      String(Date.now() - 72 * 3_600_000 - 1000),
    );
    await expect(login(t.url, anna.username, anna.password)).rejects.toThrow('login failed: 401');
    const entries = await auditEntries(t);
    expect(entries.map((e) => [e.action, e.actor])).toEqual([['login-failed', anna.id]]);
  });
});

describe('who makes one-time passwords', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const passwordChangeDue = async (username: string, password: string) => {
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(res.status).toBe(200);
    // The sign-in answers as PROTOCOL.md says; /me tells the console.
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = await fetch(`${t.url}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    return ((await me.json()) as { operator: { passwordChangeDue?: boolean } }).operator.passwordChangeDue;
  };

  it('the admin API, for a new account and a reset', async () => {
    const adminName = `admin${randomUUID().slice(0, 6)}`;
    const adminPassword = `pw-${randomUUID()}`;
    await t.app.operators.create({ username: adminName, password: adminPassword, role: 'admin' });
    expect(await passwordChangeDue(adminName, adminPassword)).toBeUndefined();
    const cookie = await login(t.url, adminName, adminPassword);
    const call = (path: string, body: unknown) =>
      fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
        body: JSON.stringify(body),
      });
    const username = `noor${randomUUID().slice(0, 6)}`;
    const created = (await (
      await call('/api/admin/operators', { username, displayName: 'Noor' })
    ).json()) as {
      operator: { id: string };
      password: string;
    };
    expect(await passwordChangeDue(username, created.password)).toBe(true);
    const reset = (await (
      await call(`/api/admin/operators/${created.operator.id}/reset-password`, {})
    ).json()) as { password: string };
    expect(await passwordChangeDue(username, reset.password)).toBe(true);
  });

  it('the demo accounts of npm start', async () => {
    const demo = await ensureDemoOperator(t.app);
    expect(demo.length).toBeGreaterThan(0);
    for (const c of demo) expect(await passwordChangeDue(c.username, c.password)).toBe(true);
  });
});
