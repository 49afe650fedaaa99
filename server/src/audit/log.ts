import type { Redis } from 'ioredis';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { recordOnceScript } from './scripts.ts';

/**
 * Entries kept in the audit stream (approximately; Redis trims in whole nodes). A bound on
 * Redis memory, not a retention period: at the volume normal use writes (a few entries per
 * conversation, a dozen an hour per open supervisor console) it holds many months. It stays,
 * as the note script (messages/lua/add-note.lua) trims with it too; what one person repeats
 * at will without it being a new look (the overview's polling) goes through `recordOncePer`
 * instead, so that nobody can push older entries out by repeating it.
 */
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
   * for a look repeated by polling, whose every repeat is the same look. Atomic, so parallel
   * calls write one entry.
   * @returns whether this call wrote the entry
   * @example await audit.recordOncePer({ gate: keys.auditOnce('overview', sessionId), windowMs }, 'overview', supervisorId, '')
   */
  async recordOncePer(
    window: { gate: string; windowMs: number },
    action: string,
    actorId: string,
    target: string,
  ): Promise<boolean> {
    const fields = await this.#fields(action, actorId, target, {});
    return runScript(
      this.#redis,
      recordOnceScript,
      { gate: window.gate, audit: this.#key },
      { windowMs: window.windowMs, auditMax: AUDIT_MAX_ENTRIES, fields },
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
