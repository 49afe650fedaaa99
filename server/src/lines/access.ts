import type { OperatorRole } from '@stille-lijn/shared';
import { AppError } from '@stille-lijn/shared/errors';
import type { Redis } from 'ioredis';
import type { AccountLines, LineRegistry } from './registry.ts';

/** What the line rules need of an account: its role and its stored lines. */
export interface LineMember {
  role: OperatorRole;
  lines?: AccountLines;
}

/** What the line rules need of a conversation record (`LineRegistry.mayAccess`). */
export interface LinedConversation {
  line?: string | undefined;
  servedLine?: string | undefined;
  state: string;
  waitingSince: number;
}

/**
 * The lines an account belongs to: every line for an admin (PROTOCOL.md, "Lines"), else
 * `registry.accountLines` (`'*'` → all, unset → the first line).
 */
export function memberLines(registry: LineRegistry, account: LineMember): ReadonlySet<string> {
  if (account.role === 'admin') return new Set(registry.all.map((l) => l.id));
  return registry.accountLines(account.lines);
}

/** Whether the account belongs to `lineId` (admins to every line). */
export function isLineMember(registry: LineRegistry, account: LineMember, lineId: string): boolean {
  return memberLines(registry, account).has(lineId);
}

/**
 * Throws `forbidden` (403) unless the account belongs to `lineId`: `/api/stats?line=` and
 * `/api/stats/daily?line=` for a line the caller does not belong to.
 * @example assertLineMember(app.lines, currentOperator(req), req.query.line)
 */
export function assertLineMember(registry: LineRegistry, account: LineMember, lineId: string): void {
  if (!isLineMember(registry, account, lineId)) throw new AppError('forbidden');
}

/** Whether the account may reach the conversation as far as lines go (the holder rule comes on top). */
export function mayReach(
  registry: LineRegistry,
  account: LineMember,
  conv: LinedConversation,
  now: number = Date.now(),
): boolean {
  if (account.role === 'admin') return true;
  return registry.mayAccess(memberLines(registry, account), conv, now);
}

/**
 * The lines whose members may reach the conversation now: the rooms a `supervisor:alert`
 * or `report:status` about it goes to.
 */
export function reachingLines(
  registry: LineRegistry,
  conv: LinedConversation,
  now: number = Date.now(),
): string[] {
  return registry.all.map((l) => l.id).filter((id) => registry.mayAccess(new Set([id]), conv, now));
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
