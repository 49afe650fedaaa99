/**
 * A move cut after its script: during a Redis failover the main connection fails commands
 * within a few hundred ms, so what follows a committed transfer or accept (its audit entry,
 * the new holder's `chat:assigned`, the load display) can fail while the move stands. The
 * console retries with the same payload (PROTOCOL.md: idempotent retries), and its socket
 * stays up, so no reconnect resends anything. The retry is answered as it always was (the
 * move is no longer to be made: `not_holder`, `not_active`, `not_waiting`), but within a
 * short window after the move it first does what the first attempt left undone, once. One
 * of our own steps fails once here, against the real Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../server/src/audit/index.ts';
import {
  collect,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { appPerTest, auditEntries, auditedOn, redisCut } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Assigned = { conversation: { conversationId: string; operatorId?: string } };

const h = appPerTest();

const app = () => h.t.app;

const operator = () => h.operator();

/** Longer than the window within which the same move asked again is taken for a retry. */
const PAST_THE_WINDOW_MS = 120_000;

const notHolder = { ok: false, error: { code: 'forbidden', reason: 'not_holder' } };
const notActive = { ok: false, error: { code: 'conflict', reason: 'not_active' } };
const notWaiting = { ok: false, error: { code: 'conflict', reason: 'not_waiting' } };

async function waiting(): Promise<{ v: VisitorSocket; id: string }> {
  const v = await h.visitor();
  const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
  expect(ack.ok).toBe(true);
  return { v, id: String(ack.conversationId) };
}

const audited = (target: string) => auditedOn(h.t, target);

/** `chat:transfer` of a conversation to a colleague, without a note: its ack. */
const transferTo = (s: OperatorSocket, conversationId: string, operatorId: string) =>
  emitAck<AnyAck>(s, 'chat:transfer', { conversationId, to: { operatorId } });

/** The audit entries about one conversation as `action:actor`, oldest first. */
async function auditedWithActor(target: string): Promise<string[]> {
  return (await auditEntries(h.t))
    .filter((e) => e.conversation === target)
    .map((e) => `${e.action}:${e.actor}`);
}

/** The conversation's move happened PAST_THE_WINDOW_MS ago (the time that names it is set back). */
async function movedLongAgo(id: string, field: 'assignedAt' | 'movedAt' = 'assignedAt'): Promise<void> {
  const key = app().keys.conversation(id);
  const at = Number(await app().redis.hget(key, field));
  expect(at).toBeGreaterThan(0);
  await app().redis.hset(key, field, String(at - PAST_THE_WINDOW_MS));
}

/** An operator holding a conversation they accepted, its visitor's notice of it received. */
async function held() {
  const anna = await operator();
  const { v, id } = await waiting();
  const told = nextEvent(v, 'chat:assigned');
  expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
  await told;
  return { anna, v, id };
}

