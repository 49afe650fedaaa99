/**
 * The overview is audited once per supervisor session and window, not once per poll: the
 * console polls it every 5 s, and a scripted loop could otherwise write enough entries to
 * push older ones (a read-along, a block) out of the capped audit stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERVIEW_AUDIT_WINDOW_MS } from '../../server/src/supervision/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOperator, login } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const overview = async (cookie: string) =>
  (await fetch(`${t.url}/api/supervisor/overview`, { headers: { cookie } })).status;
const overviewEntries = async (actor: string) =>
  (await auditEntries(t)).filter((e) => e.action === 'overview' && e.actor === actor).length;

describe('GET /api/supervisor/overview: the audit entry', () => {
  it('is written once per session and window, however many calls, in parallel or not', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const other = await createOperator(t, { role: 'supervisor' });
    const before = await t.app.redis.xlen(t.app.keys.audit);

    const parallel = await Promise.all(Array.from({ length: 25 }, () => overview(sup.cookie)));
    expect(parallel.every((s) => s === 200)).toBe(true);
    for (let i = 0; i < 25; i++) expect(await overview(sup.cookie)).toBe(200);
    expect(await overviewEntries(sup.id)).toBe(1);
    // Fifty looks wrote one entry, nothing else.
    expect(await t.app.redis.xlen(t.app.keys.audit)).toBe(before + 1);

    // Another supervisor's look is their own entry.
    expect(await overview(other.cookie)).toBe(200);
    expect(await overviewEntries(other.id)).toBe(1);
    // So is the same supervisor's look from a second session (a second device).
    const again = await login(t.url, sup.username, sup.password);
    expect(await overview(again)).toBe(200);
    expect(await overviewEntries(sup.id)).toBe(2);
  });

  it('is written again once the window has passed', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    expect(await overview(sup.cookie)).toBe(200);
    expect(await overviewEntries(sup.id)).toBe(1);
    const gates = await t.app.redis.keys(`${t.config.redisPrefix}:audit-once:overview:*`);
    expect(gates.length).toBeGreaterThan(0);
    for (const gate of gates) {
      const ttl = await t.app.redis.pttl(gate);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(OVERVIEW_AUDIT_WINDOW_MS);
    }
    // The window passes (its key expires).
    await t.app.redis.del(...gates);
    expect(await overview(sup.cookie)).toBe(200);
    expect(await overview(sup.cookie)).toBe(200);
    expect(await overviewEntries(sup.id)).toBe(2);
  });
});
