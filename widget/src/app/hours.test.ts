import { describe, expect, it } from 'vitest';
import { weekHours } from './hours.ts';
import { startFailure } from './session.ts';

const hours = {
  tz: 'Europe/Amsterdam',
  weekly: {
    mon: [['09:00', '17:00']] as [string, string][],
    fri: [
      ['09:00', '12:00'],
      ['22:00', '02:00'],
    ] as [string, string][],
  },
};

describe('a closed line’s week', () => {
  it('lists every day Monday first in the visitor’s language, closed days without windows', () => {
    const nl = weekHours(hours, 'nl');
    expect(nl?.map((d) => d.name)).toEqual([
      'maandag',
      'dinsdag',
      'woensdag',
      'donderdag',
      'vrijdag',
      'zaterdag',
      'zondag',
    ]);
    expect(nl?.[0]?.windows).toEqual(['09:00–17:00']);
    expect(nl?.[1]?.windows).toEqual([]);
    // A window past midnight stays on the day it opens.
    expect(nl?.[4]?.windows).toEqual(['09:00–12:00', '22:00–02:00']);
    expect(nl?.[5]?.windows).toEqual([]);
  });

  it('names the days in each language of the widget', () => {
    expect(weekHours(hours, 'en')?.[0]?.name).toBe('Monday');
    expect(weekHours(hours, 'tr')?.[0]?.name).toBe('Pazartesi');
    expect(weekHours(hours, 'pl')?.[0]?.name).toBe('poniedziałek');
    expect(weekHours(hours, 'ar')?.[0]?.name).toBe('الاثنين');
  });

  it('has no week for a line open day and night', () => {
    expect(weekHours('24/7', 'nl')).toBeUndefined();
  });
});

describe('a refused chat:start', () => {
  it('shows the closed screen only for line_closed, and never guesses from the code', () => {
    expect(startFailure('line_closed')).toBe('line-closed');
    expect(startFailure('open_limit')).toBe('open-limit');
    expect(startFailure('start_limit')).toBe('open-limit');
    expect(startFailure('connection_limit')).toBe('open-limit');
    expect(startFailure('blocked')).toBe('blocked');
    // Redis past its high-water mark: a refusal like any other, with the phone numbers.
    expect(startFailure('line_full')).toBe('line-full');
    expect(startFailure('unknown_line')).toBe('start');
    expect(startFailure(undefined)).toBe('start');
  });
});