describe('a transfer cut after its script', () => {
  it('to a colleague: the retry still answers not_holder, but the colleague gets chat:assigned, audited and told once', async () => {
    await h.start();
    const { anna, v, id } = await held();
    const bram = await operator();
    const bramGot = collect<Assigned>(bram.s, 'chat:assigned');
    const visitorTold = collect(v, 'chat:assigned');
    const payload = { conversationId: id, to: { operatorId: bram.acct.id }, note: 'Belt liever niet' };

    vi.spyOn(app().router, 'sendAssigned').mockRejectedValueOnce(redisCut());
    expect((await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).ok).toBe(false);
    expect((await app().store.get(id)).operatorId).toBe(bram.acct.id);
    expect(bramGot).toHaveLength(0);
    // The console's retry, and one more after everything was done: answered as they always were.
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).toMatchObject(notHolder);
    await waitFor(() => bramGot.some((a) => a.conversation.conversationId === id));
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).toMatchObject(notHolder);

    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect((await audited(id)).filter((a) => a !== 'accept')).toEqual(['note', 'transfer']);
    expect(await app().store.notes(id)).toHaveLength(1);
  });

  it('to a colleague: one who never held it still gets not_holder', async () => {
    await h.start();
    const { anna, id } = await held();
    const bram = await operator();
    const cleo = await operator();
    expect((await transferTo(anna.s, id, bram.acct.id)).ok).toBe(true);
    expect(await transferTo(cleo.s, id, bram.acct.id)).toMatchObject(notHolder);
    expect((await audited(id)).filter((a) => a === 'transfer')).toHaveLength(1);
  });

  it('to the queue: the retry still answers not_active, but the holder is let go, audited once', async () => {
    await h.start();
    const { anna, id } = await held();
    const unassigned = collect<{ conversationId: string }>(anna.s, 'chat:unassigned');
    const payload = { conversationId: id, to: { queue: true } };

    vi.spyOn(app().router, 'pushOperatorState').mockRejectedValueOnce(redisCut());
    expect((await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).ok).toBe(false);
    expect((await app().store.get(id)).state).toBe('waiting');
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).toMatchObject(notActive);

    await waitFor(() => unassigned.some((u) => u.conversationId === id));
    expect((await audited(id)).filter((a) => a === 'transfer-queue')).toHaveLength(1);
  });

  it('asked again past the window: not_holder, and no second entry nor notice', async () => {
    await h.start();
    const { anna, v, id } = await held();
    const bram = await operator();
    const visitorTold = collect(v, 'chat:assigned');
    const payload = { conversationId: id, to: { operatorId: bram.acct.id } };
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).toEqual({ ok: true });
    await waitFor(() => visitorTold.length > 0);

    await movedLongAgo(id);
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', payload)).toMatchObject(notHolder);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect((await audited(id)).filter((a) => a === 'transfer')).toHaveLength(1);
  });

  it('asked again with another note: not a retry, refused as before and nothing audited', async () => {
    await h.start();
    const { anna, id } = await held();
    const bram = await operator();
    const to = { operatorId: bram.acct.id };
    expect(
      await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to, note: 'Eerste' }),
    ).toEqual({
      ok: true,
    });
    expect(
      await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to, note: 'Tweede' }),
    ).toMatchObject(notHolder);
    expect(await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to })).toMatchObject(
      notHolder,
    );
    expect((await audited(id)).filter((a) => a !== 'accept')).toEqual(['note', 'transfer']);
    expect((await app().store.notes(id)).map((n) => n.text)).toEqual(['Eerste']);
  });

  it("after a supervisor's reassign, the former holder's own transfer is no retry and is not audited", async () => {
    await h.start();
    const { anna, id } = await held();
    const bram = await operator();
    const sup = await h.operator('supervisor');
    expect(
      await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
        conversationId: id,
        to: { operatorId: bram.acct.id },
      }),
    ).toEqual({ ok: true });
    expect(await transferTo(anna.s, id, bram.acct.id)).toMatchObject(notHolder);

    // Back to Anna, then put in the queue by the supervisor.
    expect(
      await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
        conversationId: id,
        to: { operatorId: anna.acct.id },
      }),
    ).toEqual({ ok: true });
    expect(
      await emitAck<AnyAck>(sup.s, 'supervisor:reassign', { conversationId: id, to: { queue: true } }),
    ).toEqual({
      ok: true,
    });
    expect(
      await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to: { queue: true } }),
    ).toMatchObject(notActive);
    expect(await auditedWithActor(id)).toEqual([
      `accept:${anna.acct.id}`,
      `reassign:${sup.acct.id}`,
      `reassign:${sup.acct.id}`,
      `reassign:${sup.acct.id}`,
    ]);
  });
});

