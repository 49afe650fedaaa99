import { type ErrorReason, refusal } from '@stille-lijn/shared/errors';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { spendBudgetScript } from './scripts.ts';

/**
 * Audited staff actions other than looks that one account may take per hour (a fixed window
 * from its first): every `/operator` event that writes an entry when it succeeds (accept,
 * note, transfer, end, block, tags, risk, acute danger, signal dismissal, hand-over,
 * reassignment) and report submissions and retries. Past it an action is refused,
 * `rate_limited` (`action_limit`), before it takes effect: a refusal means the action did
 * not happen, never that it happened without its entry. A busy shift holds three or four
 * conversations at a time, each with an accept, a few notes, tags, the checklist, perhaps a
 * transfer and an end: a few dozen an hour. 600 is one every 6 s for a whole hour, which
 * nobody at a console reaches; with the look budget it bounds what one account's actions
 * write to about 2,000 entries an hour (a move with a note writes two), so pushing out the
 * 1,000,000 kept (AUDIT_MAX_ENTRIES) takes a script weeks, in the stream all along.
 * @default 600
 */
export const ACTION_BUDGET_PER_HOUR = 600;

/** The window of every hourly budget. */
const HOUR_MS = 3_600_000;

/**
 * A budget spent together with the account's actions, for an action that costs more than
 * its entry (a report of up to 512 KiB). Its count is kept under `scope` and the account.
 * @example { scope: 'report-submissions', perHour: 20, reason: 'report_limit' }
 */
export interface HourlyLimit {
  scope: string;
  perHour: number;
  /** The refusal's reason when this one is spent. */
  reason: ErrorReason;
}

/**
 * The hourly budget of an account's audited actions (ACTION_BUDGET_PER_HOUR), counted in
 * Redis so that every instance and every socket of the account share it.
 * @example await budget.spend(op.id) // before the action; throws `rate_limited` past it
 */
export class ActionBudget {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #perHour: number;

  /** @param opts.perHour the budget (tests give a small one). @default ACTION_BUDGET_PER_HOUR */
  constructor(redis: Redis, keys: RedisKeys, opts: { perHour?: number } = {}) {
    this.#redis = redis;
    this.#keys = keys;
    this.#perHour = opts.perHour ?? ACTION_BUDGET_PER_HOUR;
    prepareScripts(redis, [spendBudgetScript]);
  }

  /**
   * Spends one action of the account's hour, and one of each of `also`, in one atomic step.
   * Call it before the action: when any of them is spent up it throws `rate_limited` (with
   * `retryAfterSeconds` and the budget's reason) having counted nothing, and the action must
   * not happen. An action that fails later still counts: the budget bounds attempts.
   */
  async spend(accountId: string, also: readonly HourlyLimit[] = []): Promise<void> {
    const budgets = [
      {
        key: this.#keys.join('audit-actions', accountId),
        max: this.#perHour,
        reason: 'action_limit' as const,
      },
      ...also.map((l) => ({ key: this.#keys.join(l.scope, accountId), max: l.perHour, reason: l.reason })),
    ];
    const r = await runScript(
      this.#redis,
      spendBudgetScript,
      { budgets: budgets.map((b) => b.key) },
      { limits: budgets.flatMap((b) => [b.max, HOUR_MS]) },
    );
    if (r.status === 'spent') return;
    throw refusal(budgets[r.budget]?.reason ?? 'action_limit', {
      retryAfterSeconds: Math.max(1, Math.ceil(r.retryMs / 1000)),
    });
  }
}
