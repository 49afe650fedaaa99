import { languages } from '@stille-lijn/shared';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { ConversationRecord, ConversationStore } from '../conversations/store.ts';
import type { LineRegistry } from '../lines/registry.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { FALLBACK_LANGUAGES, type QueueView } from './queue-view.ts';
import { FALLBACK_SHIFT, sinceOf } from './score.ts';
import { fallbackScript, holdWaiterScript, moveWaitingScript, unholdWaiterScript } from './scripts.ts';

export interface WaitersDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  view: QueueView;
  config: Readonly<Config>;
  log: Logger;
  lines: LineRegistry;
}

/**
 * Waiting conversations whose visitor is gone: held out of routing, positions and the
 * snapshot after WAITER_HOLD_S, back in their place when the visitor returns. Also drains
 * release 1's single waiting set into the per-language sets.
 */
export class Waiters {
  readonly #d: WaitersDeps;
  readonly #k: RedisKeys;

  constructor(deps: WaitersDeps) {
    this.#d = deps;
    this.#k = deps.keys;
    prepareScripts(deps.redis, [holdWaiterScript, unholdWaiterScript, moveWaitingScript, fallbackScript]);
  }

  /**
   * Job, LANGUAGE_FALLBACK_S after a start: if nobody on shift speaks the conversation's
   * language, Dutch and English speakers may take it (it keeps its place in its own line).
   */
  async fallbackIfUnspoken(conversationId: string): Promise<boolean> {
    const r = await this.#d.store.read(conversationId);
    if (r?.state !== 'waiting' || r.languageFallback) return false;
    if ((await this.#d.view.staffing(r)).staffed) return false;
    return this.#fallback(r.id, this.#d.lines.lineOf(r.line), r.language);
  }

  /**
   * Sweep: a conversation that has waited past LANGUAGE_FALLBACK_S goes on the fallback as
   * soon as nobody on shift speaks its language (its speaker may have signed out since).
   */
  async fallbackUnspoken(): Promise<number> {
    const cutoff = Date.now() - this.#d.config.languageFallbackMs;
    let moved = 0;
    for (const line of await this.#d.view.lineIds()) {
      for (const language of languages) {
        if (FALLBACK_LANGUAGES.includes(language)) continue;
        // Only the oldest are looked at: waitingSince is the score modulo the urgent offset.
        const z = await this.#d.redis.zrange(this.#k.waiting(line, language), 0, 199, 'WITHSCORES');
        const due: { id: string; since: number }[] = [];
        for (let i = 0; i + 1 < z.length; i += 2) {
          const since = sinceOf(Number(z[i + 1]));
          if (since <= cutoff) due.push({ id: z[i]!, since });
        }
        // Whoever may take the oldest of them (its line's and, once overflowed, the next's).
        const oldest = Math.min(...due.map((d) => d.since));
        if (
          due.length === 0 ||
          (await this.#d.view.staffing({ line, waitingSince: oldest, language })).staffed
        )
          continue;
        for (const { id } of due) if (await this.#fallback(id, line, language)) moved++;
      }
    }
    return moved;
  }

  async #fallback(id: string, line: string, language: string): Promise<boolean> {
    const done = await runScript(
      this.#d.redis,
      fallbackScript,
      {
        conversation: this.#k.conversation(id),
        waiting: this.#k.waiting(line, language),
        fallback: this.#k.fallback(line),
      },
      { id, language, fallbackShift: FALLBACK_SHIFT, line, firstLine: this.#d.lines.first.id },
    );
    if (done) {
      this.#d.log.info({ language }, 'conversation on the language fallback');
      // Its visitor hears of it (queue:position says languageFallback), operators see it.
      this.#d.view.changed();
    }
    return done;
  }

  /**
   * Moves what older releases left in their waiting sets into the sets of each
   * conversation's line and language: release 1's single set, and release 2's per-language
   * sets and one fallback set (written before lines; running instances of that release may
   * still write them during a rolling upgrade, so every sweep drains them). Also records
   * the lines of this deployment, so that a line later removed from the file is still read.
   */
  async migrateLegacyWaiting(): Promise<number> {
    const k = this.#k;
    await this.#d.redis.sadd(k.linesSeen, ...this.#d.lines.all.map((l) => l.id));
    const sources: { key: string; target: (line: string, lang: string) => string }[] = [
      { key: k.legacyWaiting, target: (line, lang) => k.waiting(line, lang) },
      ...languages.map((language) => ({
        key: k.legacyLanguageWaiting(language),
        target: (line: string, lang: string) => k.waiting(line, lang),
      })),
      { key: k.legacyFallback, target: (line: string) => k.fallback(line) },
    ];
    const present = await this.#d.redis.exists(...sources.map((s) => s.key));
    if (present === 0) return 0;
    let moved = 0;
    for (const source of sources) {
      for (;;) {
        const ids = await this.#d.redis.zrange(source.key, 0, 499);
        if (ids.length === 0) break;
        for (const id of ids) {
          const r = await this.#d.store.read(id);
          const lang = r?.language ?? '';
          const line = this.#d.lines.lineOf(r?.line ?? '');
          const ok = await runScript(
            this.#d.redis,
            moveWaitingScript,
            {
              legacyWaiting: source.key,
              conversation: k.conversation(id),
              waiting: source.target(line, lang),
            },
            { id, language: lang, line, firstLine: this.#d.lines.first.id },
          );
          if (ok) moved++;
        }
      }
    }
    if (moved > 0) {
      this.#d.log.info({ conversations: moved }, "waiting conversations moved to their lines' sets");
      this.#d.view.changed();
    }
    return moved;
  }

  #holdKeys(id: string, lang: string, line: string) {
    return {
      conversation: this.#k.conversation(id),
      waiting: this.#k.waiting(line, lang),
      held: this.#k.held,
      waitingAway: this.#k.waitingAway,
      fallback: this.#k.fallback(line),
    };
  }

  /** Holds out of routing the waiting conversations whose visitor has been gone longer than WAITER_HOLD_S. */
  async holdGoneWaiters(): Promise<number> {
    const cutoff = Date.now() - this.#d.config.waiterHoldMs;
    const ids = await this.#d.redis.zrangebyscore(this.#k.waitingAway, '-inf', cutoff, 'LIMIT', 0, 500);
    let held = 0;
    for (const id of ids) {
      const r = await this.#d.store.read(id);
      const lang = r?.language ?? '';
      const line = this.#d.lines.lineOf(r?.line ?? '');
      if (
        await runScript(this.#d.redis, holdWaiterScript, this.#holdKeys(id, lang, line), {
          id,
          language: lang,
          line,
          firstLine: this.#d.lines.first.id,
        })
      )
        held++;
    }
    if (held > 0) this.#d.view.changed();
    return held;
  }

  /** Job: holds one waiting conversation if its visitor is still gone after WAITER_HOLD_S. */
  async holdIfGone(conversationId: string): Promise<void> {
    const r = await this.#d.store.read(conversationId);
    if (r?.state !== 'waiting' || !r.away || Date.now() - r.away.since < this.#d.config.waiterHoldMs) return;
    const line = this.#d.lines.lineOf(r.line);
    const held = await runScript(this.#d.redis, holdWaiterScript, this.#holdKeys(r.id, r.language, line), {
      id: r.id,
      language: r.language,
      line,
      firstLine: this.#d.lines.first.id,
    });
    if (held) this.#d.view.changed();
  }

  /** The visitor of a waiting conversation is back: a held one returns to its place. */
  async unhold(record: ConversationRecord): Promise<void> {
    let r: ConversationRecord | null = record;
    // A language read before the script is checked in it: read again and retry if it changed.
    for (let attempt = 0; r && attempt < 3; attempt++) {
      const line = this.#d.lines.lineOf(r.line);
      const status = await runScript(
        this.#d.redis,
        unholdWaiterScript,
        this.#holdKeys(r.id, r.language, line),
        {
          id: r.id,
          language: r.language,
          fallbackShift: FALLBACK_SHIFT,
          line,
          firstLine: this.#d.lines.first.id,
        },
      );
      if (status !== 'retry') return;
      r = await this.#d.store.read(r.id);
    }
  }
}
