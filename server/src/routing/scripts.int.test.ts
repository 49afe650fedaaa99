import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { endScript } from '../conversations/scripts.ts';
import { runScript } from '../redis/scripts.ts';
import { FALLBACK_SHIFT, SIGNAL_OFFSET, URGENT_OFFSET } from './score.ts';
import {
  assignScript,
  holdWaiterScript,
  moveWaitingScript,
  requeueScript,
  transferScript,
  unholdWaiterScript,
} from './scripts.ts';

const t = useLuaTest([
  assignScript,
  requeueScript,
  transferScript,
  holdWaiterScript,
  unholdWaiterScript,
  moveWaitingScript,
  endScript,
]);

const ALPHA = 0.2;
const DAY = '2026-12-06';
const T0 = 1_800_000_000_000;
/** How long after a move the same move asked again by its operator is a retry. */
const WINDOW = 60_000;

/** A waiting conversation, as start.lua leaves it, in its language's waiting set. */
async function waiting(id: string, opts: { language?: string; since?: number; urgent?: boolean } = {}) {
  const language = opts.language ?? 'nl';
  const since = opts.since ?? T0;
  await t.redis.hset(t.k.conversation(id), {
    state: 'waiting',
    language,
    urgent: opts.urgent ? '1' : '0',
    waitingSince: String(since),
    away: '',
    waitingMsgs: '2',
  });
  await t.redis.zadd(t.k.waiting('default', language), (opts.urgent ? 0 : URGENT_OFFSET) + since, id);
}

const assignKeys = (id: string, language: string, operatorId: string) => ({
  conversation: t.k.conversation(id),
  waiting: t.k.waiting('default', language),
  held: t.k.held,
  waitingAway: t.k.waitingAway,
  operatorConversations: t.k.operatorConversations(operatorId),
  active: t.k.active,
  routeOperator: t.k.routeOperator(operatorId),
  stats: t.k.stats,
  statsDay: t.k.statsDay(DAY),
  statsDayWaits: t.k.statsDayWaits(DAY),
  fallback: t.k.fallback('default'),
});

/** An accept by default; `routing` a routing pass, `supervisor` a supervisor's assignment. */
function assign(
  id: string,
  operatorId: string,
  opts: {
    language?: string;
    readLanguage?: string;
    capacity?: number;
    now?: number;
    routing?: boolean;
    supervisor?: boolean;
  } = {},
  redis: Redis = t.redis,
) {
  const language = opts.readLanguage ?? opts.language ?? 'nl';
  return runScript(redis, assignScript, assignKeys(id, language, operatorId), {
    id,
    operatorId,
    operatorName: `Name ${operatorId}`,
    capacity: opts.capacity ?? 3,
    now: opts.now ?? T0 + 60_000,
    language,
    requireAvailable: opts.routing ? 1 : 0,
    ewmaAlpha: ALPHA,
    statsTtlMs: 3 * 86_400_000,
    line: 'default',
    servedLine: '',
    firstLine: 'default',
    movedBy: opts.routing || opts.supervisor ? '' : operatorId,
    retryWindowMs: WINDOW,
  });
}

function requeue(
  id: string,
  operatorId: string,
  opts: { language?: string; note?: string; movedBy?: string; toLine?: string; now?: number } = {},
) {
  const language = opts.language ?? 'nl';
  return runScript(
    t.redis,
    requeueScript,
    {
      conversation: t.k.conversation(id),
      notes: t.k.notes(id),
      operatorConversations: t.k.operatorConversations(operatorId),
      waiting: t.k.waiting('default', language),
      active: t.k.active,
      waitingAway: t.k.waitingAway,
      fallback: t.k.fallback('default'),
    },
    {
      id,
      operatorId,
      sealedNote: opts.note ?? '',
      language,
      urgentOffset: URGENT_OFFSET,
      fallbackShift: FALLBACK_SHIFT,
      signalOffset: SIGNAL_OFFSET,
      line: 'default',
      toLine: opts.toLine ?? '',
      firstLine: 'default',
      movedBy: opts.movedBy ?? '',
      now: opts.now ?? T0 + 180_000,
      retryWindowMs: WINDOW,
    },
  );
}

/** The holder's own transfer by default; `supervisor` a supervisor's reassign. */
function transfer(
  id: string,
  from: string,
  to: string,
  opts: { capacity?: number; note?: string; now?: number; supervisor?: boolean } = {},
) {
  return runScript(
    t.redis,
    transferScript,
    {
      conversation: t.k.conversation(id),
      notes: t.k.notes(id),
      fromConversations: t.k.operatorConversations(from),
      toConversations: t.k.operatorConversations(to),
    },
    {
      id,
      fromOperatorId: from,
      toOperatorId: to,
      toName: `Name ${to}`,
      toCapacity: opts.capacity ?? 3,
      now: opts.now ?? T0 + 120_000,
      sealedNote: opts.note ?? '',
      movedBy: opts.supervisor ? '' : from,
      retryWindowMs: WINDOW,
    },
  );
}

