import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { showAlternatives, type WaitWords, waitWords } from './wait.ts';

/** The longest wait, in seconds, that the words allow (Infinity for "more than an hour"). */
function upperOf(w: WaitWords): number {
  switch (w.kind) {
    case 'under-minute':
      return 60;
    case 'up-to':
    case 'range':
      return w.max * 60;
    case 'about':
      return w.minutes * 60;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

describe('waitWords', () => {
  it('gives no estimate at all when nobody is staffed, whatever the numbers say', () => {
    expect(waitWords({ staffed: false, low: 60, high: 120 })).toEqual({ kind: 'unstaffed' });
    expect(waitWords({ staffed: false, low: null, high: null })).toEqual({ kind: 'unstaffed' });
  });

  it('reads a range in whole minutes: lower end down, upper end up', () => {
    expect(waitWords({ staffed: true, low: 150, high: 230 })).toEqual({ kind: 'range', min: 2, max: 4 });
    expect(waitWords({ staffed: true, low: 240, high: 240 })).toEqual({ kind: 'about', minutes: 4 });
    expect(waitWords({ staffed: true, low: 30, high: 90 })).toEqual({ kind: 'up-to', max: 2 });
    expect(waitWords({ staffed: true, low: undefined, high: 300 })).toEqual({ kind: 'up-to', max: 5 });
    expect(waitWords({ staffed: true, low: 0, high: 0 })).toEqual({ kind: 'under-minute' });
    expect(waitWords({ staffed: true, low: 2000, high: 5400 })).toEqual({ kind: 'over-hour' });
    expect(waitWords({ staffed: undefined, low: null, high: null })).toEqual({ kind: 'unknown' });
  });

  it('never tells less than the upper end the server sent', () => {
    fc.assert(
      fc.property(fc.nat(20_000), fc.nat(20_000), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const w = waitWords({ staffed: true, low, high });
        expect(upperOf(w)).toBeGreaterThanOrEqual(high);
        if (w.kind === 'range') expect(w.min).toBeLessThan(w.max);
      }),
    );
  });
});

describe('showAlternatives', () => {
  it('shows them at once when nobody is staffed, and when the upper end reaches the threshold', () => {
    expect(showAlternatives({ staffed: false, high: null, longWaitSeconds: 600 })).toBe(true);
    expect(showAlternatives({ staffed: true, high: 599, longWaitSeconds: 600 })).toBe(false);
    expect(showAlternatives({ staffed: true, high: 600, longWaitSeconds: 600 })).toBe(true);
    expect(showAlternatives({ staffed: true, high: null, longWaitSeconds: 600 })).toBe(false);
    expect(showAlternatives({ staffed: undefined, high: 30, longWaitSeconds: 600 })).toBe(false);
  });
});
