import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { ActionBudget } from './budget.ts';
import { spendBudgetScript } from './scripts.ts';

const t = useLuaTest([spendBudgetScript]);

const refusalOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: { code?: string; extra?: { reason?: string; retryAfterSeconds?: number } }) => ({
      code: err.code,
      ...err.extra,
    }),
  );

describe('ActionBudget', () => {
  it('lets parallel actions of one account through up to its budget, exactly, and refuses the rest with the wait', async () => {
    const budgets = Array.from({ length: 4 }, () => new ActionBudget(t.connection(), t.k, { perHour: 5 }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refusalOf(budgets[i % 4]!.spend('op1'))),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    const refused = results.filter((r) => r !== undefined);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r).toMatchObject({ code: 'rate_limited', reason: 'action_limit' });
      expect(r!.retryAfterSeconds).toBeGreaterThan(3500);
      expect(r!.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
    expect(await t.redis.get(t.k.join('audit-actions', 'op1'))).toBe('5');
    // Another account's budget is its own.
    await expect(budgets[0]!.spend('op2')).resolves.toBeUndefined();
  });

  it('spends a further budget together with the actions, or neither: a refusal names the budget spent up', async () => {
    const budget = new ActionBudget(t.redis, t.k, { perHour: 3 });
    const reports = { scope: 'report-submissions', perHour: 2, reason: 'report_limit' } as const;
    await budget.spend('op1', [reports]);
    await budget.spend('op1', [reports]);
    expect(await refusalOf(budget.spend('op1', [reports]))).toMatchObject({ reason: 'report_limit' });
    // The refused report cost no action.
    expect(await t.redis.get(t.k.join('audit-actions', 'op1'))).toBe('2');
    await budget.spend('op1');
    expect(await refusalOf(budget.spend('op1'))).toMatchObject({ reason: 'action_limit' });
    expect(await t.redis.get(t.k.join('report-submissions', 'op1'))).toBe('2');
  });

  it('renews a count found without its window instead of refusing for good', async () => {
    const key = t.k.join('audit-actions', 'op1');
    await t.redis.set(key, '3');
    const budget = new ActionBudget(t.redis, t.k, { perHour: 3 });
    expect(await refusalOf(budget.spend('op1'))).toMatchObject({ reason: 'action_limit' });
    expect(await t.redis.pttl(key)).toBeGreaterThan(3_500_000);
  });
});
