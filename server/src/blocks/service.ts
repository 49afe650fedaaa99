import { randomBytes } from 'node:crypto';
import { AppError, refusal } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { ConversationLifecycle, ConversationStore } from '../conversations/index.ts';
import type { LineRegistry } from '../lines/registry.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';

/** A block as supervisors see it: never the address, not even its hash. */
export interface BlockInfo {
  blockId: string;
  createdAt: string;
  expiresAt: string;
  operatorName: string;
}

export interface BlocksDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  lifecycle: ConversationLifecycle;
  notifier: Notifier;
  audit: AuditLog;
  config: Readonly<Config>;
  /** Version 2 (lines): a block keeps its conversation's line; supervisors see and lift their lines' only. */
  lines?: LineRegistry;
}

/**
 * Blocking an abusive visitor's address for BLOCK_HOURS. Only the keyed hash of the
 * address is kept, with the block. Every per-address rule also hits a victim who shares
 * the abuser's network, so blocks are short and a supervisor can lift them.
 */
export class Blocks {
  readonly #d: BlocksDeps;
  constructor(deps: BlocksDeps) {
    this.#d = deps;
  }

  /**
   * `chat:block`: ends the conversation with reason `blocked` and refuses new conversations
   * from the same hashed address. Works on an open conversation, and for an hour after it
   * ended (the troll who leaves at once). Blocking the same conversation again changes nothing.
   * Once a supervisor lifted its block, only a supervisor may block it again (`role_required`)
   * until that block would have run out: the holder cannot undo the decision at once.
   */
  async block(
    conversationId: string,
    actor: { id: string; displayName: string; supervisor: boolean },
  ): Promise<{ blockId: string }> {
    const d = this.#d;
    const k = d.keys;
    const r = await d.store.get(conversationId);
    if (!actor.supervisor && r.operatorId !== actor.id) throw refusal('not_holder');
    if (r.blockId) {
      const [addr, lifted] = await d.redis.hmget(k.block(r.blockId), 'addr', 'lifted');
      if (addr) return { blockId: r.blockId };
      if (lifted && !actor.supervisor) throw refusal('role_required');
    }
    const addr = r.addr || (await d.redis.get(k.endedAddress(conversationId)));
    if (!addr) throw refusal('block_too_late');
    if (r.state !== 'ended') {
      if (r.operatorId)
        d.notifier.toOperator(r.operatorId, 'chat:visitor-left', { conversationId, reason: 'ended' });
      await d.lifecycle.end(conversationId, 'blocked');
    }
    const line = d.lines?.lineOf((await d.redis.hget(k.conversation(conversationId), 'line')) ?? undefined);
    const blockId = randomBytes(16).toString('base64url');
    const now = Date.now();
    const expiresAt = now + d.config.blockMs;
    await d.redis
      .multi()
      .set(k.blockedAddress(addr), blockId, 'PX', d.config.blockMs)
      .hset(k.block(blockId), {
        addr,
        createdAt: String(now),
        expiresAt: String(expiresAt),
        operatorName: actor.displayName,
        ...(line ? { line } : {}),
      })
      .pexpire(k.block(blockId), d.config.blockMs)
      .zadd(k.blocks, expiresAt, blockId)
      .hset(k.conversation(conversationId), 'blockId', blockId)
      .exec();
    await d.audit.record('block', actor.id, conversationId);
    return { blockId };
  }

  /**
   * The blocks in force, newest first, without any address (`GET /api/blocks`): with
   * `lines`, only blocks made on those lines (a block from before lines: the first line).
   */
  async list(lines?: ReadonlySet<string>): Promise<BlockInfo[]> {
    const k = this.#d.keys;
    const now = Date.now();
    await this.#d.redis.zremrangebyscore(k.blocks, '-inf', now);
    const ids = await this.#d.redis.zrevrangebyscore(k.blocks, '+inf', now);
    const rows = await Promise.all(ids.map((id) => this.#d.redis.hgetall(k.block(id))));
    const out: BlockInfo[] = [];
    rows.forEach((r, i) => {
      if (!r.createdAt || !r.expiresAt) return;
      if (!this.#inLines(r.line, lines)) return;
      out.push({
        blockId: ids[i]!,
        createdAt: new Date(Number(r.createdAt)).toISOString(),
        expiresAt: new Date(Number(r.expiresAt)).toISOString(),
        operatorName: r.operatorName ?? '',
      });
    });
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Lifts a block (`DELETE /api/blocks/:blockId`); audited. With `lines`, a block of
   * another line is `not_found`, as an unknown one. The lift is remembered in the block's
   * hash, emptied to `{ lifted }` and expiring when the block would have (see `block`).
   */
  async lift(blockId: string, actorId: string, lines?: ReadonlySet<string>): Promise<void> {
    const k = this.#d.keys;
    const [addr, line, expiresAt] = await this.#d.redis.hmget(k.block(blockId), 'addr', 'line', 'expiresAt');
    if (!addr || !this.#inLines(line ?? undefined, lines)) throw new AppError('not_found');
    const tx = this.#d.redis.multi();
    // Only this block: a newer one on the same address stays.
    if ((await this.#d.redis.get(k.blockedAddress(addr))) === blockId) tx.del(k.blockedAddress(addr));
    tx.del(k.block(blockId)).zrem(k.blocks, blockId);
    const now = Date.now();
    if (Number(expiresAt) > now) {
      tx.hset(k.block(blockId), 'lifted', String(now)).pexpireat(k.block(blockId), Number(expiresAt));
    }
    await tx.exec();
    await this.#d.audit.record('block-lift', actorId, blockId);
  }

  #inLines(line: string | undefined, lines: ReadonlySet<string> | undefined): boolean {
    if (!lines || !this.#d.lines) return true;
    return lines.has(this.#d.lines.lineOf(line));
  }
}
