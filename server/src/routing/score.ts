/**
 * A waiting conversation's score in its language's sorted set: its tier, then the time it
 * began to wait (ms), so each tier is served oldest first. Tiers are whole spans apart and
 * a time is always less than one span (2.5e12 ms is the year 2049), so the time is the score
 * modulo the span. Release 1 and 2 scores (urgent `since`, the rest 1e13 + `since`) keep
 * their meaning.
 *
 *   span 0  urgent                       span 1  urgent, on the language fallback
 *   span 2  a high danger signal         span 3  high signal, on the fallback
 *   span 4  the rest                     span 5  the rest, on the fallback
 */
export const TIER_SPAN = 2_500_000_000_000;
/** Added to a conversation that is not urgent. */
export const URGENT_OFFSET = 4 * TIER_SPAN;
/** Added to a conversation that is not urgent but shows a high danger signal. */
export const SIGNAL_OFFSET = 2 * TIER_SPAN;
/**
 * Added to a conversation's score on the fallback set: for a Dutch or English speaker it
 * ranks after the conversations in their own languages of the same tier, and before the
 * next tier.
 */
export const FALLBACK_SHIFT = TIER_SPAN;

/** The routing score: urgent first, then a high danger signal, then the rest; oldest first in each. */
export const routingScore = (urgent: boolean, since: number, highSignal = false) =>
  (urgent ? 0 : highSignal ? SIGNAL_OFFSET : URGENT_OFFSET) + since;

/** When a conversation began to wait, from its score on a waiting or fallback set. */
export const sinceOf = (score: number) => score % TIER_SPAN;
