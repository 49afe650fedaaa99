/**
 * Lines (issue 13): several helplines on one deployment, as routing and the lifecycle see
 * them, against the suite's real Redis, BullMQ and Socket.IO. Each adversary comes first:
 * a troll with a script naming lines that do not exist or are closed, a crowd on another
 * line, an operator of one line waiting for another's conversations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueuePosition, WaitingItem } from '@stille-lijn/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/src/config.ts';
import { routingScore } from '../../server/src/routing/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = {
  ok: boolean;
  error?: { code: string; reason?: string };
  conversationId?: string;
  [k: string]: unknown;
};
type Assigned = {
  conversation: { conversationId: string; line?: string; overflowFrom?: string; defaultRegion?: string };
};

const dir = mkdtempSync(join(tmpdir(), 'lines-'));
let files = 0;
/** Writes a LINES_FILE and returns its path. */
function linesFile(lines: unknown): string {
  const path = join(dir, `lines-${++files}.json`);
  writeFileSync(path, JSON.stringify(lines));
  return path;
}
const line = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Lijn ${id}`,
  languages: ['nl', 'en'],
  hours: '24/7',
  embedOrigins: [],
  ...extra,
});
/** Hours with no day at all: closed every day. */
const CLOSED = { tz: 'Europe/Amsterdam', weekly: {} };

const sockets: { disconnect(): unknown }[] = [];
const track = <S extends { disconnect(): unknown }>(s: S) => {
  sockets.push(s);
  return s;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

async function visitor(t: TestApp, payload: Record<string, unknown> = {}) {
  const v = track(await connectVisitor(t.url));
  const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', ...payload });
  return { v, ack };
}

async function operator(
  t: TestApp,
  lines: string[] | undefined,
  opts: { available?: boolean; role?: 'operator' | 'supervisor' | 'admin' } = {},
) {
  const account = await createOperator(t, {
    ...(lines ? { lines } : {}),
    ...(opts.role ? { role: opts.role } : {}),
  });
  const snapshots: { waiting: WaitingItem[] }[] = [];
  const s: OperatorSocket = track(
    await connectOperator(t.url, account.cookie, {
      before: (sock) => sock.on('queue:snapshot', (p: { waiting: WaitingItem[] }) => snapshots.push(p)),
    }),
  );
  // A conversation routed while the console still sets up is sent again with the rest: one each.
  const all = collect<Assigned>(s, 'chat:assigned');
  const assigned = {
    get length() {
      return new Set(all.map((a) => a.conversation.conversationId)).size;
    },
    ids: () => [...new Set(all.map((a) => a.conversation.conversationId))],
    first: () => all[0]!.conversation,
    all: () => all.map((a) => a.conversation),
  };
  if (opts.available !== false) await emitAck(s, 'operator:status', { status: 'available' });
  return { account, s, snapshots, assigned };
}

describe('a malformed LINES_FILE', () => {
  it('stops the boot with one line per problem', async () => {
    const path = linesFile([
      line('utrecht', { region: 'VR99' }),
      line('c', { overflowTo: 'nergens' }),
      line('utrecht', { hours: { tz: 'Europe/Amsterdam', weekly: { mon: [['9:00', '17:00']] } } }),
      line('a', { overflowTo: 'b' }),
      line('b', { overflowTo: 'a' }),
    ]);
    const err = await startTestApp({ LINES_FILE: path }).then(
      (t) => t.close().then(() => null),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).lines;
    expect(problems.every((p) => p.startsWith('LINES_FILE: '))).toBe(true);
    const text = problems.join('\n');
    expect(text).toMatch(/utrecht.*region/);
    expect(text).toMatch(/utrecht.*hours/);
    expect(text).toMatch(/duplicate id/);
    expect(text).toMatch(/"nergens" is not a line/);
    expect(text).toMatch(/overflow cycle/);
    // One problem per line: none spans two.
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  it('stops the boot when the file cannot be read', async () => {
    const err = await startTestApp({ LINES_FILE: join(dir, 'missing.json') }).then(
      (t) => t.close().then(() => null),
      (e: unknown) => e,
    );
    expect((err as ConfigError).lines).toEqual([
      `LINES_FILE: cannot read ${join(dir, 'missing.json')} (ENOENT)`,
    ]);
  });
});

describe('chat:start on lines', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LINES_FILE: linesFile([
        line('utrecht'),
        line('dicht', { hours: CLOSED }),
        line('nacht', { hours: CLOSED, overflowTo: 'utrecht' }),
      ]),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a line the deployment lacks with unknown_line, and stores nothing', async () => {
    const before = await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
    const { ack } = await visitor(t, { line: 'bestaat-niet' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload', reason: 'unknown_line' } });
    expect(await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`)).toEqual(before);
  });

  it('refuses a malformed line id as a bad payload', async () => {
    const { ack } = await visitor(t, { line: '../../admin' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('refuses a line that is closed with no open overflow with line_closed, and stores nothing', async () => {
    const before = await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`);
    const { ack } = await visitor(t, { line: 'dicht' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'line_closed' } });
    expect(await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`)).toEqual(before);
  });

  it('opens a conversation on a closed line whose overflow line is open, routable there at once', async () => {
    const { ack } = await visitor(t, { line: 'nacht' });
    expect(ack.ok).toBe(true);
    const r = await t.app.store.get(String(ack.conversationId));
    expect(r.line).toBe('nacht');
    expect(t.app.lines.routableTo('nacht', r.waitingSince, Date.now())).toEqual(['nacht', 'utrecht']);
    await t.app.lifecycle.end(r.id, 'operator');
  });

  it('puts a start without line on the first line, in that line’s set', async () => {
    const { ack } = await visitor(t);
    expect(ack.ok).toBe(true);
    const id = String(ack.conversationId);
    expect((await t.app.store.get(id)).line).toBe('utrecht');
    expect(await t.app.redis.zscore(t.app.keys.waiting('utrecht', 'nl'), id)).not.toBeNull();
    expect((await t.app.store.conversation(id)).line).toBe('utrecht');
    await t.app.lifecycle.end(id, 'operator');
  });
});

