import { describe, expect, it } from 'vitest';
import { formatDayTime, formatDuration, secondsSince, secondsUntil } from './time.ts';

describe('time helpers', () => {
  const now = Date.parse('2025-01-01T10:00:00.000Z');

  it('counts whole seconds since and until, never below zero', () => {
    expect(secondsSince('2025-01-01T09:58:00.500Z', now)).toBe(119);
    expect(secondsSince('2025-01-01T10:05:00.000Z', now)).toBe(0);
    expect(secondsUntil('2025-01-01T10:00:00.200Z', now)).toBe(1);
    expect(secondsUntil('2025-01-01T09:00:00.000Z', now)).toBe(0);
    expect(secondsSince('not a date', now)).toBe(0);
  });

  it('formats durations as a clock', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(45)).toBe('0:45');
    expect(formatDuration(725)).toBe('12:05');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('0:00');
  });

  it('formats a day and time in the locale, and nothing for a bad date', () => {
    const local = new Date(2025, 11, 5, 14, 5).toISOString();
    expect(formatDayTime(local, 'nl-NL')).toMatch(/^5 dec\.? ?,? 14:05$/);
    expect(formatDayTime(local, 'en-GB')).toMatch(/^5 Dec,? 14:05$/);
    expect(formatDayTime('not a date', 'nl-NL')).toBe('');
  });
});