describe('an accept cut after its script', () => {
  it('the retry still answers not_waiting, but the operator gets chat:assigned, audited and told once', async () => {
    await h.start();
    const anna = await operator();
    const annaGot = collect<Assigned>(anna.s, 'chat:assigned');
    const { v, id } = await waiting();
    const visitorTold = collect(v, 'chat:assigned');

    vi.spyOn(app().router, 'pushOperatorState').mockRejectedValueOnce(redisCut());
    expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).ok).toBe(false);
    expect(annaGot).toHaveLength(0);
    expect(await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).toMatchObject(notWaiting);
    // Sent again by the retry (and by the job the first attempt queued, in any order).
    await waitFor(() => annaGot.some((a) => a.conversation.conversationId === id));
    expect(annaGot.map((a) => a.conversation)).toContainEqual(
      expect.objectContaining({ conversationId: id, operatorId: anna.acct.id }),
    );
    await waitFor(() => visitorTold.length > 0);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect(await audited(id)).toEqual(['accept']);
  });

  it('asked again two minutes later: not_waiting, no second entry nor notice', async () => {
    await h.start();
    const { anna, v, id } = await held();
    const visitorTold = collect(v, 'chat:assigned');
    await movedLongAgo(id);
    expect(await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).toMatchObject(notWaiting);
    await sleep(300);
    expect(visitorTold).toHaveLength(0);
    expect(await audited(id)).toEqual(['accept']);
  });

  it('a colleague who holds it by routing or transfer still gets not_waiting from an accept', async () => {
    await h.start();
    const { anna, id } = await held();
    const bram = await operator();
    expect(await emitAck<AnyAck>(bram.s, 'chat:accept', { conversationId: id })).toMatchObject(notWaiting);
    expect((await transferTo(anna.s, id, bram.acct.id)).ok).toBe(true);
    // Bram holds it now, but did not accept it: nothing to answer as a retry.
    expect(await emitAck<AnyAck>(bram.s, 'chat:accept', { conversationId: id })).toMatchObject(notWaiting);
  });

  it("one a supervisor gave them: not_waiting, and no accept entry in the operator's name", async () => {
    await h.start();
    const bram = await operator();
    const sup = await h.operator('supervisor');
    const { v, id } = await waiting();
    const visitorTold = collect(v, 'chat:assigned');
    expect(
      await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
        conversationId: id,
        to: { operatorId: bram.acct.id },
      }),
    ).toEqual({ ok: true });
    await waitFor(() => visitorTold.length > 0);
    expect(await emitAck<AnyAck>(bram.s, 'chat:accept', { conversationId: id })).toMatchObject(notWaiting);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect(await auditedWithActor(id)).toEqual([`reassign:${sup.acct.id}`]);
  });
});

describe('a routing pass whose notice failed', () => {
  it('the operator still gets chat:assigned, without any action of theirs', async () => {
    await h.start();
    const anna = await operator();
    expect((await emitAck<AnyAck>(anna.s, 'operator:status', { status: 'available' })).ok).toBe(true);
    vi.spyOn(app().router, 'sendAssigned').mockRejectedValueOnce(redisCut());
    const assigned = nextEvent<Assigned>(anna.s, 'chat:assigned', { ms: 8000 });
    const { id } = await waiting();
    expect((await assigned).conversation).toMatchObject({ conversationId: id, operatorId: anna.acct.id });
  });
});

describe('a handover with one conversation cut after its move', () => {
  it('moves the others, tells the colleague of every one, and says it did not all go well', async () => {
    await h.start();
    const { anna, id: first } = await held();
    const { id: second } = await waiting();
    expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: second })).ok).toBe(true);
    const bram = await operator();
    const bramGot = collect<Assigned>(bram.s, 'chat:assigned');

    vi.spyOn(app().router, 'sendAssigned').mockRejectedValueOnce(redisCut());
    const ack = await emitAck<AnyAck>(anna.s, 'operator:handover', { to: { operatorId: bram.acct.id } });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect((await app().store.get(first)).operatorId).toBe(bram.acct.id);
    expect((await app().store.get(second)).operatorId).toBe(bram.acct.id);
    await waitFor(() =>
      [first, second].every((id) => bramGot.some((a) => a.conversation.conversationId === id)),
    );
    // The console's retry: nothing is left to move.
    expect(
      await emitAck<AnyAck>(anna.s, 'operator:handover', { to: { operatorId: bram.acct.id } }),
    ).toMatchObject({ ok: true, moved: 0 });
  });
});