describe('overflow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LINES_FILE: linesFile([
        line('utrecht', { overflowTo: 'landelijk', overflowAfterS: 2 }),
        line('landelijk'),
        line('zeeland'),
      ]),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps an operator of another line away until the wait is over, then routes it to them unprompted', async () => {
    const national = await operator(t, ['landelijk']);
    const { ack } = await visitor(t, { line: 'utrecht' });
    const id = String(ack.conversationId);
    // Not yet: neither assigned nor shown to the national operator.
    await new Promise((r) => setTimeout(r, 800));
    expect(national.assigned.ids()).toEqual([]);
    expect(national.snapshots.flatMap((s) => s.waiting).some((w) => w.conversationId === id)).toBe(false);
    // After overflowAfterS, with no event at all from anyone: the timed routing pass.
    await waitFor(() => national.assigned.length > 0, 8000);
    const got = national.assigned.first();
    expect(got).toMatchObject({ conversationId: id, line: 'utrecht', overflowFrom: 'utrecht' });
    const r = await t.app.store.get(id);
    expect(r.state).toBe('active');
    expect(r.line).toBe('utrecht');
    expect(r.servedLine).toBe('landelijk');
    await t.app.lifecycle.end(id, 'operator');
  });

  it('keeps the visitor waiting with staffed: false when the overflow line has nobody either', async () => {
    // Utrecht's own operator is signed in but away: not staffed.
    await operator(t, ['utrecht'], { available: false });
    const { v, ack } = await visitor(t, { line: 'utrecht' });
    expect(ack).toMatchObject({ ok: true, staffed: false });
    const positions = collect<QueuePosition>(v, 'queue:position');
    const id = String(ack.conversationId);
    await new Promise((r) => setTimeout(r, 3500));
    const r = await t.app.store.get(id);
    expect(r.state).toBe('waiting');
    expect(t.app.lines.routableTo('utrecht', r.waitingSince, Date.now())).toEqual(['utrecht', 'landelijk']);
    expect(positions.every((p) => p.staffed === false)).toBe(true);
    expect(await t.app.redis.zscore(t.app.keys.waiting('utrecht', 'nl'), id)).not.toBeNull();
    // Someone on the overflow line signs in: it is theirs, and the visitor hears of it.
    const got = nextEvent(v, 'chat:assigned');
    const national = await operator(t, ['landelijk']);
    await got;
    // The visitor is told first; the operator's view follows on its own socket.
    await waitFor(() => national.assigned.length > 0);
    expect(national.assigned.ids()).toEqual([id]);
    await t.app.lifecycle.end(id, 'operator');
  });

  it('does not let 1,100 waiting conversations on another line keep an operator of this line idle', async () => {
    // A crowd on zeeland, all older (so first in any merged order) than the one on utrecht.
    const old = Date.now() - 60_000;
    const tx = t.app.redis.multi();
    for (let i = 0; i < 1100; i++) {
      const id = `crowd-${i}`;
      tx.hset(t.app.keys.conversation(id), {
        state: 'waiting',
        role: 'victim',
        language: 'nl',
        urgent: '0',
        waitingSince: String(old + i),
        tags: '[]',
        line: 'zeeland',
      });
      tx.zadd(t.app.keys.waiting('zeeland', 'nl'), routingScore(false, old + i), id);
    }
    await tx.exec();
    const { ack } = await visitor(t, { line: 'utrecht' });
    const utrecht = await operator(t, ['utrecht']);
    await waitFor(() => utrecht.assigned.length > 0, 5000);
    expect(utrecht.assigned.ids()).toEqual([ack.conversationId]);
    expect(utrecht.assigned.first().overflowFrom).toBeUndefined();
    // Nothing of zeeland reached them, in the snapshot either.
    expect(utrecht.snapshots.flatMap((s) => s.waiting).some((w) => w.line === 'zeeland')).toBe(false);
    expect(await t.app.redis.zcard(t.app.keys.waiting('zeeland', 'nl'))).toBe(1100);
    await t.app.lifecycle.end(String(ack.conversationId), 'operator');
    await t.app.redis.del(t.app.keys.waiting('zeeland', 'nl'));
  });
});

