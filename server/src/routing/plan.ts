/** An operator a routing pass may give conversations to. */
export interface PlanOperator {
  id: string;
  name: string;
  languages: string[];
  capacity: number;
  load: number;
  /** Version 2 (lines): the ids of the operator's lines. */
  lines: ReadonlySet<string>;
}

/** A waiting conversation at the head of its language's set (or of the fallback set). */
export interface Head {
  id: string;
  score: number;
  /** The conversation's own language. */
  lang: string;
  /** Read from the fallback set: Dutch and English speakers may take it too. */
  fallback?: boolean;
  /** Version 2 (lines): the set it was read from (its line, as its key names it). */
  line: string;
  /** Version 2 (lines): the lines whose operators may take it now (`LineRegistry.routableTo`). */
  routable: readonly string[];
}

/** The languages every operator on the fallback answers in. */
const FALLBACK = ['nl', 'en'];

const canTake = (o: PlanOperator, h: Head) =>
  h.routable.some((l) => o.lines.has(l)) &&
  (o.languages.includes(h.lang) || (h.fallback === true && o.languages.some((l) => FALLBACK.includes(l))));

/**
 * The assignments one routing pass proposes: the heads in routing order (score, then id),
 * each to the least loaded operator with room who speaks its language and belongs to a
 * line it is routable to (its own, or one it has overflowed to). Pure, so that the
 * order and the spreading can be tested without Redis; the proposals are then committed
 * one script each, which refuses any that a race made stale.
 */
export function planAssignments(
  operators: readonly PlanOperator[],
  heads: readonly Head[],
): { id: string; lang: string; line: string; op: PlanOperator }[] {
  const ops = operators.map((o) => ({ ...o }));
  let left = ops.reduce((n, o) => n + Math.max(0, o.capacity - o.load), 0);
  const ordered = [...heads].sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1));
  const out: { id: string; lang: string; line: string; op: PlanOperator }[] = [];
  const planned = new Set<string>();
  for (const h of ordered) {
    if (left === 0) break;
    // A conversation on the fallback is also in its own line: it is planned once.
    if (planned.has(h.id)) continue;
    let best: (typeof ops)[number] | undefined;
    for (const o of ops) {
      if (o.load < o.capacity && canTake(o, h) && (!best || o.load < best.load)) best = o;
    }
    if (!best) continue;
    planned.add(h.id);
    out.push({ id: h.id, lang: h.lang, line: h.line, op: best });
    best.load++;
    left--;
  }
  return out;
}