const holdKeys = (id: string, language: string) => ({
  conversation: t.k.conversation(id),
  waiting: t.k.waiting('default', language),
  held: t.k.held,
  waitingAway: t.k.waitingAway,
  fallback: t.k.fallback('default'),
});
const hold = (id: string, language = 'nl') =>
  runScript(t.redis, holdWaiterScript, holdKeys(id, language), {
    id,
    language,
    line: 'default',
    firstLine: 'default',
  });
const unhold = (id: string, language = 'nl') =>
  runScript(t.redis, unholdWaiterScript, holdKeys(id, language), {
    id,
    language,
    fallbackShift: FALLBACK_SHIFT,
    line: 'default',
    firstLine: 'default',
  });

const field = (id: string, name: string) => t.redis.hget(t.k.conversation(id), name);

describe('assign.lua', () => {
  it('ok: makes the conversation active for the operator, out of every waiting index, and records the wait', async () => {
    await waiting('c1', { since: T0 });
    await t.redis.zadd(t.k.waitingAway, T0 + 5, 'c1');
    await t.redis.zadd(t.k.held, URGENT_OFFSET + T0, 'c1');

    expect(await assign('c1', 'op1', { now: T0 + 30_000 })).toEqual({
      status: 'ok',
      waitingSince: T0,
      load: 1,
    });

    expect(await t.redis.hgetall(t.k.conversation('c1'))).toMatchObject({
      state: 'active',
      operatorId: 'op1',
      operatorName: 'Name op1',
      assignedAt: String(T0 + 30_000),
      waitingMsgs: '0',
      held: '',
      waitingSince: String(T0),
    });
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1')).toBeNull();
    expect(await t.redis.zscore(t.k.held, 'c1')).toBeNull();
    expect(await t.redis.zscore(t.k.waitingAway, 'c1')).toBeNull();
    expect(await t.redis.smembers(t.k.operatorConversations('op1'))).toEqual(['c1']);
    expect(await t.redis.smembers(t.k.active)).toEqual(['c1']);
    expect(await t.redis.hget(t.k.stats, 'ewma')).toBe('30');
    expect(await t.redis.hget(t.k.statsDay(DAY), 'answered')).toBe('1');
    expect(await t.redis.lrange(t.k.statsDayWaits(DAY), 0, -1)).toEqual(['30000']);
    expect(await t.redis.pttl(t.k.statsDay(DAY))).toBeGreaterThan(2 * 86_400_000);
    expect(await t.redis.pttl(t.k.statsDayWaits(DAY))).toBeGreaterThan(2 * 86_400_000);
  });

  it('folds each wait into the moving average and reports the new load', async () => {
    await waiting('c1', { since: T0 });
    await waiting('c2', { since: T0 });
    await assign('c1', 'op1', { now: T0 + 10_000 });
    expect(await assign('c2', 'op1', { now: T0 + 60_000 })).toMatchObject({ status: 'ok', load: 2 });
    expect(Number(await t.redis.hget(t.k.stats, 'ewma'))).toBeCloseTo(ALPHA * 60 + (1 - ALPHA) * 10, 9);
    expect(await t.redis.lrange(t.k.statsDayWaits(DAY), 0, -1)).toEqual(['10000', '60000']);
  });

  it('not_found: no conversation, and nothing is written', async () => {
    expect(await assign('nope', 'op1')).toEqual({ status: 'not_found' });
    expect(await t.keys()).toEqual([]);
  });

  it('conflict: a conversation that no longer waits keeps its operator', async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    expect(await assign('c1', 'op2')).toEqual({ status: 'conflict' });
    expect(await field('c1', 'operatorId')).toBe('op1');
    expect(await t.redis.exists(t.k.operatorConversations('op2'))).toBe(0);
  });

  it('retry: the language changed since the caller read it, and nothing moves', async () => {
    await waiting('c1', { language: 'en' });
    expect(await assign('c1', 'op1', { readLanguage: 'nl' })).toEqual({ status: 'retry' });
    expect(await field('c1', 'state')).toBe('waiting');
    expect(await t.redis.zscore(t.k.waiting('default', 'en'), 'c1')).not.toBeNull();
    expect(await t.redis.exists(t.k.operatorConversations('op1'), t.k.active, t.k.stats)).toBe(0);
  });

  it('unavailable: a routing pass needs the operator available; their own accept does not', async () => {
    await waiting('c1');
    expect(await assign('c1', 'op1', { routing: true })).toEqual({ status: 'unavailable' });
    await t.redis.hset(t.k.routeOperator('op1'), 'status', 'away');
    expect(await assign('c1', 'op1', { routing: true })).toEqual({ status: 'unavailable' });
    expect(await field('c1', 'state')).toBe('waiting');
    await t.redis.hset(t.k.routeOperator('op1'), 'status', 'available');
    expect(await assign('c1', 'op1', { routing: true })).toMatchObject({ status: 'ok' });
    await waiting('c2');
    await t.redis.hset(t.k.routeOperator('op1'), 'status', 'away');
    expect(await assign('c2', 'op1', { routing: false })).toMatchObject({ status: 'ok', load: 2 });
  });

  it('full: an operator at capacity gets nothing more', async () => {
    await waiting('c1');
    await waiting('c2');
    await assign('c1', 'op1', { capacity: 1 });
    expect(await assign('c2', 'op1', { capacity: 1 })).toEqual({ status: 'full' });
    expect(await field('c2', 'state')).toBe('waiting');
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c2')).not.toBeNull();
  });

  it('race: many operators for one conversation, each on its own connection: exactly one gets it', async () => {
    await waiting('c1');
    const ops = Array.from({ length: 8 }, (_, i) => `op${i}`);
    const results = await Promise.all(ops.map((op) => assign('c1', op, {}, t.connection())));
    const winners = ops.filter((_, i) => results[i]!.status === 'ok');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'conflict')).toHaveLength(ops.length - 1);
    expect(await field('c1', 'operatorId')).toBe(winners[0]);
    for (const op of ops) {
      expect(await t.redis.scard(t.k.operatorConversations(op))).toBe(op === winners[0] ? 1 : 0);
    }
    expect(await t.redis.lrange(t.k.statsDayWaits(DAY), 0, -1)).toHaveLength(1);
  });

  it('race: parallel assigns to one operator never pass their capacity', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    for (const id of ids) await waiting(id);
    const results = await Promise.all(ids.map((id) => assign(id, 'op1', { capacity: 4 }, t.connection())));
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(4);
    expect(results.filter((r) => r.status === 'full')).toHaveLength(8);
    expect(results.flatMap((r) => (r.status === 'ok' ? [r.load] : [])).sort()).toEqual([1, 2, 3, 4]);
    expect(await t.redis.scard(t.k.operatorConversations('op1'))).toBe(4);
    expect(await t.redis.zcard(t.k.waiting('default', 'nl'))).toBe(8);
  });
});

