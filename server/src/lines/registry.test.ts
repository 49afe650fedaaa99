import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Line } from '@stille-lijn/shared/domain/lines';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { LineRegistry, loadLines } from './registry.ts';

const base = { languages: ['nl' as const], embedOrigins: [] };
// Monday 7 December 2026, 10:00 in Amsterdam.
const MON_10 = Date.parse('2026-12-07T09:00:00Z');
const officeHours = { tz: 'Europe/Amsterdam', weekly: { mon: [['09:00', '17:00']] } } as Line['hours'];

const registry = new LineRegistry([
  {
    ...base,
    id: 'utrecht',
    name: 'Utrecht',
    hours: officeHours,
    overflowTo: 'national',
    overflowAfterS: 120,
  },
  { ...base, id: 'national', name: 'Landelijk', hours: '24/7', overflowTo: 'night', overflowAfterS: 60 },
  { ...base, id: 'night', name: 'Nacht', hours: '24/7' },
  { ...base, id: 'closed', name: 'Dicht', hours: { tz: 'Europe/Amsterdam', weekly: {} } },
  { ...base, id: 'late', name: 'Laat', hours: { tz: 'Europe/Amsterdam', weekly: {} }, overflowTo: 'night' },
]);

describe('LineRegistry', () => {
  it('sends a start without a line, and accounts without lines, to the first line', () => {
    expect(registry.resolve(undefined)?.id).toBe('utrecht');
    expect(registry.resolve('nowhere')).toBeUndefined();
    expect([...registry.accountLines(undefined)]).toEqual(['utrecht']);
    expect([...registry.accountLines(['*'])]).toEqual(['utrecht', 'national', 'night', 'closed', 'late']);
    expect([...registry.accountLines(['night', 'removed'])]).toEqual(['night']);
    expect(registry.lineOf(undefined)).toBe('utrecht');
    expect(registry.unknownIds(['*', 'night', 'x'])).toEqual(['x']);
  });

  it('overflows after each line’s wait, in turn', () => {
    expect(registry.routableTo('utrecht', MON_10 - 119_000, MON_10)).toEqual(['utrecht']);
    expect(registry.routableTo('utrecht', MON_10 - 120_000, MON_10)).toEqual(['utrecht', 'national']);
    expect(registry.routableTo('utrecht', MON_10 - 180_000, MON_10)).toEqual([
      'utrecht',
      'national',
      'night',
    ]);
  });

  it('overflows at once while a line is closed, and never without overflowAfterS while open', () => {
    const evening = Date.parse('2026-12-07T18:00:00Z');
    expect(registry.routableTo('utrecht', evening, evening)).toEqual(['utrecht', 'national']);
    expect(registry.routableTo('late', evening, evening)).toEqual(['late', 'night']);
    expect(registry.routableTo('night', evening - 3_600_000, evening)).toEqual(['night']);
  });

  it('accepts a start only when its line or a line along its overflow is open', () => {
    const evening = new Date('2026-12-07T18:00:00Z');
    expect(registry.accepts('closed', evening)).toBe(false);
    expect(registry.accepts('late', evening)).toBe(true);
    expect(registry.accepts('utrecht', evening)).toBe(true);
    expect(registry.accepts('nowhere', evening)).toBe(false);
  });

  it('lets an account reach its own lines, overflowed-in waiting ones, and what its line served', () => {
    const night = new Set(['night']);
    const waiting = { line: 'utrecht', state: 'waiting', waitingSince: MON_10 - 60_000 };
    expect(registry.mayAccess(night, waiting, MON_10)).toBe(false);
    expect(registry.mayAccess(night, waiting, MON_10 + 200_000)).toBe(true);
    expect(registry.mayAccess(night, { ...waiting, state: 'active' }, MON_10 + 200_000)).toBe(false);
    expect(registry.mayAccess(night, { ...waiting, state: 'ended', servedLine: 'night' }, MON_10)).toBe(true);
    expect(registry.mayAccess(new Set(['utrecht']), { ...waiting, line: undefined }, MON_10)).toBe(true);
    expect(registry.mayAccess(new Set(['national']), { ...waiting, line: 'late' }, MON_10)).toBe(false);
  });

  it('knows which lines feed an operator’s lines', () => {
    expect(registry.feeding(new Set(['night']))).toEqual(['utrecht', 'national', 'night', 'late']);
    expect(registry.feeding(new Set(['closed']))).toEqual(['closed']);
  });
});

describe('loadLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lines-'));
  const file = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('is one default line, open 24/7 with today’s embed origins, without LINES_FILE', () => {
    const r = loadLines({ linesFile: undefined, embedOrigins: ['https://a.example'] });
    expect(r.configured).toBe(false);
    expect(r.first).toMatchObject({ id: 'default', hours: '24/7', embedOrigins: ['https://a.example'] });
    expect(r.first.languages).toEqual(['nl', 'en', 'ar', 'tr', 'pl']);
  });

  it('stops the boot with one line per problem', () => {
    const bad = file(
      'bad.json',
      JSON.stringify([
        { id: 'a', name: 'A', languages: ['nl'], hours: '24/7', embedOrigins: [], overflowTo: 'b' },
        { id: 'b', name: 'B', languages: ['nl'], hours: '24/7', embedOrigins: [], overflowTo: 'a' },
      ]),
    );
    const err = (() => {
      try {
        loadLines({ linesFile: bad, embedOrigins: [] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).lines).toEqual(['LINES_FILE: overflow cycle: a → b → a']);
    expect(() => loadLines({ linesFile: join(dir, 'missing.json'), embedOrigins: [] })).toThrow(
      /cannot read/,
    );
  });
});
