import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, givenUp, NOT_NOW_BACKOFF, NOT_NOW_GIVE_UP_MS, RetryRound } from './retry.ts';

describe('backoffDelay', () => {
  it('doubles from the first wait up to the longest', () => {
    const waits = [0, 1, 2, 3, 4, 5, 40].map((round) => backoffDelay(round, NOT_NOW_BACKOFF));
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('waits as long as the server asks when that is longer', () => {
    expect(backoffDelay(0, NOT_NOW_BACKOFF, 10_000)).toBe(10_000);
    expect(backoffDelay(4, NOT_NOW_BACKOFF, 10_000)).toBe(30_000);
    expect(backoffDelay(9, NOT_NOW_BACKOFF, 45_000)).toBe(45_000);
  });

  it('follows its own first and longest wait', () => {
    expect([0, 1, 2, 3].map((round) => backoffDelay(round, { firstMs: 1_000, maxMs: 5_000 }))).toEqual([
      1_000, 2_000, 4_000, 5_000,
    ]);
  });

  it('never waits less than asked, nor longer than the longest wait or the ask, and never shrinks', () => {
    fc.assert(
      fc.property(fc.nat(2_000), fc.nat(600_000), (round, asked) => {
        const wait = backoffDelay(round, NOT_NOW_BACKOFF, asked);
        expect(wait).toBeGreaterThanOrEqual(asked);
        expect(wait).toBeGreaterThanOrEqual(NOT_NOW_BACKOFF.firstMs);
        expect(wait).toBeLessThanOrEqual(Math.max(NOT_NOW_BACKOFF.maxMs, asked));
        expect(backoffDelay(round + 1, NOT_NOW_BACKOFF, asked)).toBeGreaterThanOrEqual(wait);
      }),
    );
  });
});

describe('givenUp', () => {
  it('gives up exactly the give-up time after the first "not now"', () => {
    expect(givenUp(1_000, 1_000 + NOT_NOW_GIVE_UP_MS - 1)).toBe(false);
    expect(givenUp(1_000, 1_000 + NOT_NOW_GIVE_UP_MS)).toBe(true);
    expect(givenUp(1_000, 1_000 + 10_000, 5_000)).toBe(true);
  });

  it('tries at 2, 6, 14, 30, 60, 90 and 120 s, and then stops', () => {
    const tries: number[] = [];
    let now = 0;
    for (let round = 0; !givenUp(0, now); round += 1) {
      now += backoffDelay(round, NOT_NOW_BACKOFF);
      tries.push(now / 1_000);
    }
    expect(tries).toEqual([2, 6, 14, 30, 60, 90, 120]);
  });
});

describe('RetryRound', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Schedules on `round` and records when each run fires (ms since the start). */
  function recorder(round: RetryRound) {
    const start = Date.now();
    const fired: string[] = [];
    return {
      fired,
      schedule: (name: string, askedMs = 0) =>
        round.schedule(askedMs, () => fired.push(`${name}@${Date.now() - start}`)),
    };
  }

  it('runs once per round, the waits doubling from round to round', () => {
    const round = new RetryRound();
    const { fired, schedule } = recorder(round);
    schedule('a');
    expect(round.waiting).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(round.waiting).toBe(false);
    schedule('b');
    vi.advanceTimersByTime(4_000);
    schedule('c');
    vi.advanceTimersByTime(8_000);
    expect(fired).toEqual(['a@2000', 'b@6000', 'c@14000']);
  });

  it('lets a second "not now" ride along with the running round, unless it asks for later', () => {
    const round = new RetryRound();
    const { fired, schedule } = recorder(round);
    schedule('first');
    vi.advanceTimersByTime(500);
    schedule('along', 1_000);
    vi.advanceTimersByTime(1_500);
    expect(fired).toEqual(['first@2000']);
    schedule('later');
    vi.advanceTimersByTime(1_000);
    schedule('asked', 10_000);
    vi.advanceTimersByTime(30_000);
    // The round that 'later' started (4 s) was moved to 10 s after 'asked', and ran once.
    expect(fired).toEqual(['first@2000', 'asked@13000']);
  });

  it('starts again from the first wait after a reset, and runs nothing after a stop', () => {
    const round = new RetryRound();
    const { fired, schedule } = recorder(round);
    schedule('a');
    vi.advanceTimersByTime(2_000);
    round.reset();
    schedule('b');
    vi.advanceTimersByTime(2_000);
    schedule('c');
    round.stop();
    expect(round.waiting).toBe(false);
    vi.advanceTimersByTime(60_000);
    schedule('d');
    vi.advanceTimersByTime(2_000);
    expect(fired).toEqual(['a@2000', 'b@4000', 'd@66000']);
  });
});