describe('assign.lua: an accept asked again', () => {
  it('held: the same accept writes nothing; a routing assignment or a transfer is not taken for one', async () => {
    await waiting('c1');
    expect((await assign('c1', 'op1')).status).toBe('ok');
    expect(await assign('c1', 'op1', { now: T0 + 90_000 })).toEqual({
      status: 'held',
      waitingSince: T0,
      assignedAt: T0 + 60_000,
    });
    expect(await field('c1', 'assignedAt')).toBe(String(T0 + 60_000));
    expect((await assign('c1', 'op2')).status).toBe('conflict');
    // Given to a colleague: their accept of it was never made.
    expect((await transfer('c1', 'op1', 'op2')).status).toBe('ok');
    expect((await assign('c1', 'op2')).status).toBe('conflict');
    // Given by routing: the same.
    await waiting('c2');
    await t.redis.hset(t.k.routeOperator('op1'), 'status', 'available');
    expect((await assign('c2', 'op1', { routing: true })).status).toBe('ok');
    expect((await assign('c2', 'op1')).status).toBe('conflict');
  });

  it('conflict past the window: the accept is long done, and asked again it is refused as any other', async () => {
    await waiting('c1');
    expect((await assign('c1', 'op1')).status).toBe('ok');
    expect((await assign('c1', 'op1', { now: T0 + 60_000 + WINDOW })).status).toBe('held');
    expect((await assign('c1', 'op1', { now: T0 + 60_000 + WINDOW + 1 })).status).toBe('conflict');
  });

  it("a supervisor's assignment is not the operator's: their own accept of it is a conflict", async () => {
    await waiting('c1');
    expect((await assign('c1', 'op1', { supervisor: true })).status).toBe('ok');
    expect(await field('c1', 'movedBy')).toBeNull();
    expect((await assign('c1', 'op1', { now: T0 + 61_000 })).status).toBe('conflict');
    // Accepted, put in the queue by op2 (marked theirs), then given back to them by a
    // supervisor: that assignment clears the mark.
    await waiting('c2');
    expect((await assign('c2', 'op2')).status).toBe('ok');
    expect((await requeue('c2', 'op2', { movedBy: 'op2' })).status).toBe('ok');
    expect((await assign('c2', 'op2', { supervisor: true, now: T0 + 181_000 })).status).toBe('ok');
    expect((await assign('c2', 'op2', { now: T0 + 182_000 })).status).toBe('conflict');
  });
});

