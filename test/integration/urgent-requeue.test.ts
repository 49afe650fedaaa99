/**
 * An urgent (or acute) conversation that goes back to the queue after it was taken (a
 * transfer to the queue, a hand-over, its operator's grace period run out) is alerted on
 * again while it waits; and a conversation never has two alert chains, however often its
 * alert is queued or run.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Alert = { kind: string; conversationId?: string; waitedSeconds?: number };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

async function operator(role?: 'supervisor') {
  const acct = await createOperator(t!, role ? { role } : {});
  const s = await connectOperator(t!.url, acct.cookie);
  sockets.push(s);
  return { acct, s };
}

async function start(urgent = false): Promise<string> {
  const v = await connectVisitor(t!.url);
  sockets.push(v);
  const ack = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', urgent });
  expect(ack.ok).toBe(true);
  return String(ack.conversationId);
}

/** The urgent-alert jobs still to run for a conversation. */
async function alertJobs(conversationId: string) {
  const jobs = await t!.app.queues.conversations.getJobs(['delayed', 'waiting', 'prioritized']);
  return jobs.filter((j) => j?.name === 'urgent-alert' && j.data?.conversationId === conversationId);
}

describe('urgent-waiting after a requeue', () => {
  it('a conversation marked acute while taken, sent back to the queue, alerts supervisors again', async () => {
    t = await startTestApp({ URGENT_ALERT_S: '1', URGENT_ALERT_REPEAT_S: '1' });
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
    t = await startTestApp({ URGENT_ALERT_S: '3600', URGENT_ALERT_REPEAT_S: '3600' });
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
    t = await startTestApp({ URGENT_ALERT_S: '3600', URGENT_ALERT_REPEAT_S: '3600' });
    const id = await start(true);
    expect(await t.app.supervision.urgentStillWaiting(id)).toBe(true);
    expect(await t.app.supervision.urgentStillWaiting(id)).toBe(true);
    expect(await alertJobs(id)).toHaveLength(1);
  });
});