/**
 * When the step cut is the move's own audit entry, or its caller is a hand-over or a
 * supervisor (whose retry is no retry of the move: the conversation is no longer theirs to
 * move), nobody asks again: the job that tells the new holder writes what is owed, once,
 * and tells the visitor with it.
 */
describe('a move whose entries its own call could not write', () => {
  /** The first audit write of `action` fails (a failover), whoever writes it. */
  function cutFirstEntry(action: string) {
    let cut = false;
    const real = AuditLog.prototype.recordOncePer;
    vi.spyOn(AuditLog.prototype, 'recordOncePer').mockImplementation(function (
      this: AuditLog,
      ...args: Parameters<AuditLog['recordOncePer']>
    ) {
      if (!cut && args[1] === action) {
        cut = true;
        return Promise.reject(redisCut());
      }
      return real.apply(this, args);
    });
  }

  it('a hand-over: the job writes the note and transfer entries, and the visitor hears of it once', async () => {
    await h.start();
    const { anna, v, id } = await held();
    const bram = await operator();
    const bramGot = collect<Assigned>(bram.s, 'chat:assigned');
    const visitorTold = collect(v, 'chat:assigned');
    cutFirstEntry('note');
    const ack = await emitAck<AnyAck>(anna.s, 'operator:handover', {
      to: { operatorId: bram.acct.id },
      note: 'Belt liever niet',
    });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect((await app().store.get(id)).operatorId).toBe(bram.acct.id);

    await waitFor(async () => (await audited(id)).includes('transfer'));
    await waitFor(() => visitorTold.length > 0 && bramGot.length > 0);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect(await auditedWithActor(id)).toEqual([
      `accept:${anna.acct.id}`,
      `note:${anna.acct.id}`,
      `transfer:${anna.acct.id}`,
    ]);
  });

  it("a supervisor's assignment cut after it was made: audited once as the supervisor's reassign", async () => {
    await h.start();
    const bram = await operator();
    const sup = await h.operator('supervisor');
    const { v, id } = await waiting();
    const bramGot = collect<Assigned>(bram.s, 'chat:assigned');
    const visitorTold = collect(v, 'chat:assigned');
    vi.spyOn(app().router, 'sendAssigned').mockRejectedValueOnce(redisCut());
    const ack = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { operatorId: bram.acct.id },
    });
    expect(ack.ok).toBe(false);
    expect((await app().store.get(id)).operatorId).toBe(bram.acct.id);

    await waitFor(() => bramGot.some((a) => a.conversation.conversationId === id));
    await waitFor(async () => (await audited(id)).length > 0);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect(await auditedWithActor(id)).toEqual([`reassign:${sup.acct.id}`]);
  });

  it("a supervisor's assignment whose entry was cut: the job writes it, once", async () => {
    await h.start();
    const bram = await operator();
    const sup = await h.operator('supervisor');
    const { v, id } = await waiting();
    const visitorTold = collect(v, 'chat:assigned');
    cutFirstEntry('reassign');
    const ack = await emitAck<AnyAck>(sup.s, 'supervisor:reassign', {
      conversationId: id,
      to: { operatorId: bram.acct.id },
    });
    expect(ack.ok).toBe(false);
    await waitFor(async () => (await audited(id)).length > 0);
    await waitFor(() => visitorTold.length > 0);
    await sleep(300);
    expect(visitorTold).toHaveLength(1);
    expect(await auditedWithActor(id)).toEqual([`reassign:${sup.acct.id}`]);
  });
});
