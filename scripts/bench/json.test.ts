import { describe, expect, it } from 'vitest';
import { startJson, takeJsonFlag } from './json.ts';

describe('npm run bench -- --json', () => {
  it('takes --json alone (stdout), with a file, or as --json=<file>, and leaves the other options', () => {
    expect(takeJsonFlag(['--rate', '100', '--json'])).toEqual({
      args: ['--rate', '100'],
      json: { file: null },
    });
    expect(takeJsonFlag(['--json', '--skip-search'])).toEqual({
      args: ['--skip-search'],
      json: { file: null },
    });
    expect(takeJsonFlag(['--json', 'a.json', '--rate', '9'])).toEqual({
      args: ['--rate', '9'],
      json: { file: 'a.json' },
    });
    expect(takeJsonFlag(['--json=b.json'])).toEqual({ args: [], json: { file: 'b.json' } });
    expect(takeJsonFlag(['--rate', '9'])).toEqual({ args: ['--rate', '9'], json: false });
  });

  it('says when, on what and at which load it ran, and survives JSON', () => {
    const j = startJson('connections').finish({ count: 3 });
    expect(j).toMatchObject({ format: 1, mode: 'connections', summary: null, result: { count: 3 } });
    expect(j.machine.cpus).toBeGreaterThan(0);
    expect(j.machine.loadavgStart).toHaveLength(3);
    expect(j.machine.loadavgEnd).toHaveLength(3);
    expect(Date.parse(j.date)).not.toBeNaN();
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
