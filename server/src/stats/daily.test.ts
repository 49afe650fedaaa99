import { describe, expect, it } from 'vitest';
import { addDays, dailyRange, isCalendarDate, waitFigures } from './daily.ts';
import { dailyCsv } from './plugin.ts';

describe('daily figures', () => {
  it('takes the median and the nearest-rank p90 from a histogram of waits', () => {
    expect(waitFigures(new Map())).toEqual({ median: 0, p90: 0 });
    expect(waitFigures(new Map([[7, 1]]))).toEqual({ median: 7, p90: 7 });
    expect(
      waitFigures(
        new Map([
          [10, 1],
          [20, 1],
        ]),
      ),
    ).toEqual({ median: 15, p90: 20 });
    // 9 short waits and one long one: the p90 is still short, the 11th pushes it up.
    expect(
      waitFigures(
        new Map([
          [5, 9],
          [600, 1],
        ]),
      ),
    ).toEqual({ median: 5, p90: 5 });
    expect(
      waitFigures(
        new Map([
          [5, 9],
          [600, 2],
        ]),
      ),
    ).toEqual({ median: 5, p90: 600 });
  });

  it('knows calendar days, across month and year ends and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });

  it('defaults to the last 30 Amsterdam days and refuses what it cannot answer', () => {
    // 2026-01-15 23:30 UTC is already the 16th in Amsterdam.
    const now = Date.parse('2026-01-15T23:30:00Z');
    expect(dailyRange({}, now)).toEqual({ from: '2025-12-18', to: '2026-01-16' });
    expect(dailyRange({ to: '2026-01-10' }, now)).toEqual({ from: '2025-12-12', to: '2026-01-10' });
    expect(() => dailyRange({ to: '2026-01-17' }, now)).toThrow(/future/);
    expect(() => dailyRange({ from: '2026-01-12', to: '2026-01-11' }, now)).toThrow(/after/);
    expect(() => dailyRange({ from: '2024-12-11' }, now)).toThrow(/400/);
    expect(dailyRange({ from: '2024-12-12' }, now).from).toBe('2024-12-12');
  });

  it('writes CSV with the shared header and one row of numbers per day', () => {
    const day = {
      date: '2026-01-16',
      started: 3,
      answered: 2,
      abandoned: 1,
      urgent: 0,
      medianWaitSeconds: 12.5,
      p90WaitSeconds: 40,
      reports: 1,
    };
    expect(dailyCsv([day])).toBe(
      'date,started,answered,abandoned,urgent,medianWaitSeconds,p90WaitSeconds,reports\r\n2026-01-16,3,2,1,0,12.5,40,1\r\n',
    );
  });
});
