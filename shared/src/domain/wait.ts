/**
 * Wait estimates that do not promise less than the real wait. The model: the staffed
 * operators' free places take the first visitors at once; after that, each visitor needs
 * the conversations ahead of them to end, which happens at a rate of (all places) /
 * (mean handling time). The estimate is a range around that expectation; its upper end is
 * what `estimatedWaitSeconds` says. In a simulated shift its median is between 1× and 2×
 * the real wait (wait.test.ts).
 */

/** Weight of the newest sample in a moving average. @default 0.2 */
export const EWMA_ALPHA = 0.2;

/** Handling time assumed before any conversation has ended: 20 minutes. */
export const DEFAULT_HANDLE_SECONDS = 20 * 60;

/** The range's ends, as factors of the expected wait; the upper end errs long on purpose. */
export const ESTIMATE_LOW = 0.5;
export const ESTIMATE_HIGH = 1.25;

/** Folds one observed sample (seconds) into the moving average. */
export function updateEwma(previous: number | null, sampleSeconds: number, alpha = EWMA_ALPHA): number {
  const sample = Math.max(0, sampleSeconds);
  return previous === null ? sample : alpha * sample + (1 - alpha) * previous;
}

/** An operator staffed for the conversation: status available and a console connected. */
export interface StaffedOperator {
  capacity: number;
  /** Conversations held now. */
  load: number;
}

export interface WaitRange {
  /** Seconds, rounded. */
  low: number;
  /** Seconds, rounded: this is `estimatedWaitSeconds`. */
  high: number;
}

/**
 * The estimated wait of the visitor at `position` (1 = next), or null when nobody is
 * staffed for the conversation: then no estimate can be backed.
 * @example estimateWait({ position: 3, operators: [{ capacity: 2, load: 2 }], handleSeconds: 600 }) // { low: 450, high: 1125 }
 */
export function estimateWait(input: {
  position: number;
  operators: readonly StaffedOperator[];
  /** The moving average of handling times, or null without history. */
  handleSeconds: number | null;
}): WaitRange | null {
  if (input.operators.length === 0) return null;
  const places = input.operators.reduce((n, o) => n + Math.max(0, o.capacity), 0);
  if (places === 0) return null;
  const free = input.operators.reduce((n, o) => n + Math.max(0, o.capacity - o.load), 0);
  const position = Math.max(1, input.position);
  // A free place takes the visitor at once.
  if (position <= free) return { low: 0, high: 0 };
  const handle = input.handleSeconds ?? DEFAULT_HANDLE_SECONDS;
  const expected = ((position - free) * handle) / places;
  return { low: Math.round(expected * ESTIMATE_LOW), high: Math.round(expected * ESTIMATE_HIGH) };
}
