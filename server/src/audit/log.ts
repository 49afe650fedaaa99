import { AppError } from '@stille-lijn/shared/errors';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { recordOnceScript } from './scripts.ts';

/**
 * Entries kept in the audit stream (approximately; Redis trims in whole nodes). A bound on
 * Redis memory, not a retention period: at the volume normal use writes (a few entries per
 * conversation, a dozen an hour per open supervisor console) it holds many months. It stays,
 * as the note script (messages/lua/add-note.lua) trims with it too; what one person repeats
 * at will without it being a new look (the overview's polling, a conversation opened again)
 * goes through `recordOncePer` instead, looks at content within a budget (`recordLook`), and
 * every other staff action within a budget of its own (`ActionBudget`), writing nothing when
 * it changes nothing, so that nobody can push older entries out by repeating them.
 */
export const AUDIT_MAX_ENTRIES = 1_000_000;

/**
 * How long one entry stands for the same account's repeats of the same look at the same
 * conversation. The console asks again for what it shows: `supervisor:monitor` on a click
 * on the row being read, after every reconnect (back-off 1–10 s) and back from another
 * view; all of that within seconds or minutes of the first look. The overview's window.
 * @default 300000 (5 minutes)
 */
export const LOOK_REPEAT_WINDOW_MS = 5 * 60_000;

/**
 * Looks at content (`read`, `monitor`) an account may have recorded per hour (a fixed
 * window from its first): beyond it a look is refused, `rate_limited`. The console reads
 * along with one conversation at a time, and reads `GET /api/conversations/:id` only for the
 * caller's own (not audited), so a supervisor records one look per conversation and
 * LOOK_REPEAT_WINDOW_MS: 120 is a new conversation every 30 s for an hour, or ten read in
 * turn through every window of it, where a shift reads along with a handful. It bounds
 * what one account's looks write to a few hundred entries an hour (stops and the overview
 * included); its other actions have a budget of their own (ACTION_BUDGET_PER_HOUR).
 * @default 120
 */
export const LOOK_BUDGET_PER_HOUR = 120;
/** The budget's window. */
const LOOK_BUDGET_WINDOW_MS = 3_600_000;

/**
 * The audit actions about a look at one conversation's content, and whether each spends
 * the look budget. `unmonitor` ends a read-along: it only gives up a right (and runs when a
 * socket drops, with nobody to answer), so it is never refused.
 */
const LOOKS = { read: true, monitor: true, unmonitor: false } as const;
export type LookAction = keyof typeof LOOKS;

/**
 * The append-only audit trail: who did what to which conversation, report, account or
 * block. Never content: no message text, note, address, token or password.
 * @example await audit.record('reassign', supervisorId, conversationId)
 */
export class AuditLog {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #key: string;
  readonly #lineOf: ((target: string) => Promise<string | undefined>) | undefined;
  /**
   * @param lineOf the line of a target that is a conversation (undefined for anything else):
   *   entries about a conversation carry `line`, so that the audit reader can follow lines.
   */
  constructor(redis: Redis, keys: RedisKeys, lineOf?: (target: string) => Promise<string | undefined>) {
    this.#redis = redis;
    this.#keys = keys;
    this.#key = keys.audit;
    this.#lineOf = lineOf;
    prepareScripts(redis, [recordOnceScript]);
  }

  /**
   * Appends one entry; `target` is the conversation, account or block id ('' for none).
   * A report's entries also carry the report id. `line` is the entry's line when the caller
   * knows it without the conversation (a report keeps its line after its conversation is
   * purged); otherwise it is the target conversation's, if any.
   */
  async record(
    action: string,
    actorId: string,
    target: string,
    extra: { report?: string; line?: string } = {},
  ): Promise<void> {
    const fields = await this.#fields(action, actorId, target, extra);
    await this.#redis.xadd(this.#key, 'MAXLEN', '~', String(AUDIT_MAX_ENTRIES), '*', ...fields);
  }

  /**
   * Appends the entry unless one was appended under the same `gate` key within `windowMs`:
   * for a look repeated by polling, whose every repeat is the same look. With a `budget`,
   * at most `max` entries are appended under its key per `windowMs` of it; past that the
   * call throws `rate_limited` (with `retryAfterSeconds`) having written nothing. Atomic,
   * so parallel calls write one entry and never go past the budget.
   * @returns whether this call wrote the entry
   * @example await audit.recordOncePer({ gate: keys.auditOnce('overview', sessionId), windowMs }, 'overview', supervisorId, '')
   */
  async recordOncePer(
    window: { gate: string; windowMs: number; budget?: { key: string; max: number; windowMs: number } },
    action: string,
    actorId: string,
    target: string,
    extra: { report?: string; line?: string } = {},
  ): Promise<boolean> {
    const fields = await this.#fields(action, actorId, target, extra);
    const { budget } = window;
    const r = await runScript(
      this.#redis,
      recordOnceScript,
      { gate: window.gate, audit: this.#key, budget: budget ? [budget.key] : [] },
      {
        windowMs: window.windowMs,
        auditMax: AUDIT_MAX_ENTRIES,
        budgetMax: budget?.max ?? 0,
        budgetWindowMs: budget?.windowMs ?? 0,
        fields,
      },
    );
    if (r.status === 'spent')
      throw new AppError('rate_limited', undefined, undefined, {
        retryAfterSeconds: Math.max(1, Math.ceil(r.retryMs / 1000)),
      });
    return r.status === 'written';
  }

  /**
   * Records a look at a conversation's content (`read`, `monitor`) or the end of one
   * (`unmonitor`): once per account, action, conversation and LOOK_REPEAT_WINDOW_MS, and a
   * look within the account's LOOK_BUDGET_PER_HOUR. Call it before anything is shown: past
   * the budget it throws `rate_limited`, having written nothing, and nothing may be shown.
   * @returns whether this call wrote an entry (false: a repeat the last one stands for)
   * @example await audit.recordLook('monitor', supervisorId, conversationId)
   */
  async recordLook(action: LookAction, actorId: string, conversationId: string): Promise<boolean> {
    const budget = LOOKS[action]
      ? {
          key: this.#keys.auditLooks(actorId),
          max: LOOK_BUDGET_PER_HOUR,
          windowMs: LOOK_BUDGET_WINDOW_MS,
        }
      : undefined;
    return this.recordOncePer(
      {
        gate: this.#keys.auditOnce(action, `${actorId}:${conversationId}`),
        windowMs: LOOK_REPEAT_WINDOW_MS,
        ...(budget ? { budget } : {}),
      },
      action,
      actorId,
      conversationId,
    );
  }

  async #fields(action: string, actorId: string, target: string, extra: { report?: string; line?: string }) {
    // The field is called `conversation` for every target, as release 1 wrote it.
    const fields = ['action', action, 'actor', actorId, 'conversation', target];
    if (extra.report) fields.push('report', extra.report);
    const line = extra.line ?? (target && this.#lineOf ? await this.#lineOf(target) : undefined);
    if (line) fields.push('line', line);
    return fields;
  }
}