describe('requeue.lua', () => {
  it('ok: a conversation with a high danger signal goes back to the signal tier, after urgent, before the rest', async () => {
    await waiting('c1', { since: T0 });
    await t.redis.hset(t.k.conversation('c1'), 'signalTier', '1');
    await assign('c1', 'op1');
    expect((await requeue('c1', 'op1')).status).toBe('ok');
    const score = Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'));
    expect(score).toBe(SIGNAL_OFFSET + T0);
    expect(score).toBeGreaterThan(T0 + 10 * 86_400_000);
    expect(score).toBeLessThan(URGENT_OFFSET + T0 - 10 * 86_400_000);
  });

  it('ok: back in its line at its original place, the operator let go, and the note stored', async () => {
    await waiting('c1', { since: T0 });
    await assign('c1', 'op1');
    const r = await requeue('c1', 'op1', { note: 'sealed-note' });
    expect(r.status).toBe('ok');
    expect(r.noteId).toMatch(/^\d+-\d+$/);
    const conv = await t.redis.hgetall(t.k.conversation('c1'));
    expect(conv).toMatchObject({ state: 'waiting', waitingMsgs: '0', waitingSince: String(T0) });
    expect(conv).not.toHaveProperty('operatorId');
    expect(conv).not.toHaveProperty('operatorName');
    expect(conv).not.toHaveProperty('assignedAt');
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(URGENT_OFFSET + T0);
    expect(await t.redis.exists(t.k.operatorConversations('op1'))).toBe(0);
    expect(await t.redis.sismember(t.k.active, 'c1')).toBe(0);
    const notes = await t.redis.xrange(t.k.notes('c1'), '-', '+');
    expect(notes).toEqual([[r.noteId, ['o', 'op1', 'c', 'sealed-note']]]);
  });

  it('ok: an urgent conversation keeps its urgent score; no note means no note entry', async () => {
    await waiting('c1', { since: T0, urgent: true });
    await assign('c1', 'op1');
    expect(await requeue('c1', 'op1')).toEqual({
      status: 'ok',
      noteId: '',
      movedAt: String(T0 + 180_000),
      urgent: true,
    });
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(T0);
    expect(await t.redis.exists(t.k.notes('c1'))).toBe(0);
  });

  it('ok: a conversation whose visitor is away is indexed as an away waiter again, since they left', async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    await t.redis.hset(t.k.conversation('c1'), 'away', 'quick-exit', 'awaySince', String(T0 + 99));
    await requeue('c1', 'op1');
    expect(Number(await t.redis.zscore(t.k.waitingAway, 'c1'))).toBe(T0 + 99);
  });

  it("moved: the holder's own move asked again writes nothing; a requeue nobody asked for is not one", async () => {
    await waiting('c1', { urgent: true });
    await assign('c1', 'op1');
    const first = await requeue('c1', 'op1', { movedBy: 'op1', note: 'n' });
    expect(first).toMatchObject({ status: 'ok', movedAt: String(T0 + 180_000), urgent: true });
    expect(first.noteId).not.toBe('');
    // Its note is named, for the caller to tell a retry from a move asked with another one.
    expect(await requeue('c1', 'op1', { movedBy: 'op1', note: 'n' })).toEqual({
      status: 'moved',
      noteId: first.noteId,
      movedAt: String(T0 + 180_000),
      urgent: true,
    });
    expect(await t.redis.xlen(t.k.notes('c1'))).toBe(1);
    expect((await requeue('c1', 'op2', { movedBy: 'op2' })).status).toBe('conflict');
    // Taken again, then put back by the grace period: that move is over.
    await assign('c1', 'op1');
    expect((await requeue('c1', 'op1')).status).toBe('ok');
    expect((await requeue('c1', 'op1', { movedBy: 'op1' })).status).toBe('conflict');
  });

  it('conflict past the window, to another line, or after a requeue nobody asked for', async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    expect((await requeue('c1', 'op1', { movedBy: 'op1' })).status).toBe('ok');
    expect((await requeue('c1', 'op1', { movedBy: 'op1', now: T0 + 180_000 + WINDOW })).status).toBe('moved');
    expect((await requeue('c1', 'op1', { movedBy: 'op1', now: T0 + 180_000 + WINDOW + 1 })).status).toBe(
      'conflict',
    );
    // Another line's queue is another move.
    expect((await requeue('c1', 'op1', { movedBy: 'op1', toLine: 'other' })).status).toBe('conflict');
    expect(await t.redis.exists(t.k.waiting('other', 'nl'))).toBe(0);
    // A supervisor's reassign to the queue is not the holder's move.
    await assign('c1', 'op1');
    expect((await requeue('c1', 'op1')).status).toBe('ok');
    expect(await field('c1', 'movedBy')).toBeNull();
    expect((await requeue('c1', 'op1', { movedBy: 'op1' })).status).toBe('conflict');
  });

  it('conflict, forbidden and retry change nothing and store no note', async () => {
    await waiting('c1');
    expect(await requeue('c1', 'op1', { note: 'n' })).toMatchObject({ status: 'conflict', noteId: '' });
    await assign('c1', 'op1');
    expect(await requeue('c1', 'op2', { note: 'n' })).toMatchObject({ status: 'forbidden', noteId: '' });
    expect(await requeue('c1', 'op1', { note: 'n', language: 'en' })).toMatchObject({
      status: 'retry',
      noteId: '',
    });
    expect(await field('c1', 'state')).toBe('active');
    expect(await field('c1', 'operatorId')).toBe('op1');
    expect(await t.redis.smembers(t.k.operatorConversations('op1'))).toEqual(['c1']);
    expect(
      await t.redis.exists(t.k.notes('c1'), t.k.waiting('default', 'nl'), t.k.waiting('default', 'en')),
    ).toBe(0);
  });
});

