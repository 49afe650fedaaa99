/**
 * Wait estimates: an exponentially weighted moving average of recent waits, scaled by
 * the visitor's position and the number of operators available.
 */

/** Weight of the newest sample. @default 0.2 */
export const EWMA_ALPHA = 0.2;

/** Folds one observed wait (seconds) into the moving average. */
export function updateEwma(previous: number | null, sampleSeconds: number, alpha = EWMA_ALPHA): number {
  const sample = Math.max(0, sampleSeconds);
  return previous === null ? sample : alpha * sample + (1 - alpha) * previous;
}

/**
 * The estimated wait in whole seconds for a visitor at `position` (1 = next), or null
 * when there is no history to base it on.
 * @example estimateWaitSeconds({ ewmaSeconds: 60, position: 3, operatorsAvailable: 2 }) // 90
 */
export function estimateWaitSeconds(input: {
  ewmaSeconds: number | null;
  position: number;
  operatorsAvailable: number;
}): number | null {
  if (input.ewmaSeconds === null || !Number.isFinite(input.ewmaSeconds)) return null;
  const position = Math.max(1, input.position);
  const operators = Math.max(1, input.operatorsAvailable);
  return Math.max(0, Math.round((input.ewmaSeconds * position) / operators));
}
