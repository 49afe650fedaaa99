/**
 * Review: a supervisor alert must survive a step cut by a Redis failover. The main
 * connection fails commands within ~300 ms then, so an operation of several awaited Redis
 * steps can stop after any of them, and the client retries with the same id. A danger
 * signal stored before the cut must still move its waiting conversation up and alert once;
 * acute danger stored before the cut must still be audited once and alert once on the
 * console's retry. Failures are injected into our own methods only, against the real Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { ACTION_BUDGET_PER_HOUR } from '../../server/src/audit/index.ts';
import { SIGNAL_OFFSET } from '../../server/src/routing/index.ts';
import type { TestApp } from '../support/app.ts';
import { collect, emitAck, type VisitorSocket, waitFor } from '../support/clients.ts';
import { appPerTest, auditedOn, redisCut } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Alert = { kind: string; conversationId?: string; signals?: { category: string; weight: string }[] };

const AT_THE_DOOR = 'hij staat voor de deur';

const h = appPerTest();

const app = (): TestApp => h.t;
const { visitor, operator } = h;
const say = (v: VisitorSocket, text: string, id: string) =>
  emitAck<AnyAck & { messageId: string }>(v, 'chat:message', { text, clientMessageId: id });

/** A conversation waiting in the queue (nobody on shift takes it), and its visitor. */
async function waiting(): Promise<{ id: string; v: VisitorSocket }> {
  const v = await visitor();
  const ack = await emitAck<AnyAck & { conversationId: string }>(v, 'chat:start', {
    role: 'victim',
    language: 'nl',
    text: 'Hoi',
  });
  expect(ack.error).toBeUndefined();
  return { id: ack.conversationId, v };
}

/** The conversation's score in its waiting set, and the score a high signal gives it. */
async function scores(id: string): Promise<{ stored: number; signalled: number }> {
  const r = await app().app.store.get(id);
  const key = app().app.keys.waiting(app().app.store.lineOf(r.line), r.language);
  return {
    stored: Number(await app().app.redis.zscore(key, id)),
    signalled: SIGNAL_OFFSET + r.waitingSince,
  };
}

/** Waits for `cond` up to `ms`, then lets the assertions after it say what is missing. */
const settle = (cond: () => boolean | Promise<boolean>, ms = 5000) =>
  waitFor(cond, ms).catch(() => undefined);

/** The actions of the audit stream's entries about `target` (field `conversation`), oldest first. */
const audited = (target: string) => auditedOn(h.t, target);

describe('a danger signal stored before a cut', () => {
  it('still moves the waiting conversation up and alerts supervisors once, though the message was acked and resent', async () => {
    await h.start();
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { id, v } = await waiting();

    // The signal is stored, then the move in the queue fails (Redis away a moment).
    vi.spyOn(app().app.router, 'rescore').mockRejectedValueOnce(redisCut());
    const first = await say(v, AT_THE_DOOR, 'm-1');
    // The visitor's resend with the same id (after `unavailable`, or a lost ack).
    const resent = await say(v, AT_THE_DOOR, 'm-1');
    expect(resent.ok).toBe(true);
    if (first.ok) expect(resent.messageId).toBe(first.messageId);

    const mine = () => alerts.filter((a) => a.kind === 'danger-signal' && a.conversationId === id);
    await settle(() => mine().length > 0, 8000);
    expect(mine()).toEqual([
      expect.objectContaining({ signals: [{ category: 'imminent', weight: 'high' }] }),
    ]);
    const { stored, signalled } = await scores(id);
    expect(stored).toBe(signalled);
    // Later attempts find everything done: no second alert.
    await sleep(1500);
    expect(mine()).toHaveLength(1);
  });

  it('a re-read of the message after the cut (its resend was never relayed) sends the owed alert and move, once', async () => {
    await h.start();
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { id, v } = await waiting();
    const m = await say(v, 'Ben er nog', 'm-0');
    expect(m.ok).toBe(true);

    // As `MessageService` reads a stored visitor message, and reads it again on a resend
    // that was not relayed yet.
    vi.spyOn(app().app.router, 'rescore').mockRejectedValueOnce(redisCut());
    await expect(app().app.signals.visitorMessage(id, m.messageId, AT_THE_DOOR)).rejects.toThrow();
    await app().app.signals.visitorMessage(id, m.messageId, AT_THE_DOOR);

    const mine = () => alerts.filter((a) => a.kind === 'danger-signal' && a.conversationId === id);
    await settle(() => mine().length > 0, 1000);
    expect(mine()).toHaveLength(1);
    const { stored, signalled } = await scores(id);
    expect(stored).toBe(signalled);
    await sleep(1500);
    expect(mine()).toHaveLength(1);
  });
});

