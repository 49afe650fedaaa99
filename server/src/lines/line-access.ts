import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import {
  type LinedConversation,
  type LineMember,
  mayReach,
  mayReachStored,
  memberLines,
  reachingLines,
  type StoredLines,
} from './access.ts';
import type { LineRegistry } from './registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The line checks every conversation route, event and notice asks. */
    lineAccess: LineAccess;
  }
}

/**
 * Decorates `app.lineAccess` (`app.lines` bound to Redis and the key layout), once. The
 * notify plugin calls it, in the server and in the worker alike; plugins that use it at
 * registration depend on `notify`.
 */
export function decorateLineAccess(app: FastifyInstance): void {
  if (app.hasDecorator('lineAccess')) return;
  app.decorate(
    'lineAccess',
    new LineAccess({ registry: app.lines, redis: app.redis, conversationKey: app.keys.conversation }),
  );
}

/**
 * Reads the fields of a conversation hash that the line rules need, without decoding the
 * rest: one HMGET per check. Null when there is no such conversation (the caller answers
 * as it does today for an unknown id).
 */
export async function readLined(redis: Redis, conversationKey: string): Promise<LinedConversation | null> {
  const [line, servedLine, state, waitingSince] = await redis.hmget(
    conversationKey,
    'line',
    'servedLine',
    'state',
    'waitingSince',
  );
  if (!state) return null;
  return {
    line: line || undefined,
    servedLine: servedLine || undefined,
    state,
    waitingSince: Number(waitingSince ?? 0),
  };
}

/**
 * The line checks of one deployment, bound to its Redis and key layout: what every
 * `/operator` event, REST route and notice about a conversation asks.
 */
export class LineAccess {
  readonly registry: LineRegistry;
  readonly #redis: Redis;
  readonly #conversationKey: (id: string) => string;

  constructor(deps: { registry: LineRegistry; redis: Redis; conversationKey: (id: string) => string }) {
    this.registry = deps.registry;
    this.#redis = deps.redis;
    this.#conversationKey = deps.conversationKey;
  }

  /**
   * False only when the conversation exists and the account's lines may not reach it; an
   * unknown id is left to the caller, which answers it as it always has.
   */
  async mayReach(account: LineMember, conversationId: string): Promise<boolean> {
    if (account.role === 'admin') return true;
    const conv = await readLined(this.#redis, this.#conversationKey(conversationId));
    return conv === null || mayReach(this.registry, account, conv);
  }

  /**
   * Whether the conversation exists and the account's lines may reach it: false for an
   * unknown id, unlike `mayReach` (a purged conversation grants nothing).
   */
  async mayReachExisting(account: LineMember, conversationId: string): Promise<boolean> {
    const conv = await readLined(this.#redis, this.#conversationKey(conversationId));
    return conv !== null && mayReach(this.registry, account, conv);
  }

  /**
   * Whether the account may reach a record by the lines stored on it (`mayReachStored`):
   * a report, which outlives its conversation. A record without a stored line is for
   * accounts of every line only.
   */
  mayReachStored(account: LineMember, stored: StoredLines): boolean {
    return mayReachStored(this.registry, account, stored);
  }

  /** Throws `stranger` (the answer a stranger's conversation gets) unless `mayReach`. */
  async assertReach(account: LineMember, conversationId: string, stranger: () => Error): Promise<void> {
    if (!(await this.mayReach(account, conversationId))) throw stranger();
  }

  /** The lines whose supervisors hear of the conversation now ([] for an unknown id). */
  async linesOf(conversationId: string): Promise<string[]> {
    const conv = await readLined(this.#redis, this.#conversationKey(conversationId));
    return conv ? reachingLines(this.registry, conv) : [];
  }

  /** The line a conversation started on (the first line for records from before lines). */
  async lineOf(conversationId: string): Promise<string | undefined> {
    const conv = await readLined(this.#redis, this.#conversationKey(conversationId));
    return conv ? this.registry.lineOf(conv.line) : undefined;
  }

  /** The account's lines (every line for an admin). */
  linesOfAccount(account: LineMember): ReadonlySet<string> {
    return memberLines(this.registry, account);
  }
}