describe('transfer.lua', () => {
  it('ok: moves the conversation and the hand-over note in one step', async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    const r = await transfer('c1', 'op1', 'op2', { note: 'sealed' });
    expect(r.status).toBe('ok');
    expect(await t.redis.xlen(t.k.notes('c1'))).toBe(1);
    expect(await t.redis.hgetall(t.k.conversation('c1'))).toMatchObject({
      state: 'active',
      operatorId: 'op2',
      operatorName: 'Name op2',
      assignedAt: String(T0 + 120_000),
    });
    expect(await t.redis.exists(t.k.operatorConversations('op1'))).toBe(0);
    expect(await t.redis.smembers(t.k.operatorConversations('op2'))).toEqual(['c1']);
  });

  it('conflict (not active, or to oneself), forbidden (not the holder) and full leave no note', async () => {
    await waiting('c1');
    expect((await transfer('c1', 'op1', 'op2', { note: 'n' })).status).toBe('conflict');
    await assign('c1', 'op1');
    expect((await transfer('c1', 'op1', 'op1', { note: 'n' })).status).toBe('conflict');
    expect((await transfer('c1', 'op3', 'op2', { note: 'n' })).status).toBe('forbidden');
    await waiting('c2');
    await assign('c2', 'op2');
    expect((await transfer('c1', 'op1', 'op2', { note: 'n', capacity: 1 })).status).toBe('full');
    expect(await field('c1', 'operatorId')).toBe('op1');
    expect(await t.redis.smembers(t.k.operatorConversations('op2'))).toEqual(['c2']);
    expect(await t.redis.exists(t.k.notes('c1'))).toBe(0);
  });

  it('moved: the same transfer asked again writes nothing; anyone else is still refused', async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    const first = await transfer('c1', 'op1', 'op2', { note: 'n' });
    expect(first).toMatchObject({ status: 'ok', assignedAt: String(T0 + 120_000) });
    expect(first.noteId).not.toBe('');
    // Its note is named, for the caller to tell a retry from a transfer asked with another one.
    expect(await transfer('c1', 'op1', 'op2', { note: 'n' })).toEqual({
      status: 'moved',
      noteId: first.noteId,
      assignedAt: String(T0 + 120_000),
    });
    expect(await t.redis.xlen(t.k.notes('c1'))).toBe(1);
    expect((await transfer('c1', 'op3', 'op2')).status).toBe('forbidden');
    expect((await transfer('c1', 'op1', 'op3')).status).toBe('forbidden');
    // The colleague's own accept of it, after a requeue: the old transfer is over.
    await requeue('c1', 'op2');
    await assign('c1', 'op2');
    expect((await transfer('c1', 'op1', 'op2')).status).toBe('forbidden');
    // To oneself is never taken for a retry (an accept marks its holder too).
    expect((await transfer('c1', 'op2', 'op2')).status).toBe('conflict');
  });

  it("forbidden past the window, and after a supervisor's reassign", async () => {
    await waiting('c1');
    await assign('c1', 'op1');
    expect((await transfer('c1', 'op1', 'op2')).status).toBe('ok');
    expect((await transfer('c1', 'op1', 'op2', { now: T0 + 120_000 + WINDOW })).status).toBe('moved');
    expect((await transfer('c1', 'op1', 'op2', { now: T0 + 120_000 + WINDOW + 1 })).status).toBe('forbidden');
    // A supervisor moves it from op2 to op3: not op2's move, and op1's mark is gone.
    expect((await transfer('c1', 'op2', 'op3', { supervisor: true, now: T0 + 130_000 })).status).toBe('ok');
    expect(await field('c1', 'movedBy')).toBeNull();
    expect((await transfer('c1', 'op2', 'op3', { now: T0 + 131_000 })).status).toBe('forbidden');
  });

  it('race: parallel transfers to one colleague never pass their capacity', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const [i, id] of ids.entries()) {
      await waiting(id);
      await assign(id, `from${i}`);
    }
    const results = await Promise.all(
      ids.map((id, i) =>
        runScript(
          t.connection(),
          transferScript,
          {
            conversation: t.k.conversation(id),
            notes: t.k.notes(id),
            fromConversations: t.k.operatorConversations(`from${i}`),
            toConversations: t.k.operatorConversations('to'),
          },
          {
            id,
            fromOperatorId: `from${i}`,
            toOperatorId: 'to',
            toName: 'To',
            toCapacity: 2,
            now: T0,
            sealedNote: '',
            movedBy: `from${i}`,
            retryWindowMs: WINDOW,
          },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(2);
    expect(await t.redis.scard(t.k.operatorConversations('to'))).toBe(2);
  });
});

