/**
 * The waits between tries after an answer that says "not now" (`unavailable`, `internal`:
 * an instance draining, a Redis failover; nothing was stored), and the one round of tries that
 * the widget's session and the console's outbox each keep per connection.
 */

/** After an answer that says "not now": ask again after this at the least. @default 2000 */
export const NOT_NOW_RETRY_MS = 2_000;
/** "Not now" again and again: the waits double from NOT_NOW_RETRY_MS up to this. @default 30000 */
export const NOT_NOW_RETRY_MAX_MS = 30_000;
/**
 * Answered "not now" still this long after the first time, a message is given up (shown as
 * not sent, with a retry). A drain lasts 5 s and a Sentinel failover well under a minute
 * (down-after 5 s, failover-timeout 30 s): two minutes (tries at 2, 6, 14, 30, 60, 90 and
 * 120 s) outlast both with room to spare, while a victim is not left believing for longer
 * than that that words which never arrived were on their way. @default 120000
 */
export const NOT_NOW_GIVE_UP_MS = 120_000;

/** Waits that double from `firstMs` up to `maxMs`. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** The waits after "not now": 2 s doubling to 30 s. */
export const NOT_NOW_BACKOFF: Readonly<Backoff> = { firstMs: NOT_NOW_RETRY_MS, maxMs: NOT_NOW_RETRY_MAX_MS };

/**
 * The wait before try `round + 1` (`round` 0 is the first wait), or as long as the server
 * asked (`askedMs`, from `retryAfterSeconds`) when that is longer.
 * @example backoffDelay(2, NOT_NOW_BACKOFF) // 8000
 * @example backoffDelay(0, NOT_NOW_BACKOFF, 10_000) // 10000
 */
export function backoffDelay(round: number, { firstMs, maxMs }: Backoff, askedMs = 0): number {
  return Math.max(Math.min(firstMs * 2 ** round, maxMs), askedMs);
}

/**
 * Whether something first answered "not now" at `sinceMs` is given up at `nowMs`.
 * @example givenUp(0, 120_000) // true
 */
export function givenUp(sinceMs: number, nowMs: number, limitMs = NOT_NOW_GIVE_UP_MS): boolean {
  return nowMs - sinceMs >= limitMs;
}

/**
 * One round of tries for everything answered "not now" on a connection: one timer for all.
 * A "not now" while the timer runs rides along with it, or moves it when the server asked
 * for a later try; one after it ran starts the next round, whose wait doubles
 * (`backoffDelay`). While `waiting`, the caller holds back what is written after, so as not
 * to overtake what waits.
 */
export class RetryRound {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When `timer` is due. */
  private due = 0;
  /** Rounds in a row (the wait doubles with each). */
  private rounds = 0;
  private readonly backoff: Readonly<Backoff>;

  constructor(backoff: Readonly<Backoff> = NOT_NOW_BACKOFF) {
    this.backoff = backoff;
  }

  /** Whether a round's timer runs. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** Runs `run` when this round is due (`askedMs`: how long the server asked to wait, if it did). */
  schedule(askedMs: number, run: () => void): void {
    const now = Date.now();
    if (this.timer !== undefined && now + askedMs <= this.due) return;
    let delay = askedMs;
    if (this.timer === undefined) {
      delay = backoffDelay(this.rounds, this.backoff, askedMs);
      this.rounds += 1;
    }
    clearTimeout(this.timer);
    this.due = now + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, delay);
  }

  /** Everything went through: the next "not now" waits the first wait again. */
  reset(): void {
    this.rounds = 0;
  }

  /** No more tries on this connection (a new one, or none): the timer stops, the rounds reset. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.rounds = 0;
  }
}
