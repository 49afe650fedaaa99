/**
 * A read-along follows the conversation's reach, not the moment it began (insider review
 * F3), and a supervisor's reassign is audited as the supervisor's (F6). Against the
 * suite's real Redis and Socket.IO. The adversary: a supervisor of one line who keeps a
 * read-along open while the conversation is handed to another line's queue, and would go
 * on reading that line's messages, notes, checklist and acute location.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOOK_BUDGET_PER_HOUR } from '../../server/src/audit/index.ts';
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
import { writeLinesFile } from '../support/lines-file.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Assigned = { conversation: { conversationId: string } };
type Monitored = { conversationId: string; supervisorName: string; watching: boolean };
type WithId = { conversationId: string };
type Updated = { conversation: { conversationId: string; acute?: { location?: string } } };

const LOCATION = 'Kerkstraat 12, achterkamer';
const line = (id: string) => ({
  id,
  name: `Lijn ${id}`,
  languages: ['nl', 'en'],
  hours: '24/7',
  embedOrigins: [],
});
const LINES = [line('utrecht'), line('landelijk')];

const sockets: { disconnect(): unknown }[] = [];
const track = <S extends { disconnect(): unknown }>(s: S) => {
  sockets.push(s);
  return s;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

/** A signed-in console on `t` of a new account; available for routing unless told otherwise (never a supervisor). */
async function consoleOf(
  t: TestApp,
  opts: { lines: string[]; role?: 'operator' | 'supervisor'; name: string; available?: boolean },
) {
  const account = await createOperator(t, {
    lines: opts.lines,
    displayName: opts.name,
    ...(opts.role ? { role: opts.role } : {}),
  });
  let ready: Promise<unknown> = Promise.resolve();
  const s: OperatorSocket = track(
    await connectOperator(t.url, account.cookie, {
      before: (sock) => {
        ready = nextEvent(sock, 'operator:state');
      },
    }),
  );
  await ready;
  const assigned = collect<Assigned>(s, 'chat:assigned');
  if (opts.available !== false && opts.role !== 'supervisor')
    await emitAck(s, 'operator:status', { status: 'available' });
  return { account, s, assigned };
}

/** What a console heard about conversation `id`, by event. */
function heard(s: OperatorSocket) {
  const messages = collect<WithId & { text: string }>(s, 'monitor:message');
  const updated = collect<Updated>(s, 'chat:updated');
  const notes = collect<WithId>(s, 'chat:note');
  const monitored = collect<Monitored>(s, 'chat:monitored');
  return {
    messages: (id: string) => messages.filter((m) => m.conversationId === id),
    updated: (id: string) => updated.filter((u) => u.conversation.conversationId === id),
    notes: (id: string) => notes.filter((n) => n.conversationId === id),
    monitored: (id: string) => monitored.filter((m) => m.conversationId === id),
  };
}

/** A conversation on line `utrecht`, taken by `holder` (its only available operator). */
async function heldOnUtrecht(t: TestApp, holder: { assigned: Assigned[] }) {
  const v = track(await connectVisitor(t.url));
  const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', line: 'utrecht' });
  const id = String(ack.conversationId);
  await waitFor(() => holder.assigned.some((a) => a.conversation.conversationId === id));
  return { v, id };
}

const watchersOf = async (t: TestApp, id: string) =>
  Number((await t.app.redis.hget(t.app.keys.conversation(id), 'watchers')) ?? 0);

