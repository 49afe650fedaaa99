/**
 * Issue 11: the thin edges of a 24/7 service. Nobody staffed, an urgent visitor nobody
 * answers, a language nobody on shift speaks, the break after a hard conversation, the
 * end of a shift, and sessions that must neither idle out under a connected console nor
 * outlive their absolute limit. Real Redis, real sockets, short timings.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { writeLinesFile } from '../support/lines-file.ts';
import { redisCut } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Alert = {
  kind: string;
  conversationId?: string;
  operatorId?: string;
  waitedSeconds?: number;
  at: string;
};
type Position = {
  position: number;
  estimatedWaitSeconds: number | null;
  estimatedWaitMinSeconds?: number | null;
  staffed: boolean;
  languageFallback?: boolean;
};
type State = { status: string; load: number; capacity: number; breakUntil?: string };
type Assigned = {
  conversation: { conversationId: string; language: string; languageFallback?: boolean };
  notes: { text: string }[];
};

let t: TestApp;
const sockets: { disconnect(): unknown }[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function visitor(): Promise<VisitorSocket> {
  const v = await connectVisitor(t.url);
  sockets.push(v);
  return v;
}
async function operator(opts: Parameters<typeof createOperator>[1] & { capacity?: number } = {}) {
  const { capacity, ...rest } = opts;
  const acct = await createOperator(t, rest);
  if (capacity) await t.app.operators.setAccess(acct.id, { capacity });
  // A capacity set after sign-in reaches the session when it is read again.
  const s = await connectOperator(t.url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}
const start = (v: VisitorSocket, payload: Record<string, unknown>) =>
  emitAck<AnyAck & Position & { conversationId: string }>(v, 'chat:start', { role: 'victim', ...payload });

/** A webhook receiver that answers 204, fails with 500, or never answers. */
async function webhook(mode: 'ok' | 'fail' | 'hang') {
  const pages: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      pages.push(JSON.parse(body) as Record<string, unknown>);
      if (mode === 'ok') res.writeHead(204).end();
      else if (mode === 'fail') res.writeHead(500).end();
      // 'hang': never answers.
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`, pages };
}

describe('nobody staffed', () => {
  it('pages per line: an unstaffed start on one line does not silence the page for another', async () => {
    // PROTOCOL.md: at most one page per kind and line per ONCALL_MIN_INTERVAL_S.
    const hook = await webhook('ok');
    const line = (id: string) => ({ id, name: id, languages: ['nl'], hours: '24/7', embedOrigins: [] });
    t = await startTestApp({
      ONCALL_WEBHOOK_URL: hook.url,
      ONCALL_MIN_INTERVAL_S: '300',
      LINES_FILE: writeLinesFile([line('noord'), line('zuid')]),
    });
    expect((await start(await visitor(), { language: 'nl', line: 'noord' })).staffed).toBe(false);
    await waitFor(() => hook.pages.length === 1);
    expect((await start(await visitor(), { language: 'nl', line: 'zuid' })).staffed).toBe(false);
    await waitFor(() => hook.pages.length === 2);
    // Each page counts its own line's waiting visitors.
    expect(hook.pages.map((p) => [p.kind, p.line, p.waiting])).toEqual([
      ['unstaffed', 'noord', 1],
      ['unstaffed', 'zuid', 1],
    ]);
    // A second start on zuid within the interval pages nobody.
    expect((await start(await visitor(), { language: 'nl', line: 'zuid' })).staffed).toBe(false);
    await sleep(300);
    expect(hook.pages).toHaveLength(2);
  });

  it('says so plainly: staffed false, no estimate, the on-call phone paged without content or ids', async () => {
    const hook = await webhook('ok');
    t = await startTestApp({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' });
    // A supervisor is signed in but away: that is not staffed.
    await operator({ role: 'supervisor' });
    const v = await visitor();
    const secret = 'hij staat voor de deur';
    const ack = await start(v, { language: 'nl', urgent: true, text: secret });
    expect(ack.ok).toBe(true);
    expect(ack.staffed).toBe(false);
    expect(ack.estimatedWaitSeconds).toBeNull();
    await waitFor(() => hook.pages.length === 1);
    const page = hook.pages[0]!;
    expect(Object.keys(page).sort()).toEqual(['at', 'kind', 'line', 'longestWaitSeconds', 'waiting']);
    expect(page).toMatchObject({ kind: 'unstaffed', line: 'default', waiting: 1 });
    const raw = JSON.stringify(page);
    expect(raw).not.toContain(ack.conversationId);
    expect(raw).not.toContain('deur');

    // A second start within ONCALL_MIN_INTERVAL_S pages nobody again.
    const second = await visitor();
    const again = await start(second, { language: 'nl' });
    expect(again.staffed).toBe(false);
    await sleep(300);
    expect(hook.pages).toHaveLength(1);

    // An operator comes on: the urgent visitor is assigned, and the other one hears that
    // someone is staffed, with an estimate for a desk that is busy now.
    const ready = await operator({ capacity: 1 });
    const staffed = nextEvent<Position>(second, 'queue:position', { where: (p) => p.staffed });
    const assigned = nextEvent<Assigned>(ready.s, 'chat:assigned');
    await emitAck(ready.s, 'operator:status', { status: 'available' });
    expect((await assigned).conversation.conversationId).toBe(ack.conversationId);
    const p = await staffed;
    expect(p.position).toBe(1);
    expect(p.estimatedWaitSeconds).toBeGreaterThan(0);
  });

  it('keeps the chat going when the webhook fails or hangs, and logs the failure without content', async () => {
    for (const mode of ['fail', 'hang'] as const) {
      const hook = await webhook(mode);
      t = await startTestApp({ ONCALL_WEBHOOK_URL: hook.url });
      const v = await visitor();
      const began = Date.now();
      const ack = await start(v, { language: 'nl', text: 'geheim bericht' });
      expect(ack.ok).toBe(true);
      // The page runs beside the start, never in front of it.
      expect(Date.now() - began).toBeLessThan(4000);
      const message = await emitAck<AnyAck>(v, 'chat:message', { text: 'nog een', clientMessageId: 'c-1' });
      expect(message.ok).toBe(true);
      await waitFor(() => hook.pages.length === 1);
      const expected = mode === 'fail' ? 'on-call webhook refused the page' : 'on-call page failed';
      await waitFor(() => t.logs.some((l) => l.includes(expected)), 8000);
      const line = t.logs.find((l) => l.includes(expected))!;
      expect(line).not.toContain('geheim');
      expect(line).not.toContain(ack.conversationId);
      expect(line).not.toContain('127.0.0.1');
      if (mode === 'fail') expect(JSON.parse(line)).toMatchObject({ kind: 'unstaffed', status: 500 });
      else expect(JSON.parse(line)).toMatchObject({ kind: 'unstaffed', code: 'TimeoutError' });
      for (const s of sockets.splice(0)) s.disconnect();
      await t.close();
    }
  }, 30_000);
});

describe('urgent-waiting', () => {
  it('alerts supervisors after URGENT_ALERT_S, again every URGENT_ALERT_REPEAT_S, and pages on-call once', async () => {
    const hook = await webhook('ok');
    t = await startTestApp({
      URGENT_ALERT_S: '1',
      URGENT_ALERT_REPEAT_S: '1',
      ONCALL_WEBHOOK_URL: hook.url,
    });
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const v = await visitor();
    const ack = await start(v, { language: 'nl', urgent: true });
    const calm = await start(await visitor(), { language: 'nl' });
    await waitFor(() => alerts.filter((a) => a.kind === 'urgent-waiting').length >= 2, 8000);
    const urgent = alerts.filter((a) => a.kind === 'urgent-waiting');
    expect(urgent.every((a) => a.conversationId === ack.conversationId)).toBe(true);
    expect(urgent.some((a) => a.conversationId === calm.conversationId)).toBe(false);
    expect(urgent[0]!.waitedSeconds).toBeGreaterThanOrEqual(1);
    expect(urgent[1]!.waitedSeconds).toBeGreaterThan(urgent[0]!.waitedSeconds!);
    // On-call: one 'unstaffed' page, one 'urgent-waiting' page, however many repeats.
    await waitFor(() => hook.pages.some((p) => p.kind === 'urgent-waiting'));
    expect(hook.pages.filter((p) => p.kind === 'urgent-waiting')).toHaveLength(1);
    expect(JSON.stringify(hook.pages)).not.toContain(ack.conversationId);
  });

  it('stops alerting once the urgent visitor leaves before anyone comes', async () => {
    t = await startTestApp({ URGENT_ALERT_S: '1', URGENT_ALERT_REPEAT_S: '1' });
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const v = await visitor();
    await start(v, { language: 'nl', urgent: true });
    await waitFor(() => alerts.some((a) => a.kind === 'urgent-waiting'), 8000);
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'ended' })).ok).toBe(true);
    const count = alerts.length;
    await sleep(2500);
    expect(alerts.length).toBe(count);
  });

  it('is not raised for an urgent visitor answered in time', async () => {
    t = await startTestApp({ URGENT_ALERT_S: '1' });
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const op = await operator();
    await emitAck(op.s, 'operator:status', { status: 'available' });
    const assigned = nextEvent<Assigned>(op.s, 'chat:assigned');
    await start(await visitor(), { language: 'nl', urgent: true });
    await assigned;
    await sleep(1800);
    expect(alerts.filter((a) => a.kind === 'urgent-waiting')).toEqual([]);
  });
});

describe('estimates', () => {
  it('gives a range whose upper end is estimatedWaitSeconds, and none once the only operator takes a break', async () => {
    t = await startTestApp();
    const op = await operator({ capacity: 1 });
    const busy = nextEvent<Assigned>(op.s, 'chat:assigned');
    await emitAck(op.s, 'operator:status', { status: 'available' });
    await start(await visitor(), { language: 'nl' });
    await busy;
    // Everyone at capacity: staffed, and the estimate is a range, not "under a minute".
    const v = await visitor();
    const ack = await start(v, { language: 'nl' });
    expect(ack.staffed).toBe(true);
    expect(ack.position).toBe(1);
    expect(ack.estimatedWaitSeconds).toBeGreaterThanOrEqual(60);
    expect(ack.estimatedWaitMinSeconds).toBeGreaterThan(0);
    expect(ack.estimatedWaitMinSeconds!).toBeLessThan(ack.estimatedWaitSeconds!);

    const unstaffed = nextEvent<Position>(v, 'queue:position', { where: (p) => !p.staffed });
    await emitAck(op.s, 'operator:status', { status: 'break' });
    const p = await unstaffed;
    expect(p.estimatedWaitSeconds).toBeNull();
    expect(p.position).toBe(1);
  });
});

describe('language fallback', () => {
  it('routes a language nobody on shift speaks to a Dutch or English speaker after LANGUAGE_FALLBACK_S, marked', async () => {
    t = await startTestApp({ LANGUAGE_FALLBACK_S: '1' });
    const op = await operator({ languages: ['nl'] });
    await emitAck(op.s, 'operator:status', { status: 'available' });
    const v = await visitor();
    const ack = await start(v, { language: 'pl', text: 'dzień dobry' });
    expect(ack.staffed).toBe(false);
    expect(ack.estimatedWaitSeconds).toBeNull();
    const assigned = await nextEvent<Assigned>(op.s, 'chat:assigned', { ms: 8000 });
    expect(assigned.conversation).toMatchObject({
      conversationId: ack.conversationId,
      language: 'pl',
      languageFallback: true,
    });
    const c = await t.app.store.conversation(ack.conversationId);
    expect(c.languageFallback).toBe(true);
  });

  it('ranks a fallback conversation after one in the operator’s own language of the same priority', async () => {
    t = await startTestApp({ LANGUAGE_FALLBACK_S: '1' });
    const pl = await start(await visitor(), { language: 'pl' });
    // Wait for it to be on the fallback (visible in the queue items).
    const sup = await operator({ role: 'supervisor' });
    await waitFor(async () => {
      const c = await t.app.store.conversation(pl.conversationId);
      return c.languageFallback === true;
    }, 8000);
    const nl = await start(await visitor(), { language: 'nl' });
    const snapshot = await nextEvent<{ waiting: { conversationId: string; languageFallback?: boolean }[] }>(
      sup.s,
      'queue:snapshot',
      { where: (s) => s.waiting.length === 2 },
    );
    expect(snapshot.waiting.find((w) => w.conversationId === pl.conversationId)?.languageFallback).toBe(true);
    const op = await operator({ languages: ['nl'], capacity: 1 });
    const assigned = nextEvent<Assigned>(op.s, 'chat:assigned');
    await emitAck(op.s, 'operator:status', { status: 'available' });
    // The Polish visitor waited longer, but the Dutch one is in the operator's own language.
    expect((await assigned).conversation.conversationId).toBe(nl.conversationId);
  });

  it('assigns once when a speaker signs in just as the fallback applies', async () => {
    t = await startTestApp({ LANGUAGE_FALLBACK_S: '1' });
    const dutch = await operator({ languages: ['nl'] });
    await emitAck(dutch.s, 'operator:status', { status: 'available' });
    const dutchGot = collect<Assigned>(dutch.s, 'chat:assigned');
    const ack = await start(await visitor(), { language: 'pl' });
    await sleep(900);
    const polish = await operator({ languages: ['pl', 'en'] });
    const polishGot = collect<Assigned>(polish.s, 'chat:assigned');
    await emitAck(polish.s, 'operator:status', { status: 'available' });
    await waitFor(() => dutchGot.length + polishGot.length > 0, 8000);
    await sleep(1500);
    // One operator has it, and only that one was told (a console that connects as it is
    // assigned may hear of it twice: live and in the re-send on connect).
    const holders = [dutchGot.length > 0 && dutch.acct.id, polishGot.length > 0 && polish.acct.id].filter(
      Boolean,
    );
    expect(holders).toHaveLength(1);
    const r = await t.app.store.read(ack.conversationId);
    expect(r?.state).toBe('active');
    expect(r?.operatorId).toBe(holders[0]);
    for (const got of [...dutchGot, ...polishGot])
      expect(got.conversation.conversationId).toBe(ack.conversationId);
  });
});

/** An operator holding one conversation, assigned. */
async function holding(opts: Parameters<typeof operator>[0] = {}) {
  const op = await operator(opts);
  const v = await visitor();
  const assigned = nextEvent<Assigned>(op.s, 'chat:assigned');
  await emitAck(op.s, 'operator:status', { status: 'available' });
  const ack = await start(v, { language: 'nl' });
  await assigned;
  return { op, v, conversationId: ack.conversationId };
}

describe('breaks', () => {
  it('puts the operator on a break after a conversation marked acute; nothing is assigned until it ends', async () => {
    t = await startTestApp({ BREAK_AFTER_HIGH_RISK_MIN: '0.03' });
    const sup = await operator({ role: 'supervisor' });
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { op, conversationId } = await holding();
    expect((await emitAck<AnyAck>(op.s, 'chat:acute', { conversationId })).ok).toBe(true);
    const onBreak = nextEvent<State>(op.s, 'operator:state', { where: (s) => s.status === 'break' });
    expect((await emitAck<AnyAck>(op.s, 'chat:end', { conversationId })).ok).toBe(true);
    const state = await onBreak;
    const until = Date.parse(state.breakUntil!);
    expect(until - Date.now()).toBeGreaterThan(0);
    expect(until - Date.now()).toBeLessThanOrEqual(1800 + 200);

    // A conversation that arrives during the break waits; when the break ends it is assigned.
    const got = collect<Assigned>(op.s, 'chat:assigned');
    const waiting = await start(await visitor(), { language: 'nl' });
    await sleep(300);
    expect(got).toEqual([]);
    const overview = await fetch(`${t.url}/api/supervisor/overview`, {
      headers: { cookie: sup.acct.cookie },
    });
    const team = ((await overview.json()) as { operators: Record<string, unknown>[] }).operators;
    expect(team.find((o) => o.id === op.acct.id)).toMatchObject({
      status: 'break',
      highRiskThisShift: 1,
      lastBreakAt: expect.any(String),
    });
    // The debrief request reaches supervisors.
    expect((await emitAck<AnyAck>(op.s, 'operator:debrief', {})).ok).toBe(true);
    await waitFor(() => alerts.some((a) => a.kind === 'debrief-request' && a.operatorId === op.acct.id));

    await waitFor(() => got.length === 1, 8000);
    expect(got[0]!.conversation.conversationId).toBe(waiting.conversationId);
  });

  it('puts the operator on a break after a high risk level, which they may end early', async () => {
    t = await startTestApp({ BREAK_AFTER_HIGH_RISK_MIN: '10' });
    const { op, conversationId } = await holding();
    const risk = {
      answers: {},
      score: 0,
      level: 'high',
      redFlags: [],
      override: { level: 'high', reason: 'Hij heeft een wapen in huis.' },
    };
    const saved = await emitAck<AnyAck>(op.s, 'chat:risk', { conversationId, risk });
    expect(saved.ok).toBe(true);
    const onBreak = nextEvent<State>(op.s, 'operator:state', { where: (s) => s.status === 'break' });
    await emitAck(op.s, 'chat:end', { conversationId });
    expect((await onBreak).breakUntil).toBeDefined();
    const back = nextEvent<State>(op.s, 'operator:state', { where: (s) => s.status === 'available' });
    await emitAck(op.s, 'operator:status', { status: 'available' });
    expect((await back).breakUntil).toBeUndefined();
    const assigned = nextEvent<Assigned>(op.s, 'chat:assigned');
    await start(await visitor(), { language: 'nl' });
    await assigned;
  });

  it('sets the break in the step that frees the place: a routing pass before the end is finished assigns nothing', async () => {
    // Another instance's routing pass, or one of this instance's own (a new visitor's
    // start), can run between the end script and the steps after it. The place the end
    // freed must not go to the next visitor before the break begins.
    t = await startTestApp({ BREAK_AFTER_HIGH_RISK_MIN: '10' });
    const { op, conversationId } = await holding({ capacity: 1 });
    expect((await emitAck<AnyAck>(op.s, 'chat:acute', { conversationId })).ok).toBe(true);
    const next = await start(await visitor(), { language: 'nl' });
    expect(next.ok).toBe(true);
    const got = collect<Assigned>(op.s, 'chat:assigned');
    // Hold the end after its script, at its first step that follows, and route meanwhile.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const addEnded = t.app.roster.addEnded.bind(t.app.roster);
    let routedMeanwhile: Promise<number> | undefined;
    vi.spyOn(t.app.roster, 'addEnded').mockImplementationOnce(async (...args) => {
      routedMeanwhile = t.app.router.routeNow();
      await routedMeanwhile;
      await held;
      return addEnded(...args);
    });
    const ended = emitAck<AnyAck>(op.s, 'chat:end', { conversationId });
    await waitFor(() => routedMeanwhile !== undefined);
    await routedMeanwhile;
    release();
    expect((await ended).ok).toBe(true);
    await sleep(300);
    expect(got).toEqual([]);
    expect(await t.app.roster.status(op.acct.id)).toMatchObject({ status: 'break' });
    // Still waiting, for whoever is free.
    expect((await t.app.store.get(next.conversationId)).state).toBe('waiting');
  });

  it('ends the break the end began even when a step after the end failed once', async () => {
    // end.lua begins the break; what ends it must not depend on the steps that run once.
    t = await startTestApp({ BREAK_AFTER_HIGH_RISK_MIN: '0.03' });
    const { op, conversationId } = await holding();
    expect((await emitAck<AnyAck>(op.s, 'chat:acute', { conversationId })).ok).toBe(true);
    vi.spyOn(t.app.roster, 'countHighRisk').mockRejectedValueOnce(redisCut());
    await emitAck<AnyAck>(op.s, 'chat:end', { conversationId });
    expect(await t.app.roster.status(op.acct.id)).toMatchObject({ status: 'break' });
    await waitFor(async () => (await t.app.roster.status(op.acct.id)).status === 'available', 8000);
  });

  it('leaves the status alone after an ordinary conversation, and when BREAK_AFTER_HIGH_RISK_MIN is 0', async () => {
    t = await startTestApp({ BREAK_AFTER_HIGH_RISK_MIN: '0' });
    const { op, conversationId } = await holding();
    await emitAck(op.s, 'chat:acute', { conversationId });
    const states = collect<State>(op.s, 'operator:state');
    await emitAck(op.s, 'chat:end', { conversationId });
    await sleep(500);
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s.status === 'available')).toBe(true);
  });
});

describe('operator:handover', () => {
  it('refuses a colleague who is full and moves nothing; then hands every conversation on, each visitor told', async () => {
    t = await startTestApp();
    const a = await operator({ capacity: 2 });
    const gotA = collect<Assigned>(a.s, 'chat:assigned');
    await emitAck(a.s, 'operator:status', { status: 'available' });
    const visitors: VisitorSocket[] = [];
    const ids: string[] = [];
    for (const language of ['nl', 'en']) {
      const v = await visitor();
      visitors.push(v);
      ids.push((await start(v, { language })).conversationId);
    }
    await waitFor(() => gotA.length === 2);
    // Nothing more for A: the colleagues come in after.
    await emitAck(a.s, 'operator:status', { status: 'away' });
    const full = await operator({ capacity: 1 });
    const room = await operator({ capacity: 5 });

    const refused = await emitAck<AnyAck>(a.s, 'operator:handover', { to: { operatorId: full.acct.id } });
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('conflict');
    for (const id of ids) expect((await t.app.store.read(id))?.operatorId).toBe(a.acct.id);

    const system = visitors.map((v) =>
      nextEvent<{ from: string; text: string }>(v, 'chat:message', { where: (m) => m.from === 'system' }),
    );
    const toRoom = collect<Assigned>(room.s, 'chat:assigned');
    const note = 'Zij wil morgen om 9 uur terugbellen.';
    const done = await emitAck<AnyAck & { moved: number }>(a.s, 'operator:handover', {
      to: { operatorId: room.acct.id },
      note,
    });
    expect(done).toMatchObject({ ok: true, moved: 2 });
    const [nl, en] = await Promise.all(system);
    expect(nl!.text).toMatch(/collega/i);
    expect(en!.text).toMatch(/colleague/i);
    await waitFor(() => toRoom.length === 2);
    for (const got of toRoom) expect(got.notes.map((n) => n.text)).toContain(note);
    for (const id of ids) expect((await t.app.store.read(id))?.operatorId).toBe(room.acct.id);
    expect(await t.app.roster.state(a.acct.id)).toMatchObject({ status: 'away', load: 0 });
  });

  it('hands conversations back to the queue', async () => {
    t = await startTestApp();
    const { op, conversationId } = await holding();
    const done = await emitAck<AnyAck & { moved: number }>(op.s, 'operator:handover', {
      to: { queue: true },
    });
    expect(done).toMatchObject({ ok: true, moved: 1 });
    expect((await t.app.store.read(conversationId))?.state).toBe('waiting');
    expect((await t.app.roster.state(op.acct.id)).status).toBe('away');
  });

  it('rejects a malformed hand-over and changes nothing', async () => {
    t = await startTestApp();
    const { op, conversationId } = await holding();
    for (const bad of [{}, { to: {} }, { to: { queue: false } }, { to: { operatorId: 'x', queue: true } }]) {
      const res = await emitAck<AnyAck>(op.s, 'operator:handover', bad);
      expect(res.error?.code).toBe('invalid_payload');
    }
    expect((await t.app.store.read(conversationId))?.operatorId).toBe(op.acct.id);
    expect((await t.app.roster.state(op.acct.id)).status).toBe('available');
  });
});

describe('sessions', () => {
  const me = (cookie: string) => fetch(`${t.url}/api/auth/me`, { headers: { cookie } }).then((r) => r.status);

  it('a connected console keeps its session; idle time counts from when the last console went away', async () => {
    t = await startTestApp({ SESSION_IDLE_MIN: '0.05' });
    const acct = await createOperator(t);
    const one = await connectOperator(t.url, acct.cookie);
    const two = await connectOperator(t.url, acct.cookie);
    sockets.push(one, two);
    one.disconnect();
    // Well past the 3 s idle limit, the other console still holds the session.
    await sleep(4500);
    expect(two.connected).toBe(true);
    expect(await me(acct.cookie)).toBe(200);
    two.disconnect();
    await sleep(1000);
    expect(await me(acct.cookie)).toBe(200);
    await sleep(3000);
    expect(await me(acct.cookie)).toBe(401);
  }, 20_000);

  it('warns ahead of the absolute limit, ends the session at it, and a new sign-in keeps the conversation', async () => {
    // 0.002 h = 7.2 s, so the warning (15 minutes ahead) comes at once.
    t = await startTestApp({ SESSION_MAX_HOURS: '0.002', OPERATOR_GRACE_S: '60' });
    const acct = await createOperator(t);
    let warned: Promise<{ at: string }> | undefined;
    const s = (await connectOperator(t.url, acct.cookie, {
      before: (socket) => {
        warned = nextEvent<{ at: string }>(socket, 'session:expiring');
      },
    })) as OperatorSocket;
    sockets.push(s);
    const expiring = await warned!;
    const at = Date.parse(expiring.at);
    expect(at).toBeGreaterThan(Date.now());
    expect(at).toBeLessThanOrEqual(Date.now() + 7200);
    const assigned = nextEvent<Assigned>(s, 'chat:assigned');
    await emitAck(s, 'operator:status', { status: 'available' });
    const v = await visitor();
    const ack = await start(v, { language: 'nl' });
    await assigned;

    const ended = nextEvent(s, 'session:ended', { ms: 10_000 });
    await ended;
    await waitFor(() => !s.connected);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(await me(acct.cookie)).toBe(401);
    // Mid-conversation: the visitor is not dropped, and the conversation stays the operator's.
    expect((await t.app.store.read(ack.conversationId))?.operatorId).toBe(acct.id);

    const cookie = await login(t.url, acct.username, acct.password);
    let resent: Promise<Assigned> | undefined;
    const again = await connectOperator(t.url, cookie, {
      before: (socket) => {
        resent = nextEvent<Assigned>(socket, 'chat:assigned');
      },
    });
    sockets.push(again);
    const back = await resent!;
    expect(back.conversation.conversationId).toBe(ack.conversationId);
    const reply = await emitAck<AnyAck>(again, 'chat:message', {
      conversationId: ack.conversationId,
      text: 'Ik ben er nog.',
      clientMessageId: 'c-2',
    });
    expect(reply.ok).toBe(true);
  }, 30_000);
});
