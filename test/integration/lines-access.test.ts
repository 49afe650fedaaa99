import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperatorRole } from '@stille-lijn/shared';
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import { SIGNAL_CATEGORIES } from '@stille-lijn/shared/signals';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReportStore } from '../../server/src/reports/store.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  emitAck,
  login,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

/**
 * Issue 13, "Kept apart": the whole access matrix by line. Three lines: `a` and `b` open
 * day and night, `c` always closed and overflowing to `b` at once. The actors belong to
 * `b` (the admin to every line); colleagues hold conversations on `a` and `b`. Every row
 * is one route or event; every row runs for every role against a conversation of the
 * actor's own line, one of another line, and one waiting on `c` that has overflowed to `b`.
 *
 * The adversary is an insider: an operator or supervisor of one line who knows (or
 * guesses) a conversation id of another line and tries every door with it. What they
 * must get is exactly what a stranger's conversation answers, so that the ids of another
 * line cannot even be told apart from a colleague's.
 */

type Role = OperatorRole;
const ROLES: Role[] = ['operator', 'supervisor', 'admin'];

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  {
    id: 'c',
    name: 'Lijn C',
    languages: ['nl', 'en'],
    hours: { tz: 'Europe/Amsterdam', weekly: {} },
    overflowTo: 'b',
    embedOrigins: [],
  },
];

interface Actor {
  id: string;
  role: Role;
  cookie: string;
  s: OperatorSocket;
}

/** What one try answered, in a form two answers can be compared in. */
type Answer = string;
type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

/** The conversation (and, for the report rows, a report on it) a row is tried on. */
interface Target {
  conversationId: string;
  reportId: string;
}

interface Row {
  name: string;
  /** Runs the event or route as `who` on `target`. */
  run(who: Actor, target: Target): Promise<Answer>;
  /** What a stranger's conversation answers `role` today. */
  stranger(role: Role): Answer;
  /** What the own line's conversation answers `role`, when it is not "anything but the stranger's". */
  own?: (role: Role) => Answer | undefined;
  /** The own-line conversation waits rather than being held by the actor. */
  ownWaits?: boolean;
}

let t: TestApp;
let dir: string;
const visitors: VisitorSocket[] = [];
const sockets: OperatorSocket[] = [];
let actors: Record<Role, Actor>;
/** Colleagues: an operator of line `a` and one of line `b`. */
let opA: Actor;
let opB2: Actor;