describe('a read-along when its conversation moves to another line', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LINES_FILE: writeLinesFile(LINES) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends for a supervisor whose lines no longer reach it, goes on for one whose lines do, and the new holder is told who reads along', async () => {
    const holder = await consoleOf(t, { lines: ['utrecht'], name: 'Hanna' });
    const { v, id } = await heldOnUtrecht(t, holder);
    const sanne = await consoleOf(t, { lines: ['utrecht'], role: 'supervisor', name: 'Sanne' });
    const wim = await consoleOf(t, { lines: ['utrecht', 'landelijk'], role: 'supervisor', name: 'Wim' });
    for (const sup of [sanne, wim])
      expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    expect(await watchersOf(t, id)).toBe(2);
    const bySanne = heard(sanne.s);
    const byWim = heard(wim.s);

    // The national operator is not available: they take it by hand.
    const national = await consoleOf(t, { lines: ['landelijk'], name: 'Noor', available: false });
    const toNational = heard(national.s);
    const moved = await emitAck<AnyAck>(holder.s, 'chat:transfer', {
      conversationId: id,
      to: { queue: true, line: 'landelijk' },
    });
    expect(moved.ok).toBe(true);
    expect((await emitAck<AnyAck>(national.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    const said = await emitAck<AnyAck>(national.s, 'chat:message', {
      conversationId: id,
      clientMessageId: 'n1',
      text: 'Ik ben Noor van de landelijke lijn',
    });
    expect(said.ok).toBe(true);
    expect(
      (await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: 'ik ben thuis' })).ok,
    ).toBe(true);
    expect(
      (await emitAck<AnyAck>(national.s, 'chat:note', { conversationId: id, text: 'landelijk' })).ok,
    ).toBe(true);
    const acute = await emitAck<AnyAck>(national.s, 'chat:acute', { conversationId: id, location: LOCATION });
    expect(acute.ok).toBe(true);

    // The supervisor of both lines reads on: all of it reached them...
    await waitFor(
      () =>
        byWim.messages(id).length === 2 &&
        byWim.notes(id).length === 1 &&
        byWim.updated(id).some((u) => u.conversation.acute?.location === LOCATION),
    );
    await new Promise((r) => setTimeout(r, 100));
    // ...and none of it the supervisor of utrecht only, whose console heard the read-along end.
    expect(bySanne.messages(id)).toEqual([]);
    expect(bySanne.notes(id)).toEqual([]);
    expect(bySanne.updated(id)).toEqual([]);
    expect(bySanne.monitored(id)).toEqual([{ conversationId: id, supervisorName: 'Sanne', watching: false }]);
    // The national operator knows Wim reads along, and has never heard of Sanne.
    expect(toNational.monitored(id)).toEqual([{ conversationId: id, supervisorName: 'Wim', watching: true }]);
    // The count and the audit follow: one watcher left, Sanne's read-along ended.
    expect(await watchersOf(t, id)).toBe(1);
    const audit = await t.app.redis.xrange(t.app.keys.audit, '-', '+');
    expect(
      audit.some(([, kv]) =>
        kv.join(' ').includes(`action unmonitor actor ${sanne.account.id} conversation ${id}`),
      ),
    ).toBe(true);
    // Sanne's own stop later gives up nothing twice.
    expect((await emitAck<AnyAck>(sanne.s, 'supervisor:unmonitor', { conversationId: id })).ok).toBe(true);
    expect(await watchersOf(t, id)).toBe(1);
    await t.app.lifecycle.end(id, 'operator');
  });

  it('ends every such read-along even when the bookkeeping of the first fails', async () => {
    const holder = await consoleOf(t, { lines: ['utrecht'], name: 'Hanna' });
    const { v, id } = await heldOnUtrecht(t, holder);
    const sanne = await consoleOf(t, { lines: ['utrecht'], role: 'supervisor', name: 'Sanne' });
    const sem = await consoleOf(t, { lines: ['utrecht'], role: 'supervisor', name: 'Sem' });
    for (const sup of [sanne, sem])
      expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    const bySanne = heard(sanne.s);
    const bySem = heard(sem.s);
    // Redis fails the first uncounting (a failover, say); the second goes through.
    const addWatcher = t.app.store.addWatcher.bind(t.app.store);
    let failed = false;
    t.app.store.addWatcher = async (conversationId, delta) => {
      if (!failed && delta < 0) {
        failed = true;
        throw new Error('READONLY You cannot write against a read only replica.');
      }
      return addWatcher(conversationId, delta);
    };
    try {
      // One move only: a later one would re-check, and end, whoever the first left behind.
      const moved = await emitAck<AnyAck>(holder.s, 'chat:transfer', {
        conversationId: id,
        to: { queue: true, line: 'landelijk' },
      });
      expect(moved.ok).toBe(true);
      expect(
        (await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: 'ik ben thuis' })).ok,
      ).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(failed).toBe(true);
      for (const [who, by] of [
        ['Sanne', bySanne],
        ['Sem', bySem],
      ] as const) {
        expect(by.monitored(id)).toEqual([{ conversationId: id, supervisorName: who, watching: false }]);
        expect(by.messages(id)).toEqual([]);
      }
    } finally {
      t.app.store.addWatcher = addWatcher;
    }
    await t.app.lifecycle.end(id, 'operator');
  });

  it('a read-along begun while the conversation waits is told to the operator it is then assigned to', async () => {
    const v = track(await connectVisitor(t.url));
    const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', line: 'utrecht' });
    const id = String(ack.conversationId);
    const sup = await consoleOf(t, {
      lines: ['utrecht'],
      role: 'supervisor',
      name: 'Sara',
      available: false,
    });
    expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    const op = await consoleOf(t, { lines: ['utrecht'], name: 'Olga', available: false });
    const toOp = heard(op.s);
    expect((await emitAck<AnyAck>(op.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    await waitFor(() => toOp.monitored(id).length > 0);
    expect(toOp.monitored(id)).toEqual([{ conversationId: id, supervisorName: 'Sara', watching: true }]);
    await t.app.lifecycle.end(id, 'operator');
  });
});

describe('a read-along on one server instance when the conversation moves on another', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const a of apps.splice(0)) await a.close();
  });

  it('ends on the instance that holds the supervisor’s socket', async () => {
    const file = writeLinesFile(LINES);
    const a = await startTestApp({ LINES_FILE: file });
    apps.push(a);
    const b = await startTestApp({ LINES_FILE: file, REDIS_PREFIX: a.config.redisPrefix });
    apps.push(b);
    const holder = await consoleOf(b, { lines: ['utrecht'], name: 'Hanna' });
    const { id } = await heldOnUtrecht(b, holder);
    const sanne = await consoleOf(a, {
      lines: ['utrecht'],
      role: 'supervisor',
      name: 'Sanne',
      available: false,
    });
    expect((await emitAck<AnyAck>(sanne.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    const bySanne = heard(sanne.s);

    const national = await consoleOf(b, { lines: ['landelijk'], name: 'Noor', available: false });
    const moved = await emitAck<AnyAck>(holder.s, 'chat:transfer', {
      conversationId: id,
      to: { queue: true, line: 'landelijk' },
    });
    expect(moved.ok).toBe(true);
    // Ended on instance A before the move's answer on instance B.
    expect(bySanne.monitored(id)).toEqual([{ conversationId: id, supervisorName: 'Sanne', watching: false }]);
    expect(await watchersOf(a, id)).toBe(0);
    expect((await emitAck<AnyAck>(national.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    const said = await emitAck<AnyAck>(national.s, 'chat:message', {
      conversationId: id,
      clientMessageId: 'n1',
      text: 'landelijk',
    });
    expect(said.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(bySanne.messages(id)).toEqual([]);
    // Her stop on instance A gives up nothing twice.
    expect((await emitAck<AnyAck>(sanne.s, 'supervisor:unmonitor', { conversationId: id })).ok).toBe(true);
    expect(await watchersOf(a, id)).toBe(0);
    // Every re-check was made and answered.
    const trouble = /re-check|move listener/;
    expect([...a.logs, ...b.logs].filter((l) => trouble.test(l))).toEqual([]);
    await b.app.lifecycle.end(id, 'operator');
  });
});

describe('supervisor:reassign in the audit stream', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LINES_FILE: writeLinesFile(LINES) });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The audit entries about conversation `id` written since `from` (a stream id), as field maps. */
  async function entriesAbout(id: string, from = '-') {
    const rows = await t.app.redis.xrange(t.app.keys.audit, from, '+');
    return rows
      .map(([streamId, kv]) => {
        const f: Record<string, string> = { streamId };
        for (let i = 0; i + 1 < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
        return f;
      })
      .filter((f) => f.conversation === id && f.streamId !== from);
  }
  const MOVES = new Set(['transfer', 'transfer-queue', 'reassign', 'accept']);
  const lastId = async () =>
    (await t.app.redis.xrevrange(t.app.keys.audit, '+', '-', 'COUNT', 1))[0]?.[0] ?? '-';

  it('writes exactly one entry per move, the supervisor’s, to a colleague and back to the queue', async () => {
    const olga = await consoleOf(t, { lines: ['utrecht'], name: 'Olga' });
    const { id } = await heldOnUtrecht(t, olga);
    const piet = await consoleOf(t, { lines: ['utrecht'], name: 'Piet', available: false });
    const sup = await consoleOf(t, {
      lines: ['utrecht'],
      role: 'supervisor',
      name: 'Roos',
      available: false,
    });

    let before = await lastId();
    const toPiet = nextEvent<Assigned>(piet.s, 'chat:assigned');
    const reassigned = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { operatorId: piet.account.id },
    });
    expect(reassigned.ok).toBe(true);
    await toPiet;
    expect((await t.app.store.get(id)).operatorId).toBe(piet.account.id);
    const toColleague = (await entriesAbout(id, before)).filter((e) => MOVES.has(e.action!));
    expect(toColleague.map((e) => [e.action, e.actor])).toEqual([['reassign', sup.account.id]]);

    // Olga is no longer available to take it back: nobody routes it at once.
    await emitAck(olga.s, 'operator:status', { status: 'break' });
    before = await lastId();
    const toQueue = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { queue: true },
    });
    expect(toQueue.ok).toBe(true);
    expect((await t.app.store.get(id)).state).toBe('waiting');
    const backToQueue = (await entriesAbout(id, before)).filter((e) => MOVES.has(e.action!));
    expect(backToQueue.map((e) => [e.action, e.actor])).toEqual([['reassign', sup.account.id]]);
    await t.app.lifecycle.end(id, 'operator');
  });

  it('counts a reassign to oneself as a look at the content: recorded, and refused past the look budget', async () => {
    const olga = await consoleOf(t, { lines: ['utrecht'], name: 'Olga' });
    const { id } = await heldOnUtrecht(t, olga);
    await emitAck(olga.s, 'operator:status', { status: 'break' });
    const sup = await consoleOf(t, {
      lines: ['utrecht'],
      role: 'supervisor',
      name: 'Roos',
      available: false,
    });

    // Past the budget: refused, and the conversation stays where it was.
    const looks = t.app.keys.auditLooks(sup.account.id);
    await t.app.redis.set(looks, String(LOOK_BUDGET_PER_HOUR), 'PX', 60_000);
    const refused = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { operatorId: sup.account.id },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect((await t.app.store.get(id)).operatorId).toBe(olga.account.id);

    // Within it: the look is recorded before the move, and the move is the supervisor's.
    await t.app.redis.del(looks);
    const before = await lastId();
    const toSelf = nextEvent<Assigned>(sup.s, 'chat:assigned');
    const taken = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { operatorId: sup.account.id },
    });
    expect(taken.ok).toBe(true);
    await toSelf;
    const after = (await entriesAbout(id, before)).filter((e) => e.action === 'read' || MOVES.has(e.action!));
    expect(after.map((e) => [e.action, e.actor])).toEqual([
      ['read', sup.account.id],
      ['reassign', sup.account.id],
    ]);
    expect(Number(await t.app.redis.get(looks))).toBe(1);
    await t.app.lifecycle.end(id, 'operator');
  });
});
