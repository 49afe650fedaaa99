/**
 * Insider finding F4: with a stolen password, TOTP must not fall to guessing spread over
 * rotating addresses. Wrong codes given after the RIGHT password are counted per account,
 * outside the throttle's windows; at the limit the TOTP step refuses every code, the right
 * one included, until an admin resets the password or the TOTP secret. The answer stays the
 * ordinary sign-in failure, the lock is audited once, and supervisors are alerted.
 */
import type { SupervisorAlert } from '@stille-lijn/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_FAILED_MESSAGE } from '../../server/src/auth/plugin.ts';
import { generateTotpSecret, TOTP_PERIOD_S, totpCodeAt } from '../../server/src/auth/totp.ts';
import { TOTP_FAILURE_LIMIT } from '../../server/src/auth/totp-lock.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  createOperator,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

let t: TestApp;
const sockets: OperatorSocket[] = [];
let nextHost = 1;

/** A fresh address for every attempt (an IPv6 /64 each), as a botnet rotates them. */
function freshAddress(): string {
  const n = nextHost++;
  return `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`;
}

beforeEach(async () => {
  // One proxy hop: the test names each attempt's address in X-Forwarded-For.
  t = await startTestApp({ TRUST_PROXY: '1' });
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t.close();
});

interface Account {
  id: string;
  username: string;
  password: string;
  secret: string;
}

