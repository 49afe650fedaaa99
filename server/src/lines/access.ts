import type { OperatorRole } from '@stille-lijn/shared';
import { AppError } from '@stille-lijn/shared/errors';
import type { AccountLines, LineRegistry } from './registry.ts';

/** What the line rules need of an account: its role and its stored lines. */
export interface LineMember {
  role: OperatorRole;
  lines?: AccountLines;
}

/**
 * The lines an account belongs to: every line for an admin (PROTOCOL.md, "Lines"), else
 * `registry.accountLines` (`'*'` → all, unset → the first line).
 */
export function memberLines(registry: LineRegistry, account: LineMember): ReadonlySet<string> {
  if (account.role === 'admin') return new Set(registry.all.map((l) => l.id));
  return registry.accountLines(account.lines);
}

/**
 * Throws `forbidden` (403) unless the account belongs to `lineId`: `/api/stats?line=` and
 * `/api/stats/daily?line=` for a line the caller does not belong to.
 * @example assertLineMember(app.lines, currentOperator(req), req.query.line)
 */
export function assertLineMember(registry: LineRegistry, account: LineMember, lineId: string): void {
  if (!memberLines(registry, account).has(lineId)) throw new AppError('forbidden');
}

/** Whether the account belongs to `lineId` (admins to every line). */
export function isLineMember(registry: LineRegistry, account: LineMember, lineId: string): boolean {
  return memberLines(registry, account).has(lineId);
}

/** What the line rules need of a conversation record (`LineRegistry.mayAccess`). */
export interface LinedConversation {
  line?: string | undefined;
  servedLine?: string | undefined;
  state: string;
  waitingSince: number;
}

/** Whether the account may reach the conversation as far as lines go (the holder rule comes on top). */
export function mayReach(
  registry: LineRegistry,
  account: LineMember,
  conv: LinedConversation,
  now: number = Date.now(),
): boolean {
  if (account.role === 'admin') return true;
  // A line removed from LINES_FILE: its conversations finish with the accounts that were on
  // it (and those of every line), so a holder is neither cut off nor requeued mid-conversation.
  const line = registry.lineOf(conv.line);
  if (registry.get(line) === undefined)
    return account.lines?.includes(line) === true || account.lines?.includes('*') === true;
  return registry.mayAccess(memberLines(registry, account), conv, now);
}

/**
 * The lines a record kept apart from its conversation stores (a report, which outlives
 * the conversation): the conversation's line when the record was made and, when an
 * operator of another line then held it through overflow, that line. `line` absent: a
 * record stored before records kept their line.
 */
export interface StoredLines {
  line?: string | undefined;
  servedLine?: string | undefined;
}

/**
 * Whether the account is a member of every line of the deployment (an admin, `'*'`, or
 * any account where there is one line): what something shared by every line asks.
 */
export function coversEveryLine(registry: LineRegistry, account: LineMember): boolean {
  const mine = memberLines(registry, account);
  return registry.all.every((l) => mine.has(l.id));
}

/**
 * Whether the account may reach a record by the lines stored on it, whether or not its
 * conversation still exists: as it would a conversation on that line that no longer
 * waits (its line, or the line that served it). A record without a stored line (written
 * before records kept one) is reachable only by an account that may see every line (an
 * admin, or `'*'`), never by a supervisor of some lines: nothing tells which line it is.
 */
export function mayReachStored(registry: LineRegistry, account: LineMember, stored: StoredLines): boolean {
  if (account.role === 'admin') return true;
  if (stored.line === undefined) return coversEveryLine(registry, account);
  return mayReach(registry, account, {
    line: stored.line,
    servedLine: stored.servedLine,
    state: 'stored',
    waitingSince: 0,
  });
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
