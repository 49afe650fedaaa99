import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { ConversationRecord, ConversationStore } from '../conversations/store.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import type { QueueView } from './queue-view.ts';
import { holdWaiterScript, moveWaitingScript, unholdWaiterScript } from './scripts.ts';

export interface WaitersDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  view: QueueView;
  config: Readonly<Config>;
  log: Logger;
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
    prepareScripts(deps.redis, [holdWaiterScript, unholdWaiterScript, moveWaitingScript]);
  }

  /** Moves what release 1 left in its single waiting set into the per-language sets. */
  async migrateLegacyWaiting(): Promise<number> {
    const legacy = this.#k.legacyWaiting;
    let moved = 0;
    for (;;) {
      const ids = await this.#d.redis.zrange(legacy, 0, 499);
      if (ids.length === 0) break;
      for (const id of ids) {
        const lang = (await this.#d.store.read(id))?.language ?? '';
        const ok = await runScript(
          this.#d.redis,
          moveWaitingScript,
          { legacyWaiting: legacy, conversation: this.#k.conversation(id), waiting: this.#k.waiting(lang) },
          { id, language: lang },
        );
        if (ok) moved++;
      }
    }
    if (moved > 0) {
      this.#d.log.info({ conversations: moved }, 'waiting conversations moved to per-language sets');
      this.#d.view.changed();
    }
    return moved;
  }

  #holdKeys(id: string, lang: string) {
    return {
      conversation: this.#k.conversation(id),
      waiting: this.#k.waiting(lang),
      held: this.#k.held,
      waitingAway: this.#k.waitingAway,
    };
  }

  /** Holds out of routing the waiting conversations whose visitor has been gone longer than WAITER_HOLD_S. */
  async holdGoneWaiters(): Promise<number> {
    const cutoff = Date.now() - this.#d.config.waiterHoldMs;
    const ids = await this.#d.redis.zrangebyscore(this.#k.waitingAway, '-inf', cutoff, 'LIMIT', 0, 500);
    let held = 0;
    for (const id of ids) {
      const lang = (await this.#d.store.read(id))?.language ?? '';
      if (await runScript(this.#d.redis, holdWaiterScript, this.#holdKeys(id, lang), { id, language: lang }))
        held++;
    }
    if (held > 0) this.#d.view.changed();
    return held;
  }

  /** Job: holds one waiting conversation if its visitor is still gone after WAITER_HOLD_S. */
  async holdIfGone(conversationId: string): Promise<void> {
    const r = await this.#d.store.read(conversationId);
    if (r?.state !== 'waiting' || !r.away || Date.now() - r.away.since < this.#d.config.waiterHoldMs) return;
    const held = await runScript(this.#d.redis, holdWaiterScript, this.#holdKeys(r.id, r.language), {
      id: r.id,
      language: r.language,
    });
    if (held) this.#d.view.changed();
  }

  /** The visitor of a waiting conversation is back: a held one returns to its place. */
  async unhold(r: ConversationRecord): Promise<void> {
    await runScript(this.#d.redis, unholdWaiterScript, this.#holdKeys(r.id, r.language), {
      id: r.id,
      language: r.language,
    });
  }
}
