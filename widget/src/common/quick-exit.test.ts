import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ExitKey, watchExitKeys } from './quick-exit.ts';

describe('the quick-exit keys', () => {
  let target: EventTarget;
  let exits: number;
  let progress: [ExitKey, number][];
  const key = (type: 'keydown' | 'keyup', name: string, repeat = false) =>
    target.dispatchEvent(Object.assign(new Event(type), { key: name, repeat }));
  /** A key pressed and released alone. */
  const press = (name: string) => {
    key('keydown', name);
    key('keyup', name);
  };
  /** Shift held while `name` is pressed, as for a capital letter. */
  const withShift = (name: string) => {
    key('keydown', 'Shift');
    key('keydown', name);
    key('keyup', name);
    key('keyup', 'Shift');
  };

  beforeEach(() => {
    vi.useFakeTimers();
    target = new EventTarget();
    exits = 0;
    progress = [];
    watchExitKeys(
      target as unknown as Window,
      (k, left) => progress.push([k, left]),
      () => exits++,
    );
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves on Shift pressed alone three times, each within 5 s, and counts down on the way', () => {
    press('Shift');
    vi.advanceTimersByTime(4_900);
    press('Shift');
    vi.advanceTimersByTime(4_900);
    expect(exits).toBe(0);
    press('Shift');
    expect(exits).toBe(1);
    expect(progress).toEqual([
      ['Shift', 2],
      ['Shift', 1],
    ]);
  });

  it('leaves on Esc pressed twice; a held Esc (auto-repeat) counts once', () => {
    key('keydown', 'Escape');
    key('keydown', 'Escape', true);
    expect(exits).toBe(0);
    press('Escape');
    expect(exits).toBe(1);
  });

  it('starts again after a pause over 5 s, and says so', () => {
    press('Shift');
    press('Shift');
    vi.advanceTimersByTime(5_001);
    expect(progress.at(-1)).toEqual(['Shift', 0]);
    press('Shift');
    expect(exits).toBe(0);
  });

  it('never counts Shift used with another key, and any other key resets the count', () => {
    for (const letter of ['A', 'B', 'C', 'D', 'Tab', 'Enter']) withShift(letter);
    expect(exits).toBe(0);
    press('Shift');
    press('Shift');
    press('a');
    press('Shift');
    expect(exits).toBe(0);
    press('Shift');
    press('Escape');
    press('Shift');
    press('Shift');
    expect(exits).toBe(0);
    press('Escape');
    press('x');
    press('Escape');
    expect(exits).toBe(0);
  });
});
