import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDLE_SECONDS, estimateWait, updateEwma } from './wait.ts';

describe('updateEwma', () => {
  it('starts at the first sample', () => {
    expect(updateEwma(null, 42)).toBe(42);
  });
  it('moves a fifth of the way towards a new sample', () => {
    expect(updateEwma(100, 200)).toBeCloseTo(120);
  });
  it('treats negative samples as zero', () => {
    expect(updateEwma(10, -5)).toBeCloseTo(8);
  });
});

describe('estimateWait', () => {
  it('backs no estimate when nobody is staffed', () => {
    expect(estimateWait({ position: 1, operators: [], handleSeconds: 60 })).toBeNull();
    expect(
      estimateWait({ position: 1, operators: [{ capacity: 0, load: 0 }], handleSeconds: 60 }),
    ).toBeNull();
  });

  it('says now when a free place takes the visitor', () => {
    expect(estimateWait({ position: 2, operators: [{ capacity: 3, load: 1 }], handleSeconds: 600 })).toEqual({
      low: 0,
      high: 0,
    });
  });

  it('waits for conversations to end once every place is taken, everyone at capacity', () => {
    // Two places, both busy; third in line: three conversations must end, at two per 600 s.
    const r = estimateWait({ position: 3, operators: [{ capacity: 2, load: 2 }], handleSeconds: 600 });
    expect(r).toEqual({ low: 450, high: 1125 });
  });

  it('assumes a long handling time without history, rather than promising a short wait', () => {
    const r = estimateWait({ position: 1, operators: [{ capacity: 1, load: 1 }], handleSeconds: null });
    expect(r?.high).toBeGreaterThanOrEqual(DEFAULT_HANDLE_SECONDS);
  });

  it('with one operator, does not divide the wait as if there were more', () => {
    const one = estimateWait({ position: 2, operators: [{ capacity: 3, load: 3 }], handleSeconds: 900 })!;
    const three = estimateWait({
      position: 2,
      operators: [1, 2, 3].map(() => ({ capacity: 3, load: 3 })),
      handleSeconds: 900,
    })!;
    expect(one.high).toBeCloseTo(three.high * 3, -1);
  });
});

/** A small deterministic generator (LCG), so the simulated shifts are the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A shift in fast motion: visitors arrive at random, three operators take two conversations
 * each, first come first served, conversations last 15 minutes on average; the line is 90 %
 * busy. At every arrival the estimate is made from what the server knows then (free places,
 * position, the moving average of handling times so far); it is set against the real wait.
 */
function simulateShift(seed: number): number[] {
  const random = rng(seed);
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const operators = 3;
  const capacity = 2;
  const meanHandle = 900;
  const rate = (0.9 * operators * capacity) / meanHandle;
  const places: number[] = Array.from({ length: operators * capacity }, () => 0); // busy until
  const starts: number[] = [];
  const ended: { at: number; seconds: number }[] = [];
  let handle: number | null = null;
  const ratios: number[] = [];
  for (let t = exponential(1 / rate); t < 12 * 3600; t += exponential(1 / rate)) {
    ended.sort((a, b) => a.at - b.at);
    while (ended.length > 0 && ended[0]!.at <= t) handle = updateEwma(handle, ended.shift()!.seconds);
    const position = starts.filter((s) => s > t).length + 1;
    const busy = places.filter((p) => p > t).length;
    const loads = Array.from({ length: operators }, (_, i) =>
      Math.min(capacity, Math.max(0, busy - i * capacity)),
    );
    const estimate = estimateWait({
      position,
      operators: loads.map((load) => ({ capacity, load })),
      handleSeconds: handle,
    })!;
    places.sort((a, b) => a - b);
    const start = Math.max(t, places[0]!);
    const seconds = exponential(meanHandle);
    places[0] = start + seconds;
    starts.push(start);
    ended.push({ at: start + seconds, seconds });
    const real = start - t;
    if (real >= 30) ratios.push(estimate.high / real);
  }
  return ratios.sort((a, b) => a - b);
}

describe('estimateWait in a simulated shift', () => {
  it.each([1, 2, 3, 4, 5, 6])('gives a median of 1× to 2× the real wait (seed %i)', (seed) => {
    const ratios = simulateShift(seed);
    expect(ratios.length).toBeGreaterThan(40);
    const median = ratios[ratios.length >> 1]!;
    expect(median).toBeGreaterThanOrEqual(1);
    expect(median).toBeLessThanOrEqual(2);
  });
});
