import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { auditResponseSchema } from '@stille-lijn/shared/rest';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amsterdamMidnight } from '../../server/src/audit/index.ts';
import { addDays } from '../../server/src/stats/daily.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, createOperator, emitAck } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

const LINES = [
  { id: 'noord', name: 'Noord', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'zuid', name: 'Zuid', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

describe('the audit reader', () => {
  let t: TestApp;
  let linesFile: string;
  beforeAll(() => {
    linesFile = join(mkdtempSync(join(tmpdir(), 'sl-lines-')), 'lines.json');
    writeFileSync(linesFile, JSON.stringify(LINES));
  });
  beforeEach(async () => {
    t = await startTestApp({ LINES_FILE: linesFile });
  });
  afterEach(async () => {
    await t.close();
  });

  async function staff(role: 'operator' | 'supervisor' | 'admin', lines?: string[]) {
    const acct = await createOperator(t, { role, displayName: `Sanne ${role}` });
    if (lines) await t.app.redis.hset(t.app.keys.accounts.operator(acct.id), 'lines', JSON.stringify(lines));
    return acct;
  }
  async function conversationOn(line: string): Promise<string> {
    const id = randomUUID();
    await t.app.redis.hset(t.app.keys.conversation(id), { state: 'active', line });
    return id;
  }
  const read = async (cookie: string, query = '') => {
    const res = await fetch(`${t.url}/api/audit${query}`, { headers: { cookie } });
    return {
      status: res.status,
      body: res.status === 200 ? auditResponseSchema.parse(await res.json()) : undefined,
    };
  };

  it('gives a supervisor only their lines’ entries, an admin every entry, filtered by line and action', async () => {
    const sup = await staff('supervisor', ['noord']);
    const admin = await staff('admin');
    const noord = await conversationOn('noord');
    const zuid = await conversationOn('zuid');
    await t.app.audit.record('monitor', sup.id, noord);
    await t.app.audit.record('monitor', admin.id, zuid);
    await t.app.audit.record('end', sup.id, noord);
    await t.app.audit.record('operator-add', admin.id, sup.id);

    // A real conversation: chat:start writes no entry, but the first line is recorded on its own.
    const v = await connectVisitor(t.url);
    const started = await emitAck<{ conversationId: string }>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
    });
    await t.app.audit.record('read', sup.id, started.conversationId);
    v.disconnect();

    const mine = await read(sup.cookie);
    expect(mine.status).toBe(200);
    // Newest first; sign-ins and account changes (no line) are not a supervisor's.
    expect(mine.body!.entries.map((e) => [e.action, e.target, e.line])).toEqual([
      ['read', started.conversationId, 'noord'],
      ['end', noord, 'noord'],
      ['monitor', noord, 'noord'],
    ]);
    expect(mine.body!.entries[0]!.actorName).toBe('Sanne supervisor');

    const ends = await read(sup.cookie, '?action=end');
    expect(ends.body!.entries.map((e) => e.action)).toEqual(['end']);

    expect((await read(sup.cookie, '?line=zuid')).status).toBe(403);
    expect((await read(sup.cookie, '?line=nergens')).status).toBe(403);

    const all = await read(admin.cookie);
    expect(all.body!.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['operator-add', 'monitor', 'end', 'read', 'login']),
    );
    const south = await read(admin.cookie, '?line=zuid');
    expect(south.body!.entries.map((e) => [e.action, e.target])).toEqual([['monitor', zuid]]);

    // Operators have no audit reader at all; strangers are not signed in.
    expect((await read((await staff('operator', ['*'])).cookie)).status).toBe(403);
    expect((await fetch(`${t.url}/api/audit`)).status).toBe(401);

    // The stream itself holds ids and names of actions, never content.
    for (const e of await auditEntries(t)) {
      for (const n of Object.keys(e))
        expect(['action', 'actor', 'conversation', 'report', 'line']).toContain(n);
    }
  });

  it('filters by Amsterdam days, pages with next, and refuses bad dates', async () => {
    const admin = await staff('admin');
    const noord = await conversationOn('noord');
    for (let i = 0; i < 5; i++) await t.app.audit.record('monitor', admin.id, noord);
    const today = amsterdamDate(new Date());

    expect(
      (await read(admin.cookie, `?from=${addDays(today, -10)}&to=${addDays(today, -8)}`)).body!.entries,
    ).toEqual([]);
    const first = await read(admin.cookie, '?action=monitor&limit=2');
    expect(first.body!.entries).toHaveLength(2);
    expect(first.body!.next).toBe(first.body!.entries[1]!.id);
    const second = await read(admin.cookie, `?action=monitor&limit=2&before=${first.body!.next}`);
    expect(second.body!.entries).toHaveLength(2);
    expect(second.body!.entries[0]!.id < first.body!.entries[1]!.id).toBe(true);
    const third = await read(admin.cookie, `?action=monitor&limit=2&before=${second.body!.next}`);
    expect(third.body!.entries).toHaveLength(1);
    expect(third.body!.next).toBeUndefined();

    for (const q of [
      '?from=2026-02-30',
      `?from=${today}&to=${addDays(today, -1)}`,
      '?action=<b>',
      '?limit=0',
    ]) {
      expect((await read(admin.cookie, q)).status, q).toBe(400);
    }
  });

  it('knows when an Amsterdam day starts, in winter and in summer', () => {
    expect(new Date(amsterdamMidnight('2026-01-16')).toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(new Date(amsterdamMidnight('2026-07-16')).toISOString()).toBe('2026-07-15T22:00:00.000Z');
    expect(new Date(amsterdamMidnight('2026-03-29')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(amsterdamMidnight('2026-10-25')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });
});