describe('acute danger stored before a cut', () => {
  it.each([
    ['its audit entry', () => vi.spyOn(app().app.audit, 'record').mockRejectedValueOnce(redisCut())],
    ['the wait for replicas', () => vi.spyOn(app().app.durable, 'confirm').mockRejectedValueOnce(redisCut())],
  ])('failing at %s: the console retry audits `acute` once and alerts supervisors once', async (_, fail) => {
    await h.start();
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { acct, s } = await operator();
    const { id } = await waiting();
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);

    fail();
    const mark = () => emitAck<AnyAck>(s, 'chat:acute', { conversationId: id, location: 'Thuis' });
    expect((await mark()).ok).toBe(false);
    expect((await app().app.store.get(id)).sealed.acute).not.toBe('');
    // The console's retry, and one more after everything was done.
    expect((await mark()).ok).toBe(true);
    expect((await mark()).ok).toBe(true);

    const mine = () => alerts.filter((a) => a.kind === 'acute-danger' && a.conversationId === id);
    await settle(() => mine().length > 0, 1000);
    await sleep(200);
    expect(mine()).toEqual([expect.objectContaining({ operatorId: acct.id })]);
    expect((await audited(id)).filter((a) => a.startsWith('acute'))).toEqual(['acute']);
  });

  it('the retry of a first marking cut before its alert is not refused by a spent action budget', async () => {
    await h.start();
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { acct, s } = await operator();
    const { id } = await waiting();
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    // The account has spent its audited actions of this hour.
    await app().app.redis.set(
      app().app.keys.join('audit-actions', acct.id),
      String(ACTION_BUDGET_PER_HOUR),
      'PX',
      3_600_000,
    );

    vi.spyOn(app().app.audit, 'record').mockRejectedValueOnce(redisCut());
    const mark = () => emitAck<AnyAck>(s, 'chat:acute', { conversationId: id, location: 'Thuis' });
    expect((await mark()).ok).toBe(false);
    expect((await app().app.store.get(id)).sealed.acute).not.toBe('');
    expect(await mark()).toMatchObject({ ok: true });
    const mine = () => alerts.filter((a) => a.kind === 'acute-danger' && a.conversationId === id);
    await settle(() => mine().length > 0, 1000);
    expect(mine()).toHaveLength(1);
    // Done: a change now is budgeted like any other action.
    const change = await emitAck<AnyAck>(s, 'chat:acute', { conversationId: id, location: 'Werk' });
    expect(change.error).toMatchObject({ code: 'rate_limited' });
  });

  it('a change of the answers cut before its audit is audited once, on the retry, without a new alert', async () => {
    await h.start();
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const { s } = await operator();
    const { id } = await waiting();
    expect((await emitAck<AnyAck>(s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    expect((await emitAck<AnyAck>(s, 'chat:acute', { conversationId: id })).ok).toBe(true);

    vi.spyOn(app().app.audit, 'record').mockRejectedValueOnce(redisCut());
    const update = () => emitAck<AnyAck>(s, 'chat:acute', { conversationId: id, consentToCall112: true });
    expect((await update()).ok).toBe(false);
    expect((await update()).ok).toBe(true);
    expect((await update()).ok).toBe(true);

    await sleep(300);
    expect(alerts.filter((a) => a.kind === 'acute-danger')).toHaveLength(1);
    expect((await audited(id)).filter((a) => a.startsWith('acute'))).toEqual(['acute', 'acute-update']);
  });
});
