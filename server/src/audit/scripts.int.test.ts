import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { recordOnceScript } from './scripts.ts';

const t = useLuaTest([recordOnceScript]);

const WINDOW_MS = 300_000;
const BUDGET_MS = 3_600_000;
const look = (
  conversation: string,
  opts: { budgetMax?: number; actor?: string; redis?: typeof t.redis } = {},
) => {
  const actor = opts.actor ?? 'sup1';
  return runScript(
    opts.redis ?? t.redis,
    recordOnceScript,
    {
      gate: t.k.auditOnce('read', `${actor}:${conversation}`),
      audit: t.k.audit,
      budget: opts.budgetMax === undefined ? [] : [t.k.join('audit-looks', actor)],
    },
    {
      windowMs: WINDOW_MS,
      auditMax: 1000,
      budgetMax: opts.budgetMax ?? 0,
      budgetWindowMs: BUDGET_MS,
      fields: ['action', 'read', 'actor', actor, 'conversation', conversation],
    },
  );
};

describe('record-once.lua', () => {
  it('without a budget: the first call of a window writes the entry, the others nothing', async () => {
    expect(await look('c1')).toEqual({ status: 'written' });
    expect(await look('c1')).toEqual({ status: 'repeat' });
    expect(await t.redis.xlen(t.k.audit)).toBe(1);
    expect(await t.redis.pttl(t.k.auditOnce('read', 'sup1:c1'))).toBeGreaterThan(WINDOW_MS - 60_000);
  });

  it('with a budget: parallel looks at distinct conversations write exactly budgetMax entries; the rest are refused, writing and closing nothing', async () => {
    const connections = Array.from({ length: 4 }, () => t.connection());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => look(`c${i}`, { budgetMax: 5, redis: connections[i % 4]! })),
    );
    const written = results.filter((r) => r.status === 'written');
    const refused = results.filter((r) => r.status === 'spent');
    expect(written).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r.retryMs).toBeGreaterThan(BUDGET_MS - 60_000);
      expect(r.retryMs).toBeLessThanOrEqual(BUDGET_MS);
    }
    expect(await t.redis.xlen(t.k.audit)).toBe(5);
    // A refused look closed no gate: only the five written ones have one.
    expect(await t.redis.keys(`${t.k.prefix}:audit-once:*`)).toHaveLength(5);
    expect(await t.redis.pttl(t.k.join('audit-looks', 'sup1'))).toBeGreaterThan(BUDGET_MS - 60_000);
  });

  it('a repeat of a written look passes when the budget is spent, costing nothing; another actor has a budget of their own', async () => {
    expect((await look('c1', { budgetMax: 2 })).status).toBe('written');
    expect((await look('c2', { budgetMax: 2 })).status).toBe('written');
    expect((await look('c3', { budgetMax: 2 })).status).toBe('spent');
    expect((await look('c1', { budgetMax: 2 })).status).toBe('repeat');
    expect(await t.redis.get(t.k.join('audit-looks', 'sup1'))).toBe('2');
    expect((await look('c3', { budgetMax: 2, actor: 'sup2' })).status).toBe('written');
    expect(await t.redis.xlen(t.k.audit)).toBe(3);
  });
});
