import { luaScript } from '../redis/scripts.ts';

/** What `recordOnceScript` did: wrote the entry, found the gate closed, or found the budget spent. */
export type RecordOnce = { status: 'written' } | { status: 'repeat' } | { status: 'spent'; retryMs: number };

/** One audit entry per window of a gate key, optionally within a budget (`AuditLog.recordOncePer`). */
export const recordOnceScript = luaScript({
  file: new URL('./lua/record-once.lua', import.meta.url),
  keys: ['gate', 'audit', '...budget'],
  args: ['windowMs', 'auditMax', 'budgetMax', 'budgetWindowMs', '...fields'],
  decode: (r): RecordOnce => {
    const [code, ms] = r as [number, number?];
    if (code === 1) return { status: 'written' };
    if (code === 0) return { status: 'repeat' };
    return { status: 'spent', retryMs: Number(ms) };
  },
});

/** What `spendBudgetScript` did: spent one of each budget, or found one spent up. */
export type BudgetSpend = { status: 'spent' } | { status: 'exhausted'; retryMs: number; budget: number };

/** One from each of an account's budgets, or from none (`ActionBudget.spend`). */
export const spendBudgetScript = luaScript({
  file: new URL('./lua/spend-budget.lua', import.meta.url),
  keys: ['...budgets'],
  args: ['...limits'],
  decode: (r): BudgetSpend => {
    const [code, ms, which] = r as [number, number?, number?];
    // `budget`: the index in KEYS of the budget that refused (0-based).
    return code === 1
      ? { status: 'spent' }
      : { status: 'exhausted', retryMs: Number(ms), budget: Number(which) - 1 };
  },
});
