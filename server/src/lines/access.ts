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
