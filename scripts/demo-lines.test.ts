import { readFileSync } from 'node:fs';
import { parseLines } from '@stille-lijn/shared/domain/lines';
import { describe, expect, it } from 'vitest';
import { LineRegistry } from '../server/src/lines/registry.ts';

// start.mjs is plain Node ESM (it runs before `npm install`), without types.
const { writeDemoLines } = (await import('./start.mjs' as string)) as {
  writeDemoLines(env: Record<string, string>): string;
};

describe('npm start -- --demo-lines', () => {
  it('writes two valid lines, utrecht overflowing to landelijk after 60 s, embeddable from the demo page', () => {
    const file = writeDemoLines({ PORT: '8080' });
    const { lines, problems } = parseLines(readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(lines.map((l) => l.id)).toEqual(['utrecht', 'landelijk']);
    expect(lines[0]).toMatchObject({ overflowTo: 'landelijk', overflowAfterS: 60, region: 'VR09' });
    expect(lines.every((l) => l.embedOrigins.includes('http://localhost:8080'))).toBe(true);
    const registry = new LineRegistry(lines);
    const now = Date.now();
    expect(registry.routableTo('utrecht', now - 30_000, now)).toEqual(['utrecht']);
    expect(registry.routableTo('utrecht', now - 61_000, now)).toEqual(['utrecht', 'landelijk']);
  });
});