async function account(role: Role, lines: string[] | undefined): Promise<Actor> {
  const username = `l${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const created = await t.app.operators.create({
    username,
    password,
    role,
    displayName: `Anna ${username}`,
    languages: ['nl', 'en'],
    ...(lines ? { lines } : {}),
  });
  // Room for every conversation a test gives them; each test ends them again.
  await t.app.operators.setAccess(created.id, { capacity: 100 });
  const cookie = await login(t.url, username, password);
  const s = await connectOperator(t.url, cookie);
  sockets.push(s);
  return { id: created.id, role, cookie, s };
}

const ev = async (who: Actor, event: string, payload: object): Promise<Answer> => {
  const ack = await emitAck<AnyAck>(who.s, event, payload);
  return ack.ok ? 'ok' : `${ack.error?.code}/${ack.error?.reason ?? '-'}`;
};

const rest = async (who: Actor, method: string, path: string, body?: object): Promise<Answer> => {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      cookie: who.cookie,
      origin: t.url,
      ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.ok) return `${res.status}`;
  const json = (await res.json()) as { error?: { code: string; reason?: string } };
  return `${res.status} ${json.error?.code}/${json.error?.reason ?? '-'}`;
};

let addresses = 0;
const nextAddress = () => {
  addresses++;
  return `10.13.${addresses >> 8}.${addresses & 255}`;
};

/** A new conversation on `line`, held by `holder` when given (else waiting). */
async function conversation(line: string, holder?: Actor): Promise<string> {
  // Each visitor from an address of its own: a chat:block blocks only that one.
  const v = await connectVisitor(t.url, { forwardedFor: nextAddress() });
  visitors.push(v);
  const start = await emitAck<AnyAck>(v, 'chat:start', {
    role: 'victim',
    language: 'nl',
    text: 'Ik durf niet naar huis',
    line,
  });
  expect(start.ok).toBe(true);
  const id = start.conversationId as string;
  // The line as lines-core stores it at chat:start (the same value, so harmless after it).
  await t.app.redis.hset(t.app.keys.conversation(id), 'line', line);
  if (holder) expect(await ev(holder, 'chat:accept', { conversationId: id })).toBe('ok');
  return id;
}

/** A failed report on the conversation, made by `by`. */
async function report(conversationId: string, by: Actor): Promise<string> {
  const store = new ReportStore({ redis: t.app.redis, keys: t.app.keys, retentionMs: 86_400_000 });
  const reportId = randomUUID();
  await store.create(
    {
      reportId,
      conversationId,
      region: 'VR09',
      operatorId: by.id,
      operatorName: 'Anna',
      bySupervisor: by.role !== 'operator',
      createdAt: new Date().toISOString(),
    },
    'sealed',
  );
  await t.app.redis.hset(store.reportKey(reportId), 'status', 'failed');
  return reportId;
}

async function target(line: string, holder: Actor | undefined, reportBy: Actor): Promise<Target> {
  const conversationId = await conversation(line, holder);
  return { conversationId, reportId: await report(conversationId, holder ?? reportBy) };
}

const notHolder = () => 'forbidden/not_holder';
const supervisorEvent = (role: Role) =>
  role === 'operator' ? 'forbidden/role_required' : 'forbidden/not_holder';

/** The access matrix: one row per route or event that takes a conversation or report id. */
const ROWS: Row[] = [
  {
    name: 'chat:accept',
    run: (who, x) => ev(who, 'chat:accept', { conversationId: x.conversationId }),
    stranger: () => 'conflict/not_waiting',
    own: () => 'ok',
    ownWaits: true,
  },
  {
    name: 'chat:message',
    run: (who, x) =>
      ev(who, 'chat:message', {
        conversationId: x.conversationId,
        clientMessageId: randomUUID(),
        text: 'Hoi',
      }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:typing',
    run: (who, x) => ev(who, 'chat:typing', { conversationId: x.conversationId, typing: true }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:note',
    run: (who, x) => ev(who, 'chat:note', { conversationId: x.conversationId, text: 'notitie' }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:tags',
    run: (who, x) => ev(who, 'chat:tags', { conversationId: x.conversationId, tags: [] }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:risk',
    run: (who, x) => ev(who, 'chat:risk', { conversationId: x.conversationId, risk: scoreRisk({}) }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:acute',
    run: (who, x) => ev(who, 'chat:acute', { conversationId: x.conversationId }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'signal:dismiss',
    run: (who, x) =>
      ev(who, 'signal:dismiss', { conversationId: x.conversationId, category: SIGNAL_CATEGORIES[0] }),
    stranger: notHolder,
  },
  {
    name: 'chat:transfer (queue)',
    run: (who, x) => ev(who, 'chat:transfer', { conversationId: x.conversationId, to: { queue: true } }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:transfer (colleague of the line)',
    run: (who, x) =>
      ev(who, 'chat:transfer', { conversationId: x.conversationId, to: { operatorId: opB2.id } }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:end',
    run: (who, x) => ev(who, 'chat:end', { conversationId: x.conversationId }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'chat:block',
    run: (who, x) => ev(who, 'chat:block', { conversationId: x.conversationId }),
    stranger: notHolder,
    own: () => 'ok',
  },
  {
    name: 'supervisor:monitor',
    run: (who, x) => ev(who, 'supervisor:monitor', { conversationId: x.conversationId }),
    stranger: supervisorEvent,
    own: (role) => (role === 'operator' ? 'forbidden/role_required' : 'ok'),
  },
  {
    name: 'supervisor:reassign (queue)',
    run: (who, x) =>
      ev(who, 'supervisor:reassign', { conversationId: x.conversationId, to: { queue: true } }),
    stranger: supervisorEvent,
    own: (role) => (role === 'operator' ? 'forbidden/role_required' : 'ok'),
  },
  {
    name: 'GET /api/conversations/:id',
    run: (who, x) => rest(who, 'GET', `/api/conversations/${x.conversationId}`),
    stranger: () => '403 forbidden/-',
    own: () => '200',
  },
  {
    name: 'GET /api/conversations/:id/reports',
    run: (who, x) => rest(who, 'GET', `/api/conversations/${x.conversationId}/reports`),
    stranger: () => '403 forbidden/not_holder',
    own: () => '200',
  },
  {
    name: 'POST /api/conversations/:id/reports',
    // An empty body: the access check comes first (403), the body's check after (400).
    run: (who, x) => rest(who, 'POST', `/api/conversations/${x.conversationId}/reports`, {}),
    stranger: () => '403 forbidden/not_holder',
    own: () => '400 invalid_payload/-',
  },
  {
    name: 'GET /api/reports/:id',
    run: (who, x) => rest(who, 'GET', `/api/reports/${x.reportId}`),
    stranger: () => '403 forbidden/-',
    own: () => '200',
  },
  {
    name: 'POST /api/reports/:id/retry',
    run: (who, x) => rest(who, 'POST', `/api/reports/${x.reportId}/retry`),
    stranger: () => '403 forbidden/-',
    own: () => '200',
  },
];

/** What must not change when a try is refused. */
async function snapshot(conversationId: string): Promise<(string | null)[]> {
  return t.app.redis.hmget(t.app.keys.conversation(conversationId), 'state', 'operatorId', 'line', 'blockId');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lines-access-'));
  const file = join(dir, 'lines.json');
  writeFileSync(file, JSON.stringify(LINES));
  t = await startTestApp({ LINES_FILE: file, TRUST_PROXY: '1' });
  actors = {
    operator: await account('operator', ['b']),
    supervisor: await account('supervisor', ['b']),
    admin: await account('admin', undefined),
  };
  opA = await account('operator', ['a']);
  opB2 = await account('operator', ['b']);
});

afterEach(async () => {
  for (const v of visitors.splice(0)) v.disconnect();
  // Ends what the test left held, so that capacity never decides an answer.
  for (const who of [...Object.values(actors), opA, opB2]) {
    for (const id of await t.app.roster.conversationsOf(who.id)) {
      await t.app.lifecycle.end(id, 'operator', { byOperatorId: who.id });
    }
  }
});

afterAll(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(ROWS)('lines: $name', (row) => {
  it.each(ROLES)('as %s: own line, another line, overflowed in', async (role) => {
    const me = actors[role];
    const stranger = row.stranger(role);

    // Own line: held by the actor (or waiting, for chat:accept).
    const own = await row.run(me, await target('b', row.ownWaits ? undefined : me, me));
    const expectedOwn = row.own?.(role);
    if (expectedOwn !== undefined) expect(own).toBe(expectedOwn);
    else expect(own).not.toBe(stranger);

    // Another line's conversation, held by its own operator.
    const foreign = await target('a', opA, opA);
    const before = await snapshot(foreign.conversationId);
    const foreignAnswer = await row.run(me, foreign);
    // The same line's conversation held by a colleague: what a stranger's answers now.
    const colleagues = await row.run(me, await target('b', opB2, opB2));
    if (role === 'admin') {
      // Admins belong to every line: another line is no different from their own.
      expect(foreignAnswer).toBe(colleagues);
    } else {
      expect(foreignAnswer).toBe(stranger);
      if (role === 'operator') expect(foreignAnswer).toBe(colleagues);
      expect(await snapshot(foreign.conversationId)).toEqual(before);
    }

    // Taken through overflow: once the actor holds a conversation of line c (lines-core
    // stores `servedLine`, the actor's line that took it), it answers as the own line's.
    if (!row.ownWaits) {
      const taken = await target('c', me, me);
      await t.app.redis.hsetnx(t.app.keys.conversation(taken.conversationId), 'servedLine', 'b');
      expect(await row.run(me, taken)).toBe(own);
    }

    // Waiting: on line c (closed, overflowing to b) it answers as one waiting on b does;
    // waiting on a (no overflow to b) it answers as a stranger's.
    const waitingOwn = await row.run(me, await target('b', undefined, me));
    const overflowed = await row.run(me, await target('c', undefined, me));
    expect(overflowed).toBe(waitingOwn);
    const waitingForeign = await target('a', undefined, opA);
    const beforeWaiting = await snapshot(waitingForeign.conversationId);
    const waitingForeignAnswer = await row.run(me, waitingForeign);
    if (role === 'admin') expect(waitingForeignAnswer).toBe(waitingOwn);
    else {
      expect(waitingForeignAnswer).toBe(stranger);
      expect(await snapshot(waitingForeign.conversationId)).toEqual(beforeWaiting);
    }
  });
});

describe('lines: who hears, who is listed, who can be handed a conversation', () => {
  it('sends supervisor:alert and report:status only to the supervisors whose lines reach the conversation', async () => {
    const supA = await account('supervisor', ['a']);
    const alertsA = collect<{ conversationId?: string }>(supA.s, 'supervisor:alert');
    const alertsB = collect<{ conversationId?: string }>(actors.supervisor.s, 'supervisor:alert');
    const alertsAdmin = collect<{ conversationId?: string }>(actors.admin.s, 'supervisor:alert');
    const statusA = collect<{ reportId: string }>(supA.s, 'report:status');
    const statusB = collect<{ reportId: string }>(actors.supervisor.s, 'report:status');

    const onA = await conversation('a', opA);
    const onB = await conversation('b', opB2);
    const overflowing = await conversation('c');
    for (const id of [onA, onB, overflowing]) {
      t.app.supervision.alert({ kind: 'acute-danger', conversationId: id, at: new Date().toISOString() });
    }
    await waitFor(() => alertsAdmin.length >= 3);
    // One more alert to line b, so that anything misrouted before it has arrived too.
    const marker = await conversation('b', opB2);
    t.app.supervision.alert({ kind: 'acute-danger', conversationId: marker, at: new Date().toISOString() });
    await waitFor(() => alertsB.some((a) => a.conversationId === marker));
    expect(alertsA.map((a) => a.conversationId)).toEqual([onA]);
    expect(alertsB.map((a) => a.conversationId)).toEqual([onB, overflowing, marker]);
    expect(alertsAdmin.map((a) => a.conversationId).sort()).toEqual([onA, onB, overflowing, marker].sort());

    // A retried report's new status goes to its line's supervisors only.
    const reportA = await report(onA, opA);
    expect(await rest(opA, 'POST', `/api/reports/${reportA}/retry`)).toBe('200');
    const reportB = await report(onB, opB2);
    expect(await rest(opB2, 'POST', `/api/reports/${reportB}/retry`)).toBe('200');
    await waitFor(
      () => statusB.some((s) => s.reportId === reportB) && statusA.some((s) => s.reportId === reportA),
    );
    expect(statusA.every((s) => s.reportId === reportA)).toBe(true);
    expect(statusB.every((s) => s.reportId === reportB)).toBe(true);
  });

  it('lists in the overview, the reports and the colleagues only what the caller’s lines reach', async () => {
    const onA = await conversation('a', opA);
    const onB = await conversation('b', opB2);
    const reportA = await report(onA, opA);
    const reportB = await report(onB, opB2);
    const overview = async (who: Actor) => {
      const res = await fetch(`${t.url}/api/supervisor/overview`, { headers: { cookie: who.cookie } });
      const body = (await res.json()) as {
        conversations: { conversationId: string }[];
        operators: { id: string }[];
      };
      return {
        conversations: body.conversations.map((c) => c.conversationId),
        operators: body.operators.map((o) => o.id),
      };
    };
    const sup = await overview(actors.supervisor);
    expect(sup.conversations).toContain(onB);
    expect(sup.conversations).not.toContain(onA);
    expect(sup.operators).toContain(opB2.id);
    expect(sup.operators).not.toContain(opA.id);
    const admin = await overview(actors.admin);
    expect(admin.conversations).toEqual(expect.arrayContaining([onA, onB]));
    expect(admin.operators).toEqual(expect.arrayContaining([opA.id, opB2.id]));

    const recent = async (who: Actor) => {
      const res = await fetch(`${t.url}/api/reports?limit=100`, { headers: { cookie: who.cookie } });
      return ((await res.json()) as { reports: { reportId: string }[] }).reports.map((r) => r.reportId);
    };
    expect(await recent(actors.supervisor)).toContain(reportB);
    expect(await recent(actors.supervisor)).not.toContain(reportA);
    expect(await recent(actors.admin)).toEqual(expect.arrayContaining([reportA, reportB]));

    // The audit entries about a conversation carry its line, for the audit reader's filter.
    const entries = await auditEntries(t);
    expect(entries.find((e) => e.action === 'accept' && e.conversation === onA)?.line).toBe('a');
    expect(entries.find((e) => e.action === 'accept' && e.conversation === onB)?.line).toBe('b');

    const res = await fetch(`${t.url}/api/colleagues`, { headers: { cookie: actors.operator.cookie } });
    const colleagues = ((await res.json()) as { colleagues: { id: string }[] }).colleagues.map((c) => c.id);
    expect(colleagues).toContain(opB2.id);
    expect(colleagues).not.toContain(opA.id);
  });

  it('refuses to hand a conversation to a colleague whose lines cannot reach it, as an unknown colleague', async () => {
    const me = actors.operator;
    const offline = 'not_found/operator_offline';
    const transfer = await conversation('b', me);
    expect(await ev(me, 'chat:transfer', { conversationId: transfer, to: { operatorId: opA.id } })).toBe(
      offline,
    );
    expect(
      await ev(me, 'chat:transfer', { conversationId: transfer, to: { operatorId: randomUUID() } }),
    ).toBe(offline);
    expect(await t.app.redis.hget(t.app.keys.conversation(transfer), 'operatorId')).toBe(me.id);

    const waiting = await conversation('b');
    const reassign = { conversationId: waiting, to: { operatorId: opA.id } };
    expect(await ev(actors.supervisor, 'supervisor:reassign', reassign)).toBe(offline);
    expect(await ev(actors.admin, 'supervisor:reassign', reassign)).toBe(offline);
    expect(
      await ev(actors.supervisor, 'supervisor:reassign', { ...reassign, to: { operatorId: opB2.id } }),
    ).toBe('ok');

    expect(await ev(me, 'operator:handover', { to: { operatorId: opA.id } })).toBe(offline);
    expect(await t.app.redis.hget(t.app.keys.conversation(transfer), 'operatorId')).toBe(me.id);
    expect(await ev(me, 'operator:handover', { to: { operatorId: opB2.id } })).toBe('ok');
    expect(await t.app.redis.hget(t.app.keys.conversation(transfer), 'operatorId')).toBe(opB2.id);
  });

  it('refuses messages to a conversation moved to another line as a stranger’s, though the socket reached it before', async () => {
    const me = actors.operator;
    const moved = await conversation('b', me);
    const say = (conversationId: string, clientMessageId: string) =>
      ev(me, 'chat:message', { conversationId, clientMessageId, text: 'Ik ben er nog' });
    // The socket remembers that its lines reach `moved` (no line read per message).
    expect(await say(moved, randomUUID())).toBe('ok');
    expect(await ev(me, 'chat:typing', { conversationId: moved, typing: true })).toBe('ok');
    expect(await ev(me, 'chat:transfer', { conversationId: moved, to: { queue: true, line: 'a' } })).toBe(
      'ok',
    );
    const stored = await t.app.redis.xlen(t.app.keys.messages(moved));

    const foreign = await conversation('a', opA);
    const stranger = await say(foreign, randomUUID());
    expect(stranger).not.toBe('ok');
    expect(await say(moved, randomUUID())).toBe(stranger);
    expect(await ev(me, 'chat:typing', { conversationId: moved, typing: false })).toBe(
      await ev(me, 'chat:typing', { conversationId: foreign, typing: false }),
    );
    expect(await t.app.redis.xlen(t.app.keys.messages(moved))).toBe(stored);
  });

  it('lists and lifts only the blocks of the caller’s lines', async () => {
    const supA = await account('supervisor', ['a']);
    const onA = await conversation('a', opA);
    const onB = await conversation('b', opB2);
    expect(await ev(opA, 'chat:block', { conversationId: onA })).toBe('ok');
    expect(await ev(opB2, 'chat:block', { conversationId: onB })).toBe('ok');
    const blockOf = async (id: string) =>
      (await t.app.redis.hget(t.app.keys.conversation(id), 'blockId')) ?? '';
    const [blockA, blockB] = [await blockOf(onA), await blockOf(onB)];
    const blocks = async (who: Actor) => {
      const res = await fetch(`${t.url}/api/blocks`, { headers: { cookie: who.cookie } });
      return ((await res.json()) as { blocks: { blockId: string }[] }).blocks.map((b) => b.blockId);
    };
    expect(await blocks(actors.supervisor)).toContain(blockB);
    expect(await blocks(actors.supervisor)).not.toContain(blockA);
    expect(await blocks(supA)).toContain(blockA);
    expect(await blocks(supA)).not.toContain(blockB);
    expect(await blocks(actors.admin)).toEqual(expect.arrayContaining([blockA, blockB]));
    // Lifting another line's block answers as an unknown block, and lifts nothing.
    expect(await rest(actors.supervisor, 'DELETE', `/api/blocks/${blockA}`)).toBe('404 not_found/-');
    expect(await rest(actors.supervisor, 'DELETE', `/api/blocks/${randomUUID()}`)).toBe('404 not_found/-');
    expect(await blocks(supA)).toContain(blockA);
    expect(await rest(supA, 'DELETE', `/api/blocks/${blockA}`)).toBe('200');
    expect(await blocks(actors.admin)).not.toContain(blockA);
  });
});