async function totpAccount(role: 'operator' | 'supervisor' = 'operator'): Promise<Account> {
  const username = `op${Math.random().toString(36).slice(2, 10)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const { id } = await t.app.operators.create({ username, password, role, displayName: `Anna ${username}` });
  const secret = generateTotpSecret();
  await t.app.operators.setTotpSecret(id, secret);
  return { id, username, password, secret };
}

function signIn(body: { username: string; password: string; totp?: string }, address = freshAddress()) {
  return fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });
}

/** The code of the current step (`steps` = 1: of the next one, still inside the window). */
const rightCode = (a: Account, steps = 0) => totpCodeAt(a.secret, Date.now() + steps * TOTP_PERIOD_S * 1000);

/** A six-digit code that none of the steps the window accepts gives. */
function wrongCode(a: Account, i: number): string {
  const now = Date.now();
  const accepted = new Set(
    [-2, -1, 0, 1, 2].map((s) => totpCodeAt(a.secret, now + s * TOTP_PERIOD_S * 1000)),
  );
  for (let n = 100_000 + i * 7919; ; n++) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** `count` sign-ins with the right password and a wrong code, each from a new address. */
async function wrongCodes(a: Account, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await signIn({ username: a.username, password: a.password, totp: wrongCode(a, i) });
    expect(res.status).toBe(401);
  }
}

const ORDINARY_FAILURE = { error: { code: 'unauthorized', message: LOGIN_FAILED_MESSAGE } };

describe('wrong TOTP codes after the right password', () => {
  it('lock the TOTP step after the limit: the right code is refused with the ordinary answer, audited once, supervisors alerted', async () => {
    const supervisor = await createOperator(t, { role: 'supervisor' });
    const s = await connectOperator(t.url, supervisor.cookie);
    sockets.push(s);
    const alerts = collect<SupervisorAlert>(s, 'supervisor:alert');
    const anna = await totpAccount();

    await wrongCodes(anna, TOTP_FAILURE_LIMIT);

    const right = await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) });
    expect(right.status).toBe(401);
    expect(right.headers.get('set-cookie')).toBeNull();
    // Exactly what a wrong password gets: without the password nothing tells the lock apart.
    const wrongPassword = await signIn({
      username: anna.username,
      password: 'not-the-password-at-all',
      totp: rightCode(anna),
    });
    expect(wrongPassword.status).toBe(401);
    expect(await right.json()).toEqual(ORDINARY_FAILURE);
    expect(await wrongPassword.json()).toEqual(ORDINARY_FAILURE);

    // More attempts, right and wrong, neither unlock nor record the lock again.
    await wrongCodes(anna, 3);
    const later = await signIn({
      username: anna.username,
      password: anna.password,
      totp: rightCode(anna, 1),
    });
    expect(later.status).toBe(401);

    await waitFor(() => alerts.some((a) => a.kind === 'totp-locked'));
    const locked = (await auditEntries(t)).filter((e) => e.action === 'totp-locked');
    expect(locked).toEqual([{ action: 'totp-locked', actor: anna.id, conversation: '' }]);
    expect(alerts.filter((a) => a.kind === 'totp-locked')).toEqual([
      {
        kind: 'totp-locked',
        operatorId: anna.id,
        operatorName: `Anna ${anna.username}`,
        at: expect.any(String),
      },
    ]);
    // No log line names the account by username, or holds a password or code.
    const all = t.logs.join('');
    expect(t.logs.some((l) => l.includes('"msg":"login refused: TOTP locked"') && l.includes(anna.id))).toBe(
      true,
    );
    for (const secret of [anna.username, anna.password, rightCode(anna)]) expect(all).not.toContain(secret);
  });

  it('one short of the limit, the right code still signs in', async () => {
    const anna = await totpAccount();
    await wrongCodes(anna, TOTP_FAILURE_LIMIT - 1);
    const res = await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) });
    expect(res.status).toBe(200);
  });

  it('does not count a sign-in without a code, or with a wrong password', async () => {
    const anna = await totpAccount();
    for (let i = 0; i < TOTP_FAILURE_LIMIT; i++) {
      expect((await signIn({ username: anna.username, password: anna.password })).status).toBe(401);
      const wrong = { username: anna.username, password: `wrong-${i}-password`, totp: wrongCode(anna, i) };
      expect((await signIn(wrong)).status).toBe(401);
    }
    const res = await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) });
    expect(res.status).toBe(200);
    expect((await auditEntries(t)).filter((e) => e.action === 'totp-locked')).toEqual([]);
  });

  it('a successful sign-in before the limit starts the count again', async () => {
    const anna = await totpAccount();
    await wrongCodes(anna, TOTP_FAILURE_LIMIT - 1);
    const first = await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) });
    expect(first.status).toBe(200);
    await wrongCodes(anna, TOTP_FAILURE_LIMIT - 1);
    // The next step's code: the current one was spent by the first sign-in.
    const second = await signIn({
      username: anna.username,
      password: anna.password,
      totp: rightCode(anna, 1),
    });
    expect(second.status).toBe(200);
  });

  it('an admin’s password reset (the console’s REST route) clears the lock', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const anna = await totpAccount();
    await wrongCodes(anna, TOTP_FAILURE_LIMIT);
    expect(
      (await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) })).status,
    ).toBe(401);

    const reset = await fetch(`${t.url}/api/admin/operators/${anna.id}/reset-password`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
      body: '{}',
    });
    expect(reset.status).toBe(200);
    const { password } = (await reset.json()) as { password: string };
    const res = await signIn({ username: anna.username, password, totp: rightCode(anna) });
    expect(res.status).toBe(200);
  });

  it('a new TOTP secret or TOTP turned off (npm run operator -- totp) clears the lock', async () => {
    const anna = await totpAccount();
    await wrongCodes(anna, TOTP_FAILURE_LIMIT);
    // The store methods `npm run operator -- totp <username>` calls.
    anna.secret = generateTotpSecret();
    await t.app.operators.setTotpSecret(anna.id, anna.secret);
    expect(
      (await signIn({ username: anna.username, password: anna.password, totp: rightCode(anna) })).status,
    ).toBe(200);

    await wrongCodes(anna, TOTP_FAILURE_LIMIT);
    await t.app.operators.clearTotp(anna.id);
    expect((await signIn({ username: anna.username, password: anna.password })).status).toBe(200);
    // Two locks, two entries.
    expect((await auditEntries(t)).filter((e) => e.action === 'totp-locked')).toHaveLength(2);
  });
});