describe('chat:transfer to another line’s queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LINES_FILE: linesFile([line('utrecht'), line('landelijk')]) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an unknown line and leaves the conversation with its operator; a known one moves it there', async () => {
    const utrecht = await operator(t, ['utrecht']);
    const { ack } = await visitor(t, { line: 'utrecht' });
    const id = String(ack.conversationId);
    await waitFor(() => utrecht.assigned.length > 0);
    const refused = await emitAck<AnyAck>(utrecht.s, 'chat:transfer', {
      conversationId: id,
      to: { queue: true, line: 'nergens' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', reason: 'unknown_line' } });
    expect(await t.app.store.get(id)).toMatchObject({ state: 'active', operatorId: utrecht.account.id });
    // Given to the national line: its operator gets it, not the utrecht operator who gave it away.
    const national = await operator(t, ['landelijk']);
    const moved = await emitAck<AnyAck>(utrecht.s, 'chat:transfer', {
      conversationId: id,
      to: { queue: true, line: 'landelijk' },
    });
    expect(moved.ok).toBe(true);
    await waitFor(() => national.assigned.length > 0);
    expect(national.assigned.first()).toMatchObject({ conversationId: id, line: 'landelijk' });
    expect(national.assigned.first().overflowFrom).toBeUndefined();
    const r = await t.app.store.get(id);
    expect(r).toMatchObject({ line: 'landelijk', servedLine: '', operatorId: national.account.id });
    const audit = await t.app.redis.xrange(t.app.keys.audit, '-', '+');
    expect(audit.some(([, kv]) => kv.includes('transfer-queue') && kv.includes(id))).toBe(true);
    await t.app.lifecycle.end(id, 'operator');
  });
});

describe('a line removed from the file while its conversations run', () => {
  let t: TestApp;
  let prefix: string;
  const env = (lines: unknown[]) => ({ LINES_FILE: linesFile(lines), REDIS_PREFIX: prefix });
  beforeAll(async () => {
    prefix = `tl${Date.now().toString(36)}`;
    t = await startTestApp(env([line('utrecht'), line('weg')]));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets its active conversation finish, keeps its waiting one for accounts of every line, and refuses new ones', async () => {
    const holder = await operator(t, ['weg']);
    const active = await visitor(t, { line: 'weg' });
    await waitFor(() => holder.assigned.length > 0);
    await emitAck(holder.s, 'operator:status', { status: 'away' });
    const waiting = await visitor(t, { line: 'weg' });
    // The sweep records the lines this deployment runs with.
    await t.app.waiters.migrateLegacyWaiting();
    for (const s of sockets.splice(0)) s.disconnect();
    await t.close();

    t = await startTestApp({ ...env([line('utrecht')]), OPERATOR_GRACE_S: '600' });
    const again = await visitor(t, { line: 'weg' });
    expect(again.ack).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', reason: 'unknown_line' },
    });

    // The active one goes on: its visitor resumes and writes, its operator reads.
    const v = track(await connectVisitor(t.url));
    const resumed = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: String(active.ack.resumeToken) });
    expect(resumed.ok).toBe(true);
    const op = track(await connectOperator(t.url, holder.account.cookie));
    const heard = nextEvent<{ text: string }>(op, 'chat:message');
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'na', text: 'nog hier' })).ok).toBe(
      true,
    );
    expect((await heard).text).toBe('nog hier');

    // The waiting one: an operator of utrecht never gets it; one of every line does.
    const utrecht = await operator(t, ['utrecht']);
    await new Promise((r) => setTimeout(r, 500));
    expect(utrecht.assigned.ids()).toEqual([]);
    expect(utrecht.snapshots.flatMap((s) => s.waiting).some((w) => w.line === 'weg')).toBe(false);
    const every = await operator(t, ['*']);
    await waitFor(() => every.assigned.length > 0, 5000);
    expect(every.assigned.first()).toMatchObject({
      conversationId: waiting.ack.conversationId,
      line: 'weg',
    });
  });
});

describe("a line's region", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LINES_FILE: linesFile([line('utrecht', { region: 'VR09' }), line('landelijk')]),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is the default region of its reports, carried on the conversation; a line without one gives none', async () => {
    const op = await operator(t, ['*']);
    const a = await visitor(t, { line: 'utrecht' });
    const b = await visitor(t, { line: 'landelijk' });
    await waitFor(() => op.assigned.length >= 2);
    const conv = (id: unknown) => op.assigned.all().find((c) => c.conversationId === id);
    expect(conv(a.ack.conversationId)).toMatchObject({ line: 'utrecht', defaultRegion: 'VR09' });
    expect(conv(b.ack.conversationId)?.defaultRegion).toBeUndefined();
  });
});
