/**
 * The wait as the visitor reads it. The server's estimate is a range whose upper end
 * (`estimatedWaitSeconds`) errs long on purpose; this turns it into whole minutes without
 * promising less: the lower end is rounded down, the upper end up.
 */
export type WaitWords =
  /** Nobody can answer now (`staffed: false`): no estimate at all. */
  | { kind: 'unstaffed' }
  /** Staffed, but no estimate came (an older server, or none yet). */
  | { kind: 'unknown' }
  | { kind: 'under-minute' }
  | { kind: 'over-hour' }
  /** Up to `max` minutes (the lower end is under a minute, or unknown). */
  | { kind: 'up-to'; max: number }
  | { kind: 'about'; minutes: number }
  | { kind: 'range'; min: number; max: number };

/** Upper ends at or above this many seconds read as "more than an hour". */
const OVER_HOUR_S = 90 * 60;

export function waitWords(input: {
  staffed: boolean | undefined;
  low: number | null | undefined;
  high: number | null | undefined;
}): WaitWords {
  const { staffed, low, high } = input;
  if (staffed === false) return { kind: 'unstaffed' };
  if (high === null || high === undefined) return { kind: 'unknown' };
  if (high < 60) return { kind: 'under-minute' };
  if (high >= OVER_HOUR_S) return { kind: 'over-hour' };
  const max = Math.ceil(high / 60);
  if (low === null || low === undefined) return { kind: 'up-to', max };
  const min = Math.floor(Math.min(low, high) / 60);
  if (min < 1) return { kind: 'up-to', max };
  if (min === max) return { kind: 'about', minutes: max };
  return { kind: 'range', min, max };
}

/**
 * Whether the alternatives (0800-2000, 112) are shown while waiting: at once when nobody
 * is staffed, and when the upper end of the estimate reaches `longWaitSeconds`
 * (WAIT_ALTERNATIVES_S, default 600: ten minutes).
 */
export function showAlternatives(input: {
  staffed: boolean | undefined;
  high: number | null | undefined;
  longWaitSeconds: number;
}): boolean {
  if (input.staffed === false) return true;
  return typeof input.high === 'number' && input.high >= input.longWaitSeconds;
}
