import { describe, expect, it } from 'vitest';
import { amsterdamDate, type Hours, isOpen, overflowChain, parseLines, wallClock } from './lines.ts';

const line = (over: Record<string, unknown>) => ({
  id: 'utrecht',
  name: 'Veilig Thuis Utrecht',
  languages: ['nl', 'en'],
  hours: '24/7',
  embedOrigins: ['https://utrecht.example'],
  ...over,
});

describe('parseLines', () => {
  it('reads a valid file', () => {
    const r = parseLines(
      JSON.stringify([
        line({ overflowTo: 'night', overflowAfterS: 120, region: 'VR09' }),
        line({ id: 'night', name: 'Nachtlijn' }),
      ]),
    );
    expect(r.problems).toEqual([]);
    expect(r.lines.map((l) => l.id)).toEqual(['utrecht', 'night']);
    expect(r.lines[0]?.region).toBe('VR09');
  });

  it('says one line per problem, naming the line', () => {
    const r = parseLines(
      JSON.stringify([
        line({ overflowTo: 'nowhere' }),
        line({ id: 'b', region: 'VR26' }),
        line({ id: 'c', hours: { tz: 'Europe/Amsterdam', weekly: { mon: [['25:00', '17:00']] } } }),
        line({ id: 'b' }),
        line({ id: 'd', hours: { tz: 'Mars/Olympus', weekly: {} } }),
      ]),
    );
    expect(r.lines).toEqual([]);
    expect(r.problems).toEqual([
      'line "b": region: unknown region (VR01…VR25)',
      expect.stringMatching(/^line "c": hours.*bad hours/),
      expect.stringMatching(/^line "d": hours.*bad hours/),
      'line "b": duplicate id',
      'line "utrecht": overflowTo "nowhere" is not a line',
    ]);
  });

  it('finds overflow cycles, each once', () => {
    const r = parseLines(
      JSON.stringify([
        line({ id: 'a', overflowTo: 'b' }),
        line({ id: 'b', overflowTo: 'c' }),
        line({ id: 'c', overflowTo: 'a' }),
        line({ id: 'd', overflowTo: 'a' }),
        line({ id: 'e', overflowTo: 'e' }),
      ]),
    );
    expect(r.problems).toEqual(['line "e": overflowTo points to itself', 'overflow cycle: a → b → c → a']);
  });

  it('refuses what is not a list of lines', () => {
    expect(parseLines('{').problems[0]).toMatch(/^not valid JSON/);
    expect(parseLines('{}').problems).toEqual(['must be a JSON array of lines']);
    expect(parseLines('[]').problems).toEqual(['holds no line']);
    expect(
      parseLines(JSON.stringify([line({ embedOrigins: ['https://a.example/path'] })])).problems,
    ).toHaveLength(1);
    expect(parseLines(JSON.stringify([line({ languages: [] })])).problems).toHaveLength(1);
    expect(parseLines(JSON.stringify([line({ extra: 1 })])).problems).toHaveLength(1);
  });
});

describe('overflowChain', () => {
  it('follows overflow transitively and stops at a cycle', () => {
    const lines = new Map([
      ['a', { overflowTo: 'b' }],
      ['b', { overflowTo: 'c' }],
      ['c', { overflowTo: 'a' }],
      ['d', {}],
    ]);
    expect(overflowChain(lines, 'a')).toEqual(['b', 'c']);
    expect(overflowChain(lines, 'd')).toEqual([]);
    expect(overflowChain(lines, 'missing')).toEqual([]);
  });
});

describe('isOpen', () => {
  const office: Hours = {
    tz: 'Europe/Amsterdam',
    weekly: { mon: [['09:00', '17:00']], fri: [['22:00', '02:00']], sat: [['00:00', '24:00']] },
  };

  it('follows weekly windows in Amsterdam time (UTC+1 in winter)', () => {
    // Monday 7 December 2026
    expect(isOpen(office, new Date('2026-12-07T07:59:00Z'))).toBe(false);
    expect(isOpen(office, new Date('2026-12-07T08:00:00Z'))).toBe(true);
    expect(isOpen(office, new Date('2026-12-07T15:59:00Z'))).toBe(true);
    expect(isOpen(office, new Date('2026-12-07T16:00:00Z'))).toBe(false);
    // Tuesday is missing from weekly: closed all day
    expect(isOpen(office, new Date('2026-12-08T10:00:00Z'))).toBe(false);
  });

  it('runs a window past midnight into the next day', () => {
    const night: Hours = { tz: 'Europe/Amsterdam', weekly: { thu: [['22:00', '02:00']] } };
    expect(isOpen(night, new Date('2026-12-10T20:59:00Z'))).toBe(false); // Thu 21:59
    expect(isOpen(night, new Date('2026-12-10T21:00:00Z'))).toBe(true); // Thu 22:00
    expect(isOpen(night, new Date('2026-12-11T00:59:00Z'))).toBe(true); // Fri 01:59
    expect(isOpen(night, new Date('2026-12-11T01:00:00Z'))).toBe(false); // Fri 02:00
    expect(isOpen(night, new Date('2026-12-11T21:30:00Z'))).toBe(false); // Fri 22:30
  });

  it('keeps wall-clock hours across the daylight-saving changes', () => {
    const nineToFive: Hours = {
      tz: 'Europe/Amsterdam',
      weekly: { sun: [['09:00', '17:00']], sat: [['22:00', '04:00']] },
    };
    // Sunday 29 March 2026: clocks go from 02:00 to 03:00; 09:00 is 07:00 UTC
    expect(isOpen(nineToFive, new Date('2026-03-29T06:59:00Z'))).toBe(false);
    expect(isOpen(nineToFive, new Date('2026-03-29T07:00:00Z'))).toBe(true);
    // The night window ends at 04:00 CEST = 02:00 UTC (it started at 22:00 CET = 21:00 UTC)
    expect(isOpen(nineToFive, new Date('2026-03-28T21:00:00Z'))).toBe(true);
    expect(isOpen(nineToFive, new Date('2026-03-29T01:59:00Z'))).toBe(true);
    expect(isOpen(nineToFive, new Date('2026-03-29T02:00:00Z'))).toBe(false);
    // Sunday 25 October 2026: clocks go from 03:00 back to 02:00; 09:00 is 08:00 UTC
    expect(isOpen(nineToFive, new Date('2026-10-25T07:59:00Z'))).toBe(false);
    expect(isOpen(nineToFive, new Date('2026-10-25T08:00:00Z'))).toBe(true);
    expect(isOpen(nineToFive, new Date('2026-10-25T03:00:00Z'))).toBe(false); // 04:00 CET
    expect(isOpen(nineToFive, new Date('2026-10-25T02:59:00Z'))).toBe(true); // 03:59 CET
  });

  it('is always open for 24/7', () => {
    expect(isOpen('24/7', new Date('2026-12-08T03:00:00Z'))).toBe(true);
  });
});

describe('amsterdamDate', () => {
  it('counts a moment on the Amsterdam day it falls on', () => {
    expect(amsterdamDate(new Date('2026-12-05T23:30:00Z'))).toBe('2026-12-06');
    expect(amsterdamDate(new Date('2026-07-05T21:59:00Z'))).toBe('2026-07-05');
    expect(amsterdamDate(new Date('2026-07-05T22:00:00Z'))).toBe('2026-07-06');
    expect(wallClock(new Date('2026-12-07T08:00:00Z'))).toEqual({
      weekday: 'mon',
      date: '2026-12-07',
      minutes: 540,
    });
  });
});
