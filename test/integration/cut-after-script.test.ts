/**
 * An operation made of several Redis steps, cut after the step that changed state (a
 * Sentinel failover fails commands within ~300 ms): the client's retry must still succeed,
 * and what the cut left half done must be finished by the retry or by the sweeps, never
 * left in Redis for good. The cut is one of our own methods failing once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { QueueView, Roster, Waiters } from '../../server/src/routing/index.ts';
import { collect, emitAck } from '../support/clients.ts';
import { appPerTest, auditEntries, redisCut } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const h = appPerTest();

const app = () => h.t.app;
const field = (id: string, name: string) => app().redis.hget(app().keys.conversation(id), name);
/** Past a visitor presence entry's expiry (45 s) with no heartbeat. */
const PRESENCE_LAPSED_MS = 46_000;

const { visitor } = h;

/** A visitor who started, quick-exited and closed the page: the conversation waits, away. */
async function awayConversation() {
  const v = await visitor();
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(start.ok).toBe(true);
  expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
  v.disconnect();
  return { id: String(start.conversationId), returnCode: String(start.returnCode) };
}

/**
 * A resume whose first attempt is slow at one step (Redis reconnecting in a failover): the
 * widget asks again, on the same socket, before it was answered. Both answers.
 */
async function askedTwiceWhileSlow(
  step: 'read' | 'get',
  payload: { returnCode: string } | { resumeToken: string },
) {
  const store = app().store;
  const real = store[step].bind(store) as (id: string) => Promise<unknown>;
  vi.spyOn(store, step).mockImplementationOnce((async (id: string) => {
    await sleep(300);
    return real(id);
  }) as never);
  const v = await visitor();
  return Promise.all([
    emitAck<AnyAck>(v, 'chat:resume', payload),
    emitAck<AnyAck>(v, 'chat:resume', payload),
  ]);
}

/** The sweeps as the worker runs them, at `now`: presence, return windows, ends left pending, held waiters. */
async function sweepAt(now: number) {
  await app().presence.sweepVisitors(now);
  await app().lifecycle.finishPendingEnds(now);
  await app().lifecycle.endOverdueAway(now);
}

