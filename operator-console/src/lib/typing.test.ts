import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTypingThrottle } from './typing.ts';

describe('typing throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one "typing" per interval while keys keep coming, then one "stopped" after a pause', () => {
    const sent: boolean[] = [];
    const throttle = createTypingThrottle({
      emit: (t) => sent.push(t),
      intervalMs: 1000,
      idleMs: 3000,
      now: Date.now,
    });
    for (let i = 0; i < 25; i++) {
      throttle.input();
      vi.advanceTimersByTime(100);
    }
    expect(sent).toEqual([true, true, true]);
    vi.advanceTimersByTime(3000);
    expect(sent).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(4);
  });

  it('sends "stopped" once on stop, and nothing when it was not typing', () => {
    const sent: boolean[] = [];
    const throttle = createTypingThrottle({ emit: (t) => sent.push(t) });
    throttle.stop();
    expect(sent).toEqual([]);
    throttle.input();
    throttle.stop();
    throttle.stop();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false]);
  });

  it('starts a fresh "typing" right after a stop', () => {
    const sent: boolean[] = [];
    const throttle = createTypingThrottle({ emit: (t) => sent.push(t), intervalMs: 5000 });
    throttle.input();
    throttle.stop();
    throttle.input();
    expect(sent).toEqual([true, false, true]);
  });
});
