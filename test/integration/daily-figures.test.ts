import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { DAILY_CSV_COLUMNS, dailyStatsResponseSchema } from '@stille-lijn/shared/rest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDays } from '../../server/src/stats/daily.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, waitFor } from '../support/clients.ts';

type AnyAck = { ok: boolean; conversationId?: string; error?: { code: string } };

/** Two lines, open day and night: `noord` (the first) and `zuid`. */
const LINES = [
  { id: 'noord', name: 'Noord', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'zuid', name: 'Zuid', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

/** The most recent `MM-15` that lies before today (at most a year back, so within the 400 days). */
function lastFifteenth(month: string): string {
  const today = amsterdamDate(new Date());
  const thisYear = `${today.slice(0, 4)}-${month}-15`;
  return thisYear < today ? thisYear : `${Number(today.slice(0, 4)) - 1}-${month}-15`;
}

describe('daily figures per line', () => {
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
  afterAll(() => undefined);

  /** A staff account of `lines` (stored as the account's `lines` field). */
  async function staff(role: 'operator' | 'supervisor' | 'admin', lines?: string[]) {
    const acct = await createOperator(t, { role });
    if (lines) await t.app.redis.hset(t.app.keys.accounts.operator(acct.id), 'lines', JSON.stringify(lines));
    return acct;
  }

  const daily = (cookie: string, query: string, accept = 'application/json') =>
    fetch(`${t.url}/api/stats/daily${query}`, { headers: { cookie, accept } });

  /** A conversation record of `line`, as the lifecycle writes it (only the fields figures read). */
  async function fakeConversation(line: string | undefined, urgent = false): Promise<string> {
    const id = randomUUID();
    await t.app.redis.hset(t.app.keys.conversation(id), {
      state: 'waiting',
      urgent: urgent ? '1' : '0',
      ...(line ? { line } : {}),
    });
    return id;
  }

  it('counts a real conversation’s start, answer and abandonment on its line today, as JSON and CSV', async () => {
    const sup = await staff('supervisor', ['*']);
    const opAcct = await staff('operator', ['*']);
    const op = await connectOperator(t.url, opAcct.cookie);
    await emitAck(op, 'operator:status', { status: 'away' });
    const v1 = await connectVisitor(t.url);
    const v2 = await connectVisitor(t.url);
    const s1 = await emitAck<AnyAck>(v1, 'chat:start', { role: 'victim', language: 'nl' });
    await emitAck<AnyAck>(v2, 'chat:start', { role: 'victim', language: 'nl', urgent: true });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: s1.conversationId })).ok).toBe(true);
    await emitAck(v2, 'chat:leave', { reason: 'ended' });

    const today = amsterdamDate(new Date());
    let body = { days: [] as { date: string; answered: number; abandoned: number }[] };
    await waitFor(async () => {
      const res = await daily(sup.cookie, `?line=noord&from=${today}&to=${today}`);
      body = dailyStatsResponseSchema.parse(await res.json());
      return body.days[0]!.answered === 1 && body.days[0]!.abandoned === 1;
    });
    const [day] = dailyStatsResponseSchema.parse(body).days;
    expect(day).toMatchObject({ date: today, started: 2, answered: 1, abandoned: 1, urgent: 1, reports: 0 });
    expect(day!.medianWaitSeconds).toBeGreaterThanOrEqual(1);
    expect(day!.p90WaitSeconds).toBe(day!.medianWaitSeconds);

    // The other line saw nothing.
    const zuid = dailyStatsResponseSchema.parse(
      await (await daily(sup.cookie, `?line=zuid&from=${today}&to=${today}`)).json(),
    );
    expect(zuid.days[0]).toMatchObject({ started: 0, answered: 0, abandoned: 0, urgent: 0 });

    // Answering again after a requeue does not count twice.
    await t.app.dailyFigures.answered(s1.conversationId!, Date.now() - 50_000);
    const again = dailyStatsResponseSchema.parse(
      await (await daily(sup.cookie, `?line=noord&from=${today}&to=${today}`)).json(),
    );
    expect(again.days[0]!.answered).toBe(1);

    const csv = await daily(sup.cookie, `?line=noord&from=${today}&to=${today}`, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9.-]+"$/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(DAILY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${today},2,1,1,1,[0-9.]+,[0-9.]+,0$`));
    for (const s of [op, v1, v2]) s.disconnect();
  });

  it('counts on the Amsterdam day: 23:30 UTC in winter is the next day, 21:30 UTC in summer the same', async () => {
    const sup = await staff('supervisor', ['zuid']);
    const jan = lastFifteenth('01');
    const id = await fakeConversation('zuid', true);
    await t.app.dailyFigures.started(id, Date.parse(`${jan}T23:30:00Z`));
    const early = await fakeConversation('zuid');
    await t.app.dailyFigures.started(early, Date.parse(`${jan}T22:59:00Z`));
    const res = await daily(sup.cookie, `?line=zuid&from=${jan}&to=${addDays(jan, 1)}`);
    expect(res.status).toBe(200);
    const { days } = dailyStatsResponseSchema.parse(await res.json());
    expect(days.map((d) => [d.date, d.started, d.urgent])).toEqual([
      [jan, 1, 0],
      [addDays(jan, 1), 1, 1],
    ]);

    const jul = lastFifteenth('07');
    const summer = await fakeConversation('zuid');
    await t.app.dailyFigures.started(summer, Date.parse(`${jul}T21:30:00Z`));
    const late = await fakeConversation('zuid');
    await t.app.dailyFigures.started(late, Date.parse(`${jul}T22:30:00Z`));
    const july = dailyStatsResponseSchema.parse(
      await (await daily(sup.cookie, `?line=zuid&from=${jul}&to=${addDays(jul, 1)}`)).json(),
    );
    expect(july.days.map((d) => d.started)).toEqual([1, 1]);
  });

  it('gives the median and p90 of the day’s waits, and counts records without a line on the first line', async () => {
    const admin = await staff('admin');
    const day = lastFifteenth('03');
    const at = Date.parse(`${day}T12:00:00Z`);
    for (const wait of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
      const id = await fakeConversation(undefined);
      await t.app.dailyFigures.answered(id, at - wait * 1000, at);
    }
    const { days } = dailyStatsResponseSchema.parse(
      await (await daily(admin.cookie, `?line=noord&from=${day}&to=${day}`)).json(),
    );
    expect(days[0]).toMatchObject({ answered: 10, medianWaitSeconds: 55, p90WaitSeconds: 90 });
    // Without `line`, an admin's figures are those of every line together.
    const all = dailyStatsResponseSchema.parse(
      await (await daily(admin.cookie, `?from=${day}&to=${day}`)).json(),
    );
    expect(all.days[0]!.answered).toBe(10);
  });

  it('keeps only counts: no id, no content, and every key expires within 402 days', async () => {
    const id = await fakeConversation('zuid', true);
    await t.app.dailyFigures.started(id);
    await t.app.dailyFigures.answered(id, Date.now() - 7000);
    await t.app.dailyFigures.ended(id, 'active');
    await t.app.dailyFigures.report(id);
    const keys = await t.app.redis.keys(`${t.app.keys.prefix}:stats:line:*`);
    expect(keys.length).toBe(2);
    for (const key of keys) {
      expect(key).not.toContain(id);
      const ttl = await t.app.redis.pttl(key);
      expect(ttl).toBeGreaterThan(400 * 86_400_000);
      expect(ttl).toBeLessThanOrEqual(402 * 86_400_000);
      const h = await t.app.redis.hgetall(key);
      for (const [field, value] of Object.entries(h)) {
        expect(field).toMatch(/^(started|answered|abandoned|ended|urgent|reports|\d+)$/);
        expect(value).toMatch(/^\d+$/);
      }
    }
  });

  it('refuses a line the caller does not belong to with 403, operators with 403, strangers with 401', async () => {
    const sup = await staff('supervisor', ['noord']);
    const op = await staff('operator', ['*']);
    for (const path of ['/api/stats?line=zuid', '/api/stats/daily?line=zuid']) {
      const res = await fetch(`${t.url}${path}`, { headers: { cookie: sup.cookie } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await fetch(`${t.url}${path}`, { headers: { cookie: op.cookie } })).status).toBe(403);
      expect((await fetch(`${t.url}${path}`)).status).toBe(401);
    }
    // The same 403 for a line that does not exist, so line ids cannot be probed.
    expect(
      (await fetch(`${t.url}/api/stats/daily?line=nergens`, { headers: { cookie: sup.cookie } })).status,
    ).toBe(403);
    // Its own line, and without `line` only its own line's figures.
    const zuidConv = await fakeConversation('zuid');
    await t.app.dailyFigures.started(zuidConv);
    const own = dailyStatsResponseSchema.parse(await (await daily(sup.cookie, '')).json());
    expect(own.days).toHaveLength(30);
    expect(own.days.at(-1)!.date).toBe(amsterdamDate(new Date()));
    expect(own.days.at(-1)!.started).toBe(0);
    const live = await fetch(`${t.url}/api/stats?line=noord`, { headers: { cookie: sup.cookie } });
    expect(live.status).toBe(200);
  });

  it('shows a supervisor of one line only that line’s live figures', async () => {
    const sup = await staff('supervisor', ['zuid']);
    const v = await connectVisitor(t.url);
    await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' }); // the first line, noord
    const mine = (await (await fetch(`${t.url}/api/stats`, { headers: { cookie: sup.cookie } })).json()) as {
      waiting: number;
    };
    expect(mine.waiting).toBe(0);
    const admin = await staff('admin');
    const all = (await (await fetch(`${t.url}/api/stats`, { headers: { cookie: admin.cookie } })).json()) as {
      waiting: number;
    };
    expect(all.waiting).toBe(1);
    v.disconnect();
  });

  it('counts danger signals on the line the conversation started on, for that line’s supervisors only', async () => {
    type Live = { signalsToday: Record<string, { raised: number; dismissed: number }> };
    const live = async (cookie: string, query = '') =>
      (await (await fetch(`${t.url}/api/stats${query}`, { headers: { cookie } })).json()) as Live;
    const zuidSup = await staff('supervisor', ['zuid']);
    const noordSup = await staff('supervisor', ['noord']);
    const admin = await staff('admin');
    expect((await live(zuidSup.cookie)).signalsToday).toEqual({});

    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      line: 'zuid',
      text: 'Mijn vriend heeft me gisteren bij mijn keel gepakt. Ik durf niet te bellen.',
    });
    expect(start.ok).toBe(true);
    const raised = { strangulation: { raised: 1, dismissed: 0 } };
    // Counted after the start's own step: wait for it.
    await waitFor(
      async () => JSON.stringify((await live(zuidSup.cookie)).signalsToday) === JSON.stringify(raised),
    );
    // Another line's supervisor does not see it; the deployment's view (an admin's) does.
    expect((await live(noordSup.cookie)).signalsToday).toEqual({});
    expect((await live(admin.cookie)).signalsToday).toEqual(raised);
    expect((await live(admin.cookie, '?line=noord')).signalsToday).toEqual({});
    expect((await live(admin.cookie, '?line=zuid')).signalsToday).toEqual(raised);
    // The line's hash holds counts only: no conversation id, no words.
    const stored = await t.app.redis.hgetall(t.app.keys.lineDaySignals('zuid', amsterdamDate(new Date())));
    expect(stored).toEqual({ 'raised:strangulation': '1' });
    v.disconnect();
  });

  it('lists only the caller’s lines in GET /api/lines, every line to an admin', async () => {
    const get = async (cookie: string) =>
      ((await (await fetch(`${t.url}/api/lines`, { headers: { cookie } })).json()) as { lines: unknown })
        .lines;
    expect(await get((await staff('operator', ['zuid'])).cookie)).toEqual([{ id: 'zuid', name: 'Zuid' }]);
    expect(await get((await staff('supervisor')).cookie)).toEqual([{ id: 'noord', name: 'Noord' }]);
    expect(await get((await staff('admin')).cookie)).toEqual([
      { id: 'noord', name: 'Noord' },
      { id: 'zuid', name: 'Zuid' },
    ]);
    expect((await fetch(`${t.url}/api/lines`)).status).toBe(401);
  });

  it('answers 400 for dates that are no days, reversed, in the future or older than 400 days', async () => {
    const admin = await staff('admin');
    const today = amsterdamDate(new Date());
    for (const q of [
      '?from=2026-02-30',
      '?to=2026-13-01',
      '?from=yesterday',
      `?from=${today}&to=${addDays(today, -1)}`,
      `?to=${addDays(today, 1)}`,
      `?from=${addDays(today, -401)}`,
      '?line=NOT_A_LINE',
    ]) {
      const res = await daily(admin.cookie, q);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    }
    expect((await daily(admin.cookie, `?from=${addDays(today, -400)}`)).status).toBe(200);
  });
});
