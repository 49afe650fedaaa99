import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOperator } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

function post(t: TestApp, path: string, cookie: string, body?: unknown, method = 'POST') {
  return fetch(`${t.url}${path}`, {
    method,
    headers: { cookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
    body: JSON.stringify(body ?? {}),
  });
}

describe('the audit trail of staff accounts', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('records sign-in, sign-out and failed sign-ins of known accounts, without password, name or address', async () => {
    const anna = await createOperator(t);
    const wrong = 'Wrong-Password-4d2f';
    const failed = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: anna.username, password: wrong }),
    });
    expect(failed.status).toBe(401);
    // An unknown username names no account, so nothing can be recorded for it.
    const unknown = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody-here', password: wrong }),
    });
    expect(unknown.status).toBe(401);
    expect((await post(t, '/api/auth/logout', anna.cookie)).status).toBe(200);

    const entries = await auditEntries(t);
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['login', anna.id],
      ['login-failed', anna.id],
      ['logout', anna.id],
    ]);
    const stored = JSON.stringify(entries);
    for (const secret of [anna.password, wrong, anna.username, 'nobody-here', '127.0.0.1']) {
      expect(stored).not.toContain(secret);
    }
  });

  it('records failed sign-ins of one account once per window, however many: nobody can flood the trail', async () => {
    // Anyone who knows a username can fail sign-ins; one entry each would push older
    // entries out of the capped stream.
    const anna = await createOperator(t);
    const bob = await createOperator(t);
    const fail = (username: string) =>
      fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'Wrong-Password-4d2f' }),
      });
    for (let i = 0; i < 5; i++) expect((await fail(anna.username)).status).toBe(401);
    expect((await fail(bob.username)).status).toBe(401);
    const failed = (await auditEntries(t)).filter((e) => e.action === 'login-failed');
    expect(failed.map((e) => e.actor)).toEqual([anna.id, bob.id]);
  });

  it('records role and language changes: who changed whose account, and to which role', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const anna = await createOperator(t);
    const before = (await auditEntries(t)).length;

    const promote = await post(
      t,
      `/api/admin/operators/${anna.id}`,
      admin.cookie,
      { role: 'supervisor' },
      'PATCH',
    );
    expect(promote.status).toBe(200);
    const languages = await post(
      t,
      `/api/admin/operators/${anna.id}`,
      admin.cookie,
      { languages: ['nl', 'ar'] },
      'PATCH',
    );
    expect(languages.status).toBe(200);
    // The same role again changes nothing, and records nothing.
    const same = await post(
      t,
      `/api/admin/operators/${anna.id}`,
      admin.cookie,
      { role: 'supervisor' },
      'PATCH',
    );
    expect(same.status).toBe(200);
    const demote = await post(
      t,
      `/api/admin/operators/${anna.id}`,
      admin.cookie,
      { role: 'operator' },
      'PATCH',
    );
    expect(demote.status).toBe(200);

    const entries = (await auditEntries(t)).slice(before);
    expect(entries.map((e) => [e.action, e.actor, e.conversation])).toEqual([
      ['operator-role:supervisor', admin.id, anna.id],
      ['operator-languages', admin.id, anna.id],
      ['operator-role:operator', admin.id, anna.id],
    ]);
  });

  it('records the role of an account created as a supervisor, and none for a plain operator', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const before = (await auditEntries(t)).length;

    const made = await post(t, '/api/admin/operators', admin.cookie, {
      username: 'sara-supervisor',
      displayName: 'Sara',
      role: 'supervisor',
    });
    expect(made.status).toBe(201);
    const sara = ((await made.json()) as { operator: { id: string } }).operator.id;
    const plain = await post(t, '/api/admin/operators', admin.cookie, {
      username: 'piet-operator',
      displayName: 'Piet',
    });
    expect(plain.status).toBe(201);
    const piet = ((await plain.json()) as { operator: { id: string } }).operator.id;

    const entries = (await auditEntries(t)).slice(before);
    expect(entries.map((e) => [e.action, e.actor, e.conversation])).toEqual([
      ['operator-add', admin.id, sara],
      ['operator-role:supervisor', admin.id, sara],
      ['operator-add', admin.id, piet],
    ]);
  });
});
