import type { Line } from '@stille-lijn/shared/domain/lines';
import { AppError } from '@stille-lijn/shared/errors';
import { describe, expect, it } from 'vitest';
import { assertLineMember, mayReach, mayReachStored, memberLines, reachingLines } from './access.ts';
import { LineRegistry } from './registry.ts';

const base = { languages: ['nl' as const], embedOrigins: [] };
const closed = { tz: 'Europe/Amsterdam', weekly: {} } as Line['hours'];
const registry = new LineRegistry([
  { ...base, id: 'utrecht', name: 'Utrecht', hours: '24/7', overflowTo: 'night', overflowAfterS: 120 },
  { ...base, id: 'night', name: 'Nacht', hours: '24/7' },
  { ...base, id: 'closed', name: 'Dicht', hours: closed, overflowTo: 'night' },
]);
const NOW = Date.parse('2026-12-07T09:00:00Z');
const waiting = (line: string, waitedS = 0) => ({
  line,
  state: 'waiting',
  waitingSince: NOW - waitedS * 1000,
});

describe('line access', () => {
  it('lets a conversation of a line removed from the file finish with that line’s accounts and those of every line', () => {
    const active = { line: 'removed', state: 'active', waitingSince: NOW - 60_000 };
    expect(mayReach(registry, { role: 'operator', lines: ['removed'] }, active, NOW)).toBe(true);
    expect(mayReach(registry, { role: 'supervisor', lines: ['*'] }, active, NOW)).toBe(true);
    expect(mayReach(registry, { role: 'operator', lines: ['utrecht'] }, active, NOW)).toBe(false);
    expect(mayReach(registry, { role: 'operator' }, active, NOW)).toBe(false);
  });

  it('mayReachStored: a report by the lines stored on it; one stored without a line only by accounts of every line', () => {
    const night = { role: 'supervisor' as const, lines: ['night'] };
    const utrecht = { role: 'supervisor' as const, lines: ['utrecht'] };
    expect(mayReachStored(registry, utrecht, { line: 'utrecht' })).toBe(true);
    expect(mayReachStored(registry, night, { line: 'utrecht' })).toBe(false);
    // Taken through overflow by an operator of `night` when it was made.
    expect(mayReachStored(registry, night, { line: 'utrecht', servedLine: 'night' })).toBe(true);
    // Written before reports kept their line: never a supervisor of some lines.
    expect(mayReachStored(registry, utrecht, {})).toBe(false);
    expect(mayReachStored(registry, { role: 'supervisor' }, {})).toBe(false);
    expect(mayReachStored(registry, { role: 'supervisor', lines: ['*'] }, {})).toBe(true);
    expect(mayReachStored(registry, { role: 'admin', lines: ['night'] }, {})).toBe(true);
  });

  it('puts admins on every line and accounts without lines on the first', () => {
    expect([...memberLines(registry, { role: 'admin', lines: ['night'] })]).toEqual([
      'utrecht',
      'night',
      'closed',
    ]);
    expect([...memberLines(registry, { role: 'operator' })]).toEqual(['utrecht']);
    expect([...memberLines(registry, { role: 'supervisor', lines: ['*'] })]).toHaveLength(3);
  });

  it('assertLineMember: 403 for a line the caller does not belong to, also a line that does not exist', () => {
    const night = { role: 'supervisor' as const, lines: ['night'] };
    expect(() => assertLineMember(registry, night, 'night')).not.toThrow();
    for (const line of ['utrecht', 'nowhere']) {
      let thrown: unknown;
      try {
        assertLineMember(registry, night, line);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe('forbidden');
    }
    expect(() => assertLineMember(registry, { role: 'admin' }, 'utrecht')).not.toThrow();
  });

  it('lets another line reach a waiting conversation only once it has overflowed there', () => {
    const night = { role: 'operator' as const, lines: ['night'] };
    expect(mayReach(registry, night, waiting('utrecht', 60), NOW)).toBe(false);
    expect(mayReach(registry, night, waiting('utrecht', 121), NOW)).toBe(true);
    expect(mayReach(registry, night, { ...waiting('utrecht', 121), state: 'active' }, NOW)).toBe(false);
    expect(
      mayReach(registry, night, { ...waiting('utrecht'), state: 'active', servedLine: 'night' }, NOW),
    ).toBe(true);
    expect(reachingLines(registry, waiting('closed'), NOW)).toEqual(['night', 'closed']);
    expect(reachingLines(registry, waiting('utrecht'), NOW)).toEqual(['utrecht']);
  });
});
