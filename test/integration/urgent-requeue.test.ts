/**
 * An urgent (or acute) conversation that goes back to the queue after it was taken (a
 * transfer to the queue, a hand-over, its operator's grace period run out) is alerted on
 * again while it waits; and a conversation never has two alert chains, however often its
 * alert is queued or run.
 */
import { describe, expect, it } from 'vitest';
import { collect, emitAck, waitFor } from '../support/clients.ts';
import { appPerTest } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Alert = { kind: string; conversationId?: string; waitedSeconds?: number };

const h = appPerTest();

const { operator } = h;

async function start(urgent = false): Promise<string> {
  const v = await h.visitor();
  const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', urgent });
  expect(ack.ok).toBe(true);
  return String(ack.conversationId);
}

/** The urgent-alert jobs still to run for a conversation. */
async function alertJobs(conversationId: string) {
  const jobs = await h.t.app.queues.conversations.getJobs(['delayed', 'waiting', 'prioritized']);
  return jobs.filter((j) => j?.name === 'urgent-alert' && j.data?.conversationId === conversationId);
}

describe('urgent-waiting after a requeue', () => {
  it('a conversation marked acute while taken, sent back to the queue, alerts supervisors again', async () => {
    await h.start({ URGENT_ALERT_S: '1', URGENT_ALERT_REPEAT_S: '1' });
    const sup = await operator('supervisor');
    const alerts = collect<Alert>(sup.s, 'supervisor:alert');
    const anna = await operator();
    const id = await start();
    expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    expect((await emitAck<AnyAck>(anna.s, 'chat:acute', { conversationId: id })).ok).toBe(true);
    // Anna is away: nobody takes it back from the queue.
    expect(
      (await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to: { queue: true } })).ok,
    ).toBe(true);
    await waitFor(() => alerts.some((a) => a.kind === 'urgent-waiting' && a.conversationId === id), 8000);
  });

  it('an urgent conversation requeued before its first alert keeps one chain', async () => {
    await h.start({ URGENT_ALERT_S: '3600', URGENT_ALERT_REPEAT_S: '3600' });
    const anna = await operator();
    const id = await start(true);
    expect(await alertJobs(id)).toHaveLength(1);
    expect((await emitAck<AnyAck>(anna.s, 'chat:accept', { conversationId: id })).ok).toBe(true);
    expect(
      (await emitAck<AnyAck>(anna.s, 'chat:transfer', { conversationId: id, to: { queue: true } })).ok,
    ).toBe(true);
    expect(await alertJobs(id)).toHaveLength(1);
  });

  it('an alert run twice (a stalled job run again) queues its repeat once', async () => {
    await h.start({ URGENT_ALERT_S: '3600', URGENT_ALERT_REPEAT_S: '3600' });
    const id = await start(true);
    expect(await h.t.app.supervision.urgentStillWaiting(id)).toBe(true);
    expect(await h.t.app.supervision.urgentStillWaiting(id)).toBe(true);
    expect(await alertJobs(id)).toHaveLength(1);
  });
});