describe('hold-waiter.lua and unhold-waiter.lua', () => {
  async function awayWaiter(id: string, opts: { urgent?: boolean } = {}) {
    await waiting(id, { since: T0, ...opts });
    await t.redis.hset(t.k.conversation(id), 'away', 'disconnected', 'awaySince', String(T0 + 1));
    await t.redis.zadd(t.k.waitingAway, T0 + 1, id);
  }

  it('hold: takes an away waiter out of routing keeping its score; unhold puts it back at the same place', async () => {
    await awayWaiter('c1');
    await waiting('c0', { since: T0 - 1 });
    await waiting('c2', { since: T0 + 1 });
    expect(await hold('c1')).toBe(true);
    expect(await t.redis.zrange(t.k.waiting('default', 'nl'), 0, -1)).toEqual(['c0', 'c2']);
    expect(Number(await t.redis.zscore(t.k.held, 'c1'))).toBe(URGENT_OFFSET + T0);
    expect(await field('c1', 'held')).toBe('1');
    expect(await t.redis.zscore(t.k.waitingAway, 'c1')).toBeNull();

    expect(await unhold('c1')).toBe('back');
    expect(await t.redis.zrange(t.k.waiting('default', 'nl'), 0, -1)).toEqual(['c0', 'c1', 'c2']);
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(URGENT_OFFSET + T0);
    expect(await t.redis.exists(t.k.held)).toBe(0);
    expect(await field('c1', 'held')).toBe('');
  });

  it('hold keeps an urgent score too', async () => {
    await awayWaiter('c1', { urgent: true });
    await hold('c1');
    expect(Number(await t.redis.zscore(t.k.held, 'c1'))).toBe(T0);
    await unhold('c1');
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(T0);
  });

  it('skip: a waiter whose visitor is back, one that no longer waits, a stale language, or one not in line', async () => {
    await waiting('back');
    await t.redis.zadd(t.k.waitingAway, T0, 'back');
    expect(await hold('back')).toBe(false);
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'back')).not.toBeNull();

    await awayWaiter('active');
    await assign('active', 'op1');
    await t.redis.zadd(t.k.waitingAway, T0, 'active');
    expect(await hold('active')).toBe(false);

    await awayWaiter('en');
    expect(await hold('en', 'en')).toBe(false);
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'en')).not.toBeNull();

    await awayWaiter('gone');
    await t.redis.zrem(t.k.waiting('default', 'nl'), 'gone');
    expect(await hold('gone')).toBe(false);

    expect(await t.redis.exists(t.k.held)).toBe(0);
    // Each was looked at once: the away index no longer lists it.
    expect(await t.redis.zcard(t.k.waitingAway)).toBe(0);
  });

  it('not_held: a waiter that was never held stays where it is, and leaves the away index', async () => {
    await awayWaiter('c1');
    expect(await unhold('c1')).toBe('not_held');
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1')).not.toBeNull();
    expect(await t.redis.zscore(t.k.waitingAway, 'c1')).toBeNull();
  });

  it('unhold of a held conversation that has ended meanwhile only clears it from held', async () => {
    await awayWaiter('c1');
    await hold('c1');
    await t.redis.hset(t.k.conversation('c1'), 'state', 'ended');
    expect(await unhold('c1')).toBe('back');
    expect(await t.redis.exists(t.k.held, t.k.waiting('default', 'nl'))).toBe(0);
  });

  it('unhold with a stale language never drops a waiting conversation', async () => {
    await awayWaiter('c1');
    await hold('c1');
    expect(await unhold('c1', 'en')).toBe('retry');
    expect(await field('c1', 'held')).toBe('1');
    const inLine =
      (await t.redis.zscore(t.k.held, 'c1')) ??
      (await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1')) ??
      (await t.redis.zscore(t.k.waiting('default', 'en'), 'c1'));
    expect(inLine).not.toBeNull();
    // Read again and retried, it is back in line at its place.
    expect(await unhold('c1', 'nl')).toBe('back');
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(URGENT_OFFSET + T0);
  });
});

