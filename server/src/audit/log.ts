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
  readonly #lineOf: ((conversationId: string) => Promise<string | undefined>) | undefined;
  /**
   * `lineOf`: the line of a conversation (undefined for any other target): entries about a
   * conversation carry its line, so that the audit reader can filter by line.
   */
  constructor(redis: Redis, key: string, lineOf?: (conversationId: string) => Promise<string | undefined>) {
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

/**
 * Version 2 (lines): whether the audit reader shows an entry (its fields as stored) to a
 * reader of `lines`; `null` for an admin, who sees every entry. An entry about a
 * conversation carries the conversation's line and is shown to that line's readers; an
 * entry without a line (accounts, sign-ins, blocks lifted, overviews) only to admins.
 * @example auditEntryVisible({ action: 'accept', line: 'utrecht' }, new Set(['utrecht'])) // true
 */
export function auditEntryVisible(
  entry: Readonly<Record<string, string>>,
  lines: ReadonlySet<string> | null,
): boolean {
  if (lines === null) return true;
  return entry.line !== undefined && lines.has(entry.line);
}
