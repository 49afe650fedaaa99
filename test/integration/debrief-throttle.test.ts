/**
 * `operator:debrief` alerts every supervisor of the operator's lines and writes an audit
 * entry: at most once per operator per `DEBRIEF_WINDOW_MS`, on every instance together,
 * while every request is still answered `{}`. The adversary: an operator (or a script with
 * their session) emitting it in a loop, to flood the supervisors and push older entries out
 * of the capped audit stream.
 */
import type { SupervisorAlert } from '@stille-lijn/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { DEBRIEF_WINDOW_MS } from '../../server/src/shift/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { collect, connectOperator, createOperator, emitAck, waitFor } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

describe('operator:debrief, throttled', () => {
  const apps: TestApp[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const a of apps.splice(0)) await a.close();
  });

  async function start(env: Record<string, string> = {}) {
    const t = await startTestApp(env);
    apps.push(t);
    return t;
  }
  async function connect(t: TestApp, cookie: string) {
    const s = await connectOperator(t.url, cookie);
    sockets.push(s);
    return s;
  }
  const debriefsOf = (alerts: SupervisorAlert[], operatorId: string) =>
    alerts.filter((a) => a.kind === 'debrief-request' && a.operatorId === operatorId);
  const audited = async (t: TestApp, operatorId: string) =>
    (await auditEntries(t)).filter((e) => e.action === 'debrief-request' && e.actor === operatorId).length;
  const debrief = (s: Parameters<typeof emitAck>[0]) => emitAck(s, 'operator:debrief', {});

  it('alerts and audits once for many requests, answering each; another operator still alerts; again after the window', async () => {
    const t = await start();
    const sup = await createOperator(t, { role: 'supervisor' });
    const alerts = collect<SupervisorAlert>(await connect(t, sup.cookie), 'supervisor:alert');
    const a = await createOperator(t);
    const b = await createOperator(t);
    const sa = await connect(t, a.cookie);
    const sb = await connect(t, b.cookie);

    // Twenty at once and ten after: every one answered as the contract says.
    const acks = await Promise.all(Array.from({ length: 20 }, () => debrief(sa)));
    for (let i = 0; i < 10; i++) acks.push(await debrief(sa));
    for (const ack of acks) expect(ack).toEqual({ ok: true });

    // Another operator's request alerts (the positive control), and, sent after all of
    // a's were answered, it arrives after any alert they made.
    expect(await debrief(sb)).toEqual({ ok: true });
    await waitFor(() => debriefsOf(alerts, b.id).length > 0);
    expect(debriefsOf(alerts, a.id)).toHaveLength(1);
    expect(debriefsOf(alerts, b.id)).toHaveLength(1);
    expect(await audited(t, a.id)).toBe(1);
    expect(await audited(t, b.id)).toBe(1);

    // The window is a Redis key with its expiry: let it run out.
    const gate = t.app.keys.auditOnce('debrief-request', a.id);
    const ttl = await t.app.redis.pttl(gate);
    expect(ttl).toBeGreaterThan(DEBRIEF_WINDOW_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DEBRIEF_WINDOW_MS);
    await t.app.redis.pexpire(gate, 1);
    await waitFor(async () => (await t.app.redis.exists(gate)) === 0);

    expect(await debrief(sa)).toEqual({ ok: true });
    await waitFor(() => debriefsOf(alerts, a.id).length === 2);
    expect(await audited(t, a.id)).toBe(2);
    // And a new window began with it.
    expect(await debrief(sa)).toEqual({ ok: true });
    expect(await debrief(sb)).toEqual({ ok: true });
    expect(await audited(t, b.id)).toBe(1);
    expect(debriefsOf(alerts, a.id)).toHaveLength(2);
    expect(await audited(t, a.id)).toBe(2);
  });

  it('alerts once when the operator asks on two server instances at once', async () => {
    const one = await start();
    const two = await start({ REDIS_PREFIX: one.config.redisPrefix });
    const sup = await createOperator(one, { role: 'supervisor' });
    const alerts = collect<SupervisorAlert>(await connect(one, sup.cookie), 'supervisor:alert');
    const a = await createOperator(one);
    const b = await createOperator(one);
    const onOne = await connect(one, a.cookie);
    const onTwo = await connect(two, a.cookie);
    const sb = await connect(two, b.cookie);

    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => debrief(i % 2 === 0 ? onOne : onTwo)),
    );
    for (const ack of acks) expect(ack).toEqual({ ok: true });
    // A marker from the second instance: once it reached the supervisor, so had any second
    // alert about a sent from there.
    expect(await debrief(sb)).toEqual({ ok: true });
    await waitFor(() => debriefsOf(alerts, b.id).length > 0);
    expect(debriefsOf(alerts, a.id)).toHaveLength(1);
    expect(await audited(one, a.id)).toBe(1);
  });
});