describe('move-waiting.lua', () => {
  const move = (id: string, language: string) =>
    runScript(
      t.redis,
      moveWaitingScript,
      {
        legacyWaiting: t.k.legacyWaiting,
        conversation: t.k.conversation(id),
        waiting: t.k.waiting('default', language),
      },
      { id, language, line: 'default', firstLine: 'default' },
    );

  it("moves release 1's waiter into its language's set with its score", async () => {
    await t.redis.hset(t.k.conversation('c1'), { state: 'waiting', language: 'tr' });
    await t.redis.zadd(t.k.legacyWaiting, 12345, 'c1');
    expect(await move('c1', 'tr')).toBe(true);
    expect(await t.redis.exists(t.k.legacyWaiting)).toBe(0);
    expect(await t.redis.zscore(t.k.waiting('default', 'tr'), 'c1')).toBe('12345');
  });

  it('drops an entry that no longer waits (or was never in the old set) from the old set only', async () => {
    await t.redis.hset(t.k.conversation('c1'), { state: 'active', language: 'nl' });
    await t.redis.zadd(t.k.legacyWaiting, 1, 'c1');
    expect(await move('c1', 'nl')).toBe(false);
    expect(await move('c2', 'nl')).toBe(false);
    expect(await t.redis.exists(t.k.legacyWaiting, t.k.waiting('default', 'nl'))).toBe(0);
  });
});

// ---------------------------------------------------------------- the invariants, under races

const OPS = ['op0', 'op1'];
const CONVS = ['c0', 'c1', 'c2', 'c3', 'c4'];
const CAPACITY = 2;

type Action =
  | { kind: 'assign'; conv: string; op: string }
  | { kind: 'requeue'; conv: string; op: string }
  | { kind: 'transfer'; conv: string; op: string; to: string }
  | { kind: 'end'; conv: string; op: string | null };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('assign' as const),
    conv: fc.constantFrom(...CONVS),
    op: fc.constantFrom(...OPS),
  }),
  fc.record({
    kind: fc.constant('assign' as const),
    conv: fc.constantFrom(...CONVS),
    op: fc.constantFrom(...OPS),
  }),
  fc.record({
    kind: fc.constant('requeue' as const),
    conv: fc.constantFrom(...CONVS),
    op: fc.constantFrom(...OPS),
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    conv: fc.constantFrom(...CONVS),
    op: fc.constantFrom(...OPS),
    to: fc.constantFrom(...OPS),
  }),
  fc.record({
    kind: fc.constant('end' as const),
    conv: fc.constantFrom(...CONVS),
    op: fc.option(fc.constantFrom(...OPS), { nil: null }),
  }),
);

/**
 * One caller as the services are written: read the conversation, then run the script with
 * keys named from what was read. The scheduler decides when each read and each script run
 * happen, so other callers' scripts can land in between.
 */