describe('a return-code redemption cut after the code was spent', () => {
  for (const step of ['unhold', 'positionOf'] as const) {
    it(`(${step} fails once) succeeds when retried from the same socket, with the same token`, async () => {
      await h.start({ WORKERS: 'none' });
      const { id, returnCode } = await awayConversation();
      // Gone long enough to be held out of routing.
      await app().redis.zadd(app().keys.waitingAway, Date.now() - 120_000, id);
      await app().waiters.holdGoneWaiters();
      expect(await field(id, 'held')).toBe('1');

      const spy =
        step === 'unhold'
          ? vi.spyOn(Waiters.prototype, 'unhold').mockRejectedValueOnce(redisCut())
          : vi.spyOn(QueueView.prototype, 'positionOf').mockRejectedValueOnce(redisCut());
      const v = await visitor();
      const first = await emitAck<AnyAck>(v, 'chat:resume', { returnCode });
      expect(first.ok).toBe(false);
      expect(spy).toHaveBeenCalled();

      const retry = await emitAck<AnyAck>(v, 'chat:resume', { returnCode });
      expect(retry).toMatchObject({ ok: true, conversationId: id, state: 'waiting', position: 1 });
      // Back in line: no longer held, away or indexed to end.
      expect(await field(id, 'held')).toBe('');
      expect(await field(id, 'away')).toBe('');
      const line = app().lines.first.id;
      expect(await app().redis.zscore(app().keys.waiting(line, 'nl'), id)).not.toBeNull();
      // A second retry gets the same answer: one redemption, one token.
      const again = await emitAck<AnyAck>(v, 'chat:resume', { returnCode });
      expect(again).toMatchObject({
        ok: true,
        resumeToken: retry.resumeToken,
        returnCode: retry.returnCode,
      });
      // The token is the live one.
      const other = await visitor();
      expect(
        await emitAck<AnyAck>(other, 'chat:resume', { resumeToken: String(retry.resumeToken) }),
      ).toMatchObject({ ok: true, conversationId: id });
      // The old code stays spent for any other socket.
      const stranger = await visitor();
      expect(await emitAck<AnyAck>(stranger, 'chat:resume', { returnCode })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    });
  }

  it('asked again on the same socket while the first attempt still runs: both get the one redemption', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, returnCode } = await awayConversation();
    // Slow to reach its script.
    const [first, second] = await askedTwiceWhileSlow('read', { returnCode });
    expect(first).toMatchObject({ ok: true, conversationId: id });
    expect(second).toMatchObject({ ok: true, conversationId: id, resumeToken: first.resumeToken });
  });

  it('retried after her return moved on (resumed by its new token): not_found, and no failure counted', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, returnCode } = await awayConversation();
    const v = await visitor();
    const back = await emitAck<AnyAck>(v, 'chat:resume', { returnCode });
    expect(back).toMatchObject({ ok: true, conversationId: id });
    // Any other socket that comes back closes this one; on this one, the new token moves it on.
    expect(await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: String(back.resumeToken) })).toMatchObject({
      ok: true,
      conversationId: id,
    });
    expect(await emitAck<AnyAck>(v, 'chat:resume', { returnCode })).toMatchObject({
      ok: false,
      error: { code: 'not_found', reason: 'not_resumable' },
    });
    expect(await app().redis.hget(app().keys.returnCodeGlobalThrottle, 'n')).toBeNull();
  });

  it('never retried: the half-attached conversation is marked away and ended by the sweeps', async () => {
    await h.start({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const { id, returnCode } = await awayConversation();
    await app().redis.zadd(app().keys.waitingAway, Date.now() - 120_000, id);
    await app().waiters.holdGoneWaiters();
    vi.spyOn(Waiters.prototype, 'unhold').mockRejectedValueOnce(redisCut());
    const v = await visitor();
    expect((await emitAck<AnyAck>(v, 'chat:resume', { returnCode })).ok).toBe(false);
    // She gave up: the page is closed.
    v.disconnect();

    // Her presence lapses: the conversation is away again, with a return window of its own.
    const lapsed = Date.now() + PRESENCE_LAPSED_MS;
    await sweepAt(lapsed);
    expect(await field(id, 'state')).toBe('waiting');
    expect(await field(id, 'away')).toBe('disconnected');
    expect(await field(id, 'held')).toBe('1');
    const returnUntil = Number(await field(id, 'returnUntil'));
    expect(returnUntil).toBeGreaterThan(Date.now());

    // The window closes: it ends, and retention starts.
    await sweepAt(returnUntil + 1);
    expect(await field(id, 'state')).toBe('ended');
    expect(await field(id, 'endReason')).toBe('timeout');
    expect(await app().redis.pttl(app().keys.conversation(id))).toBeGreaterThan(0);
    expect(await app().redis.zscore(app().keys.held, id)).toBeNull();
  });
});

describe('a token resume cut after the token was rotated', () => {
  /** A visitor who started and whose connection dropped: the conversation waits for her. */
  async function dropped() {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    expect(start.ok).toBe(true);
    v.disconnect();
    return { id: String(start.conversationId), token: String(start.resumeToken) };
  }
  const refused = { ok: false, error: { reason: 'not_resumable' } };

  it('succeeds when retried from the same socket with the same token; elsewhere that token stays dead', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, token } = await dropped();
    const spy = vi.spyOn(QueueView.prototype, 'positionOf').mockRejectedValueOnce(redisCut());
    const v = await visitor();
    const first = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(first).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(spy).toHaveBeenCalled();

    const retry = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(retry).toMatchObject({ ok: true, conversationId: id, state: 'waiting', position: 1 });
    expect((retry.missed as { text: string }[]).map((m) => m.text)).toEqual(['help']);
    // Asked once more: the same rotation, not a second one.
    const again = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(again).toMatchObject({ ok: true, resumeToken: retry.resumeToken });
    // The old token works for no other socket; the new one does.
    expect(await emitAck<AnyAck>(await visitor(), 'chat:resume', { resumeToken: token })).toMatchObject(
      refused,
    );
    expect(
      await emitAck<AnyAck>(await visitor(), 'chat:resume', { resumeToken: String(retry.resumeToken) }),
    ).toMatchObject({ ok: true, conversationId: id });
  });

  it('once its socket has left, the old token or code brings it back no more (no loop past the budget)', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, token } = await dropped();
    const v = await visitor();
    const first = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token });
    expect(first).toMatchObject({ ok: true, conversationId: id });
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    expect(await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: token })).toMatchObject(refused);
    // Her own client's token, the new one, still does.
    const back = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: String(first.resumeToken) });
    expect(back).toMatchObject({ ok: true, conversationId: id });

    // The same for a return code.
    const away = await awayConversation();
    const w = await visitor();
    const redeemed = await emitAck<AnyAck>(w, 'chat:resume', { returnCode: away.returnCode });
    expect(redeemed).toMatchObject({ ok: true, conversationId: away.id });
    expect((await emitAck<AnyAck>(w, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    expect(await emitAck<AnyAck>(w, 'chat:resume', { returnCode: away.returnCode })).toMatchObject(refused);
  });

  it('asked again on the same socket while the first attempt still runs: both get the one rotation', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, token } = await dropped();
    // Slow after its rotation.
    const [first, second] = await askedTwiceWhileSlow('get', { resumeToken: token });
    expect(first).toMatchObject({ ok: true, conversationId: id });
    expect(second).toMatchObject({ ok: true, conversationId: id, resumeToken: first.resumeToken });
  });
});

