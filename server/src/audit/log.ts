import type { Redis } from 'ioredis';

/** Entries kept in the audit stream (approximately; Redis trims in whole nodes). */
export const AUDIT_MAX_ENTRIES = 1_000_000;

/**
 * The append-only audit trail: who did what to which conversation, report, account or
 * block. Never content: no message text, note, address, token or password.
 * @example await audit.record('monitor', supervisorId, conversationId)
 */
export class AuditLog {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #lineOf: ((target: string) => Promise<string | undefined>) | undefined;
  /**
   * @param lineOf the line of a target that is a conversation (undefined for anything else):
   *   entries about a conversation carry `line`, so that the audit reader can follow lines.
   */
  constructor(redis: Redis, key: string, lineOf?: (target: string) => Promise<string | undefined>) {
    this.#redis = redis;
    this.#key = key;
    this.#lineOf = lineOf;
  }

  /**
   * Appends one entry; `target` is the conversation, account or block id ('' for none).
   * A report's entries also carry the report id.
   */
  async record(
    action: string,
    actorId: string,
    target: string,
    extra: { report?: string } = {},
  ): Promise<void> {
    // The field is called `conversation` for every target, as release 1 wrote it.
    const fields = ['action', action, 'actor', actorId, 'conversation', target];
    if (extra.report) fields.push('report', extra.report);
    const line = target && this.#lineOf ? await this.#lineOf(target) : undefined;
    if (line) fields.push('line', line);
    await this.#redis.xadd(this.#key, 'MAXLEN', '~', String(AUDIT_MAX_ENTRIES), '*', ...fields);
  }
}