async function perform(s: fc.Scheduler, redis: Redis, a: Action): Promise<string> {
  // Each step starts only when the scheduler releases it.
  await s.schedule(Promise.resolve(), `read ${a.conv}`);
  const conv = await redis.hgetall(t.k.conversation(a.conv));
  const language = conv.language ?? '';
  await s.schedule(Promise.resolve(), JSON.stringify(a));
  switch (a.kind) {
    case 'assign':
      return (
        await runScript(redis, assignScript, assignKeys(a.conv, language, a.op), {
          id: a.conv,
          operatorId: a.op,
          operatorName: a.op,
          capacity: CAPACITY,
          now: T0 + 1000,
          language,
          requireAvailable: 0,
          ewmaAlpha: ALPHA,
          statsTtlMs: 60_000,
          line: 'default',
          servedLine: '',
          firstLine: 'default',
          movedBy: a.op,
          retryWindowMs: WINDOW,
        })
      ).status;
    case 'requeue':
      return (
        await runScript(
          redis,
          requeueScript,
          {
            conversation: t.k.conversation(a.conv),
            notes: t.k.notes(a.conv),
            operatorConversations: t.k.operatorConversations(a.op),
            waiting: t.k.waiting('default', language),
            active: t.k.active,
            waitingAway: t.k.waitingAway,
            fallback: t.k.fallback('default'),
          },
          {
            id: a.conv,
            operatorId: a.op,
            sealedNote: 'n',
            language,
            urgentOffset: URGENT_OFFSET,
            fallbackShift: FALLBACK_SHIFT,
            signalOffset: SIGNAL_OFFSET,
            line: 'default',
            toLine: '',
            firstLine: 'default',
            movedBy: a.op,
            now: T0 + 2000,
            retryWindowMs: WINDOW,
          },
        )
      ).status;
    case 'transfer':
      return (
        await runScript(
          redis,
          transferScript,
          {
            conversation: t.k.conversation(a.conv),
            notes: t.k.notes(a.conv),
            fromConversations: t.k.operatorConversations(a.op),
            toConversations: t.k.operatorConversations(a.to),
          },
          {
            id: a.conv,
            fromOperatorId: a.op,
            toOperatorId: a.to,
            toName: a.to,
            toCapacity: CAPACITY,
            now: T0,
            sealedNote: '',
            movedBy: a.op,
            retryWindowMs: WINDOW,
          },
        )
      ).status;
    case 'end': {
      const operatorId = conv.operatorId ?? '';
      return (
        await runScript(
          redis,
          endScript,
          {
            conversation: t.k.conversation(a.conv),
            messages: t.k.messages(a.conv),
            clientMessageIds: t.k.clientMessageIds(a.conv),
            notes: t.k.notes(a.conv),
            waiting: t.k.waiting('default', language),
            held: t.k.held,
            waitingAway: t.k.waitingAway,
            active: t.k.active,
            operatorConversations: t.k.operatorConversations(operatorId || '-'),
            open: t.k.openByAddress('-'),
            endedAddress: t.k.endedAddress(a.conv),
            resumeToken: t.k.resumeToken('-'),
            returnCode: t.k.returnCode('-'),
            fallback: t.k.fallback('default'),
            endsPending: t.k.endsPending,
            routeOperator: t.k.routeOperator(operatorId || '-'),
            routeAvailable: t.k.routeAvailable,
            openNetwork: t.k.openByNetwork('-'),
          },
          {
            id: a.conv,
            reason: 'operator',
            now: T0,
            retentionMs: 60_000,
            expectedOperatorId: a.op ?? '',
            addressTtlMs: 60_000,
            operatorId,
            language,
            addr: '',
            resumeKey: '',
            returnKey: '',
            line: 'default',
            firstLine: 'default',
            breakUntil: 0,
            net: '',
          },
        )
      ).status;
    }
  }
}

/** The design's invariants, read back from Redis. */
async function checkInvariants(languages: Record<string, string>) {
  const opSets = new Map<string, string[]>();
  for (const op of OPS) {
    const members = await t.redis.smembers(t.k.operatorConversations(op));
    expect(members.length, `${op} above capacity`).toBeLessThanOrEqual(CAPACITY);
    opSets.set(op, members);
  }
  const active = new Set(await t.redis.smembers(t.k.active));
  for (const id of CONVS) {
    const conv = await t.redis.hgetall(t.k.conversation(id));
    const holders = OPS.filter((op) => opSets.get(op)!.includes(id));
    const inLine = await Promise.all(
      ['nl', 'en'].map(async (lang) => (await t.redis.zscore(t.k.waiting('default', lang), id)) !== null),
    );
    const queued = inLine.filter(Boolean).length;
    if (conv.state === 'active') {
      expect(holders, `${id}: one operator`).toEqual([conv.operatorId]);
      expect(active.has(id)).toBe(true);
      expect(queued).toBe(0);
    } else if (conv.state === 'waiting') {
      expect(holders, `${id}: waiting, held by nobody`).toEqual([]);
      expect(active.has(id)).toBe(false);
      // Never dropped: in exactly one line, its own language's, at its original place.
      expect(await t.redis.zscore(t.k.waiting('default', languages[id]!), id)).toBe(
        String(URGENT_OFFSET + T0),
      );
      expect(queued).toBe(1);
    } else {
      expect(conv.state).toBe('ended');
      expect(holders).toEqual([]);
      expect(active.has(id)).toBe(false);
      expect(queued).toBe(0);
    }
  }
}

describe('routing invariants', () => {
  it('random interleavings of assign, requeue, transfer and end keep one operator per conversation, no operator above capacity, and every waiter in line', async () => {
    const connections = Array.from({ length: 4 }, () => t.connection());
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(actionArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom('nl', 'en'), { minLength: CONVS.length, maxLength: CONVS.length }),
        async (s, actions, langs) => {
          const left = await t.keys();
          if (left.length > 0) await t.redis.del(...left);
          const languages = Object.fromEntries(CONVS.map((id, i) => [id, langs[i]!]));
          for (const id of CONVS) await waiting(id, { language: languages[id]!, since: T0 });
          const done = Promise.all(
            actions.map((a, i) => perform(s, connections[i % connections.length]!, a)),
          );
          const statuses = await s.waitFor(done);
          // Languages never change here, so only end (which also checks the operator it read) retries.
          expect(actions.filter((a, i) => statuses[i] === 'retry' && a.kind !== 'end')).toEqual([]);
          await checkInvariants(languages);
        },
      ),
      { numRuns: 100 },
    );
  });
});
