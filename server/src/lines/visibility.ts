import type { LineRegistry } from './registry.ts';

/** What a waiting conversation needs for the line rules: as stored, `line` may be absent (the first line). */
export interface WaitingLineFacts {
  line?: string | undefined;
  servedLine?: string | undefined;
  /** ms */
  waitingSince: number;
}

/**
 * Whether an account of `lines` may see a waiting conversation in its queue (snapshot,
 * overview): the same rule as every other access check (`LineRegistry.mayAccess`), so that
 * routing, the queue and REST cannot disagree. The one place both the queue view and the
 * emit-time filters ask.
 */
export function canSeeWaiting(
  registry: LineRegistry,
  lines: ReadonlySet<string>,
  item: WaitingLineFacts,
  now: number,
): boolean {
  return registry.mayAccess(lines, { ...item, state: 'waiting' }, now);
}

/**
 * `overflowFrom` for a viewer: the conversation's line when the viewer's lines do not hold
 * it (they reach it through overflow), else nothing.
 */
export function overflowFromFor(
  registry: LineRegistry,
  lines: ReadonlySet<string>,
  stored: string | undefined,
): string | undefined {
  const line = registry.lineOf(stored);
  return lines.has(line) ? undefined : line;
}
