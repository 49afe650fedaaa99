import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Three lines: one open day and night, one never open, one closed that overflows to the first. */
export const TEST_LINES = [
  {
    id: 'utrecht',
    name: 'Veilig Thuis Utrecht',
    languages: ['nl', 'en'],
    hours: '24/7',
    embedOrigins: ['https://utrecht.example'],
    region: 'VR09',
  },
  {
    id: 'gesloten',
    name: 'Gesloten Lijn',
    languages: ['nl'],
    hours: { tz: 'Europe/Amsterdam', weekly: {} },
    embedOrigins: ['https://gesloten.example', 'https://ook-gesloten.example'],
  },
  {
    id: 'avond',
    name: 'Avondlijn',
    languages: ['nl'],
    hours: { tz: 'Europe/Amsterdam', weekly: {} },
    overflowTo: 'utrecht',
    overflowAfterS: 120,
    embedOrigins: [],
  },
];

/** Writes `lines` to a fresh temporary `LINES_FILE` and returns its path. */
export function writeLinesFile(lines: unknown = TEST_LINES): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sl-lines-')), 'lines.json');
  writeFileSync(file, JSON.stringify(lines));
  return file;
}
