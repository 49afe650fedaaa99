import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDefaults, configVariables, loadConfig } from './config.ts';

/**
 * README.md's "Configuration" table says it follows server/src/config.ts ("the source of
 * truth for this table"); this keeps it so: one row per variable the schema reads, and each
 * documented default the schema's own.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Defaults the schema leaves unset but the server derives; the README describes them. */
const DERIVED: Record<string, { doc: string; check: () => void }> = {
  PUBLIC_URL: {
    doc: 'http://localhost:$PORT',
    check: () => expect(loadConfig({ PORT: '8123' }).publicUrl).toBe('http://localhost:8123'),
  },
  EMBED_ORIGINS: {
    doc: "PUBLIC_URL's origin",
    check: () =>
      expect(loadConfig({ PUBLIC_URL: 'https://chat.example.nl/x' }).embedOrigins).toEqual([
        'https://chat.example.nl',
      ]),
  },
};

/** The table's rows under "## Configuration": variable name and default cell. */
function configurationRows(readme: string): { name: string; default: string }[] {
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  const lines = section.split('\n');
  const header = lines.findIndex((l) => /^\|\s*variable\s*\|\s*default\s*\|\s*meaning\s*\|$/.test(l.trim()));
  if (header === -1) throw new Error('no "| variable | default | meaning |" table under "## Configuration"');
  const rows: { name: string; default: string }[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    // `\|` inside a cell is an escaped pipe, not a column.
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) throw new Error(`a row of the configuration table names no variable: ${line.slice(0, 80)}`);
    rows.push({ name, default: cells[2] ?? '' });
  }
  return rows;
}

/** A default cell as plain text: backticks gone, `—` (or `-`, empty) for none. */
function normalise(cell: string): string | undefined {
  const text = cell.replace(/`/g, '').trim();
  return text === '' || text === '—' || text === '-' ? undefined : text;
}

/** Everything on which the table and the schema disagree, one sentence each. */
function tableProblems(
  readme: string,
  variables: readonly string[],
  defaults: Readonly<Record<string, string | number>>,
): string[] {
  const problems: string[] = [];
  const rows = configurationRows(readme);
  const documented = new Map<string, string>();
  for (const row of rows) {
    if (documented.has(row.name)) problems.push(`${row.name} has two rows in the README table`);
    documented.set(row.name, row.default);
  }
  for (const name of variables) {
    if (!documented.has(name)) problems.push(`${name} is read by config.ts but has no README row`);
  }
  for (const [name, cell] of documented) {
    if (!variables.includes(name)) {
      problems.push(`${name} has a README row but config.ts does not read it`);
      continue;
    }
    const doc = normalise(cell);
    const schema = defaults[name];
    if (schema === undefined) {
      const derived = DERIVED[name];
      if (derived ? doc !== derived.doc : doc !== undefined) {
        problems.push(
          `${name}: the README gives the default ${JSON.stringify(doc)}, the schema ${derived ? `derives ${JSON.stringify(derived.doc)}` : 'has none (write —)'}`,
        );
      }
    } else if (
      typeof schema === 'number'
        ? doc === undefined || Number(doc.replace(/[,_\s]/g, '')) !== schema
        : doc !== schema
    ) {
      problems.push(
        `${name}: the README gives the default ${JSON.stringify(doc ?? '—')}, the schema ${JSON.stringify(schema)}`,
      );
    }
  }
  return problems;
}

describe("README.md's configuration table", () => {
  it('has a row for every variable config.ts reads, and no other', () => {
    expect(
      tableProblems(README, configVariables, configDefaults()).filter((p) =>
        /README row|does not read/.test(p),
      ),
    ).toEqual([]);
  });

  it("gives each variable the schema's default, — where it has none", () => {
    expect(tableProblems(README, configVariables, configDefaults())).toEqual([]);
  });

  it('describes the defaults the server derives as it derives them', () => {
    for (const { check } of Object.values(DERIVED)) check();
  });

  it('the check fails on a missing row, an extra row and a wrong default', () => {
    const withoutRow = README.replace(/^\| `REDIS_PASSWORD` .*\n/m, '');
    expect(withoutRow).not.toBe(README);
    expect(tableProblems(withoutRow, configVariables, configDefaults())).toEqual([
      'REDIS_PASSWORD is read by config.ts but has no README row',
    ]);
    expect(tableProblems(README, [...configVariables, 'NEW_SETTING'], configDefaults())).toEqual([
      'NEW_SETTING is read by config.ts but has no README row',
    ]);
    expect(
      tableProblems(
        README,
        configVariables.filter((v) => v !== 'BLOCK_HOURS'),
        configDefaults(),
      ),
    ).toEqual(['BLOCK_HOURS has a README row but config.ts does not read it']);
    expect(tableProblems(README, configVariables, { ...configDefaults(), PORT: 8081 })).toEqual([
      'PORT: the README gives the default "8080", the schema 8081',
    ]);
    expect(tableProblems(README, configVariables, { ...configDefaults(), DATA_KEY: 'k1:x' })).toEqual([
      'DATA_KEY: the README gives the default "—", the schema "k1:x"',
    ]);
  });
});
