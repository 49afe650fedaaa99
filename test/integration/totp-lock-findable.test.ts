/**
 * A TOTP lock must be findable by those who lift it. The sign-in answer stays the ordinary
 * 401 and the `supervisor:alert` reaches only supervisors signed in at that moment, so an
 * operator whose phone clock drifts is locked out at night, and the admin cannot tell the
 * lock from a forgotten password. The admins' account list shows the lock until an admin's
 * reset lifts it. (The on-call webhook carries only PROTOCOL.md's two kinds, so it is not paged.)
 */
import type { Account as AdminAccount } from '@stille-lijn/shared/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTotpSecret, TOTP_PERIOD_S, totpCodeAt } from '../../server/src/auth/totp.ts';
import { TOTP_FAILURE_LIMIT } from '../../server/src/auth/totp-lock.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOperator, type TestOperator } from '../support/clients.ts';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function app(env: Record<string, string> = {}): Promise<TestApp> {
  // One proxy hop: each attempt names its own address, as rotating addresses would.
  const a = await startTestApp({ TRUST_PROXY: '1', WORKERS: 'none', ...env });
  apps.push(a);
  return a;
}

interface TotpAccount {
  id: string;
  username: string;
  displayName: string;
  password: string;
  secret: string;
}

async function totpAccount(t: TestApp): Promise<TotpAccount> {
  const username = `op${Math.random().toString(36).slice(2, 10)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const displayName = `Noor ${username}`;
  const { id } = await t.app.operators.create({ username, password, displayName });
  const secret = generateTotpSecret();
  await t.app.operators.setTotpSecret(id, secret);
  return { id, username, displayName, password, secret };
}

let nextHost = 1;
function signIn(t: TestApp, body: { username: string; password: string; totp?: string }) {
  const n = nextHost++;
  return fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`,
    },
    body: JSON.stringify(body),
  });
}

/** A six-digit code that none of the steps around now gives. */
function wrongCode(a: TotpAccount, i: number): string {
  const now = Date.now();
  const near = new Set([-2, -1, 0, 1, 2].map((s) => totpCodeAt(a.secret, now + s * TOTP_PERIOD_S * 1000)));
  for (let n = 100_000 + i * 7919; ; n++) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

/** `count` sign-ins with the right password and a wrong code (a phone whose clock drifts). */
async function wrongCodes(t: TestApp, a: TotpAccount, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await signIn(t, { username: a.username, password: a.password, totp: wrongCode(a, i) });
    expect(res.status).toBe(401);
  }
}

function adminRequest(t: TestApp, admin: TestOperator, method: string, path: string, body?: unknown) {
  return fetch(`${t.url}${path}`, {
    method,
    headers: {
      cookie: admin.cookie,
      origin: t.config.publicOrigin,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** `GET /api/admin/operators`, by id. */
async function accountList(t: TestApp, admin: TestOperator): Promise<Map<string, AdminAccount>> {
  const res = await adminRequest(t, admin, 'GET', '/api/admin/operators');
  expect(res.status).toBe(200);
  const { operators } = (await res.json()) as { operators: AdminAccount[] };
  return new Map(operators.map((o) => [o.id, o]));
}

describe('the admins’ account list', () => {
  it('reports a locked TOTP step as totpLocked until an admin resets the password', async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const noor = await totpAccount(t);
    const bram = await totpAccount(t);

    await wrongCodes(t, noor, TOTP_FAILURE_LIMIT - 1);
    let list = await accountList(t, admin);
    // One short of the limit the right code still signs in: no lock to report.
    expect(list.get(noor.id)?.totpLocked).toBe(false);
    expect(list.get(admin.id)?.totpLocked).toBe(false);

    await wrongCodes(t, noor, 1);
    list = await accountList(t, admin);
    expect(list.get(noor.id)).toMatchObject({ totpEnabled: true, totpLocked: true, disabled: false });
    expect(list.get(bram.id)?.totpLocked).toBe(false);

    // An admin's other actions on the account answer with the lock too (the console's row
    // is replaced by the answer and must not lose it).
    const renamed = await adminRequest(t, admin, 'PATCH', `/api/admin/operators/${noor.id}`, {
      displayName: 'Noor Bakker',
    });
    expect(((await renamed.json()) as { operator: AdminAccount }).operator.totpLocked).toBe(true);
    const disabled = await adminRequest(t, admin, 'POST', `/api/admin/operators/${noor.id}/disable`, {});
    expect(((await disabled.json()) as { operator: AdminAccount }).operator.totpLocked).toBe(true);
    const enabled = await adminRequest(t, admin, 'POST', `/api/admin/operators/${noor.id}/enable`, {});
    expect(((await enabled.json()) as { operator: AdminAccount }).operator.totpLocked).toBe(true);

    const reset = await adminRequest(t, admin, 'POST', `/api/admin/operators/${noor.id}/reset-password`, {});
    expect(reset.status).toBe(200);
    list = await accountList(t, admin);
    expect(list.get(noor.id)?.totpLocked).toBe(false);
    const { password } = (await reset.json()) as { password: string };
    const code = totpCodeAt(noor.secret, Date.now());
    expect((await signIn(t, { username: noor.username, password, totp: code })).status).toBe(200);
  });

  it('no longer reports the lock once the account has a new TOTP secret', async () => {
    const t = await app();
    const admin = await createOperator(t, { role: 'admin' });
    const noor = await totpAccount(t);
    await wrongCodes(t, noor, TOTP_FAILURE_LIMIT);
    expect((await accountList(t, admin)).get(noor.id)?.totpLocked).toBe(true);
    // What `npm run operator -- totp <username>` calls.
    await t.app.operators.setTotpSecret(noor.id, generateTotpSecret());
    expect((await accountList(t, admin)).get(noor.id)?.totpLocked).toBe(false);
  });
});