describe('a chat:start cut after the conversation was created', () => {
  it('leaves no ghost ahead of her: it is marked away, held out of routing, and ended', async () => {
    await h.start({ WORKERS: 'none', RETURN_WINDOW_MIN: '15', WAITER_HOLD_S: '60' });
    const spy = vi.spyOn(QueueView.prototype, 'positionOf').mockRejectedValueOnce(redisCut());
    const v = await visitor();
    const first = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    expect(first.ok).toBe(false);
    expect(spy).toHaveBeenCalled();
    const line = app().lines.first.id;
    const waiting = app().keys.waiting(line, 'nl');
    const [ghost] = await app().redis.zrange(waiting, 0, -1);
    expect(ghost).toBeDefined();
    // The widget tries again on a new socket: a second conversation, behind the ghost.
    v.disconnect();
    const v2 = await visitor();
    const second = await emitAck<AnyAck>(v2, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    expect(second).toMatchObject({ ok: true, position: 2 });

    // Nobody ever heartbeats the ghost: the presence sweep marks it away (her own socket's
    // instance keeps hers refreshed meanwhile)...
    const lapsed = Date.now() + PRESENCE_LAPSED_MS;
    await app().redis.zadd(app().keys.visitorPresence, lapsed + 45_000, String(second.conversationId));
    await sweepAt(lapsed);
    expect(await field(ghost!, 'away')).toBe('disconnected');
    expect(await field(String(second.conversationId), 'away')).toBe('');
    // ...the hold sweep takes it out of routing once gone WAITER_HOLD_S...
    await app().redis.zadd(app().keys.waitingAway, Date.now() - 120_000, ghost!);
    await app().waiters.holdGoneWaiters();
    expect(await field(ghost!, 'held')).toBe('1');
    expect(await app().redis.zrange(waiting, 0, -1)).toEqual([second.conversationId]);
    // ...and it ends when its return window closes.
    const returnUntil = Number(await field(ghost!, 'returnUntil'));
    await sweepAt(returnUntil + 1);
    expect(await field(ghost!, 'state')).toBe('ended');
    expect(await field(String(second.conversationId), 'state')).toBe('waiting');
  });
});

describe('an end cut after the conversation was ended', () => {
  /** A conversation its operator holds. */
  async function active() {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const id = String(start.conversationId);
    const { acct, s: op } = await h.operator();
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: id })).ok).toBe(true);
    return { v, id, acct, op };
  }
  /** Its `end` audit entries. */
  const endsOf = async (id: string) =>
    (await auditEntries(h.t)).filter((e) => e.action === 'end' && e.conversation === id);
  /** An end of an operator's conversation cut after its script, and her console closed. */
  async function cutEnd() {
    const ended = await active();
    vi.spyOn(Roster.prototype, 'addEnded').mockRejectedValueOnce(redisCut());
    expect((await emitAck<AnyAck>(ended.op, 'chat:end', { conversationId: ended.id })).ok).toBe(false);
    ended.op.disconnect();
    return ended;
  }
  /** The sweeps `ms` from now, with the server's clock there too (what finishes an end reads `Date.now()`). */
  async function sweepLater(ms: number) {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms });
    try {
      await sweepAt(Date.now());
    } finally {
      vi.useRealTimers();
    }
  }
  /** Its purge jobs waiting for their time. */
  const purgesOf = async (id: string) =>
    (await app().queues.retention.getDelayed()).filter(
      (j) => j.name === 'purge' && (j.data as { conversationId?: string }).conversationId === id,
    );

  it("the console's retry finishes it: the visitor hears, the audit has one end, the list has it", async () => {
    await h.start({ WORKERS: 'none' });
    const { v, id, acct, op } = await active();
    const endedForVisitor = collect<{ reason: string }>(v, 'chat:ended');

    const spy = vi.spyOn(Roster.prototype, 'addEnded').mockRejectedValueOnce(redisCut());
    const first = await emitAck<AnyAck>(op, 'chat:end', { conversationId: id });
    expect(first.ok).toBe(false);
    expect(spy).toHaveBeenCalled();
    expect(await field(id, 'state')).toBe('ended');

    expect(await emitAck<AnyAck>(op, 'chat:end', { conversationId: id })).toMatchObject({ ok: true });
    await expect.poll(() => endedForVisitor.length).toBeGreaterThan(0);
    expect(endedForVisitor[0]).toEqual({ reason: 'operator' });
    expect(await endsOf(id)).toHaveLength(1);
    expect(await app().roster.endedOf(acct.id)).toEqual([id]);
    expect(await purgesOf(id)).toHaveLength(1);

    // A third end finds nothing left to do: no second audit entry, no second purge job.
    expect(await emitAck<AnyAck>(op, 'chat:end', { conversationId: id })).toMatchObject({ ok: true });
    expect((await auditEntries(h.t)).filter((e) => e.action === 'end')).toHaveLength(1);
  });

  it('never retried (the console closed): the sweep finishes it a minute later, once', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, acct } = await cutEnd();
    expect(await endsOf(id)).toHaveLength(0);

    // Within the minute its caller has, the sweep leaves it alone.
    await sweepAt(Date.now());
    expect(await endsOf(id)).toHaveLength(0);
    // A minute later.
    await sweepLater(61_000);
    expect(await endsOf(id)).toEqual([expect.objectContaining({ actor: acct.id })]);
    // Its handling time ends with the end, not with the sweep that finished it.
    expect(Number(await app().redis.hget(app().keys.stats, 'handle'))).toBeLessThan(30);
    expect(await app().roster.endedOf(acct.id)).toEqual([id]);
    expect(await purgesOf(id)).toHaveLength(1);
    expect(await field(id, 'endPending')).toBeNull();
    // Nothing is left for a later sweep.
    await sweepAt(Date.now() + 122_000);
    expect(await endsOf(id)).toHaveLength(1);
    expect(await app().redis.zcard(app().keys.endsPending)).toBe(0);
  });

  it('ends that fail at every sweep do not keep a newer one from being finished', async () => {
    await h.start({ WORKERS: 'none' });
    const { id, acct } = await cutEnd();
    // Older than hers, a sweep's batch (100) of ends that fail every time they are finished.
    const stuck = Array.from({ length: 100 }, (_, i) => `stuck-${i}`);
    await app().redis.zadd(app().keys.endsPending, ...stuck.flatMap((s, i) => [Date.now() - 600_000 + i, s]));
    const lifecycle = app().lifecycle;
    const end = lifecycle.end.bind(lifecycle);
    vi.spyOn(lifecycle, 'end').mockImplementation((cid, ...rest) =>
      cid.startsWith('stuck-') ? Promise.reject(redisCut()) : end(cid, ...rest),
    );
    for (const later of [61_000, 122_000, 183_000]) await sweepLater(later);
    expect(await endsOf(id)).toEqual([expect.objectContaining({ actor: acct.id })]);
    expect(await field(id, 'endPending')).toBeNull();
    // The failing ones are kept, to be tried again.
    expect(await app().redis.zcard(app().keys.endsPending)).toBe(100);
  });
});
