import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { loadRegions, parseRegions } from './regions.ts';
import { generateRegionKeyPair, openSealedReport, publicKeyOf, sealReport } from './seal.ts';

const KEY = Buffer.alloc(32, 9).toString('base64');
const entry = (over: Record<string, unknown> = {}) => ({
  id: 'VR09',
  name: 'Utrecht',
  endpoint: 'https://vt-utrecht.example.nl/meldingen',
  publicKey: KEY,
  ...over,
});

function problems(text: string, production = false): string[] {
  try {
    parseRegions(text, { production });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines;
  }
  throw new Error('expected a ConfigError');
}

describe('the regions file', () => {
  it('reads each region with its endpoint and 32-byte public key', () => {
    const regions = parseRegions(JSON.stringify([entry(), entry({ id: 'VR13', name: undefined })]), {
      production: true,
    });
    expect(regions.map((r) => [r.id, r.name, r.endpoint])).toEqual([
      ['VR09', 'Utrecht', 'https://vt-utrecht.example.nl/meldingen'],
      ['VR13', 'Amsterdam-Amstelland', 'https://vt-utrecht.example.nl/meldingen'],
    ]);
    expect(regions[0]!.publicKey).toHaveLength(32);
  });

  it('reports one line per problem, naming the entry and field, never the value', () => {
    const lines = problems(
      JSON.stringify([
        entry({ id: 'VR26' }),
        entry({ endpoint: 'ftp://x.example.nl', publicKey: 'c2hvcnQ=' }),
        entry({ id: 'VR01', extra: 1 }),
        entry(),
        'nope',
      ]),
    );
    expect(lines).toEqual([
      'VT_REGIONS_FILE: [0].id: must be a safety-region code, VR01 to VR25',
      'VT_REGIONS_FILE: [1].endpoint: must be an http:// or https:// URL',
      expect.stringMatching(/^VT_REGIONS_FILE: \[1\]\.publicKey: publicKey must be 32 bytes/),
      'VT_REGIONS_FILE: [2].extra: unknown field',
      'VT_REGIONS_FILE: [3].id: VR09 is listed more than once',
      'VT_REGIONS_FILE: [4]: must be an object { id, name, endpoint, publicKey }',
    ]);
    expect(lines.join('\n')).not.toContain('c2hvcnQ=');
  });

  it('refuses what is not a JSON array', () => {
    expect(problems('{')).toEqual(['VT_REGIONS_FILE: the file is not valid JSON']);
    expect(problems('{"VR09":{}}')).toEqual([
      'VT_REGIONS_FILE: must be a JSON array of { id, name, endpoint, publicKey }',
    ]);
  });

  it('in production wants https, except on loopback or an internal service name', () => {
    expect(problems(JSON.stringify([entry({ endpoint: 'http://vt.example.nl/' })]), true)).toEqual([
      'VT_REGIONS_FILE: [0].endpoint: must be https:// in production (http only on loopback, a private address or an internal service name)',
    ]);
    for (const endpoint of ['http://127.0.0.1:9090/', 'http://inbox:9090/', 'http://localhost/']) {
      expect(parseRegions(JSON.stringify([entry({ endpoint })]), { production: true })).toHaveLength(1);
    }
    expect(
      parseRegions(JSON.stringify([entry({ endpoint: 'http://vt.example.nl/' })]), { production: false }),
    ).toHaveLength(1);
  });

  it('in production refuses plain http to a public IP literal, IPv6 included', () => {
    for (const endpoint of [
      'http://[2001:db8::1]/',
      'http://[2a00:1450::5]:8080/vt',
      'http://203.0.113.7/',
    ]) {
      expect(problems(JSON.stringify([entry({ endpoint })]), true)).toEqual([
        'VT_REGIONS_FILE: [0].endpoint: must be https:// in production (http only on loopback, a private address or an internal service name)',
      ]);
    }
    for (const endpoint of [
      'http://[::1]:9090/',
      'http://[fd12:3456::7]/',
      'http://10.0.0.5/',
      'http://172.20.0.3:8080/',
      'http://192.168.1.10/',
      'http://vt-inbox/',
    ]) {
      expect(parseRegions(JSON.stringify([entry({ endpoint })]), { production: true })).toHaveLength(1);
    }
    expect(
      parseRegions(JSON.stringify([entry({ endpoint: 'http://[2001:db8::1]/' })]), { production: false }),
    ).toHaveLength(1);
  });

  describe('from VT_REGIONS_FILE', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('means no regions when unset, and stops the boot when unreadable', () => {
      expect(loadRegions({ vtRegionsFile: undefined, isProduction: false }).size).toBe(0);
      dir = mkdtempSync(join(tmpdir(), 'sl-regions-'));
      const file = join(dir, 'regions.json');
      expect(() => loadRegions({ vtRegionsFile: file, isProduction: false })).toThrow(
        /VT_REGIONS_FILE: cannot read .*regions\.json \(ENOENT\)/,
      );
      writeFileSync(file, JSON.stringify([entry()]));
      expect([...loadRegions({ vtRegionsFile: file, isProduction: false }).keys()]).toEqual(['VR09']);
    });
  });
});

describe('report configuration', () => {
  it('reads REPORT_MAX_ATTEMPTS, REPORT_BACKOFF_MS and REPORT_RETENTION_DAYS', () => {
    const config = loadConfig({
      REPORT_MAX_ATTEMPTS: '3',
      REPORT_BACKOFF_MS: '250',
      REPORT_RETENTION_DAYS: '0.5',
    });
    expect(config.reportMaxAttempts).toBe(3);
    expect(config.reportBackoffMs).toBe(250);
    expect(config.reportRetentionMs).toBe(43_200_000);
    let lines: string[] = [];
    try {
      loadConfig({ REPORT_MAX_ATTEMPTS: '0', REPORT_BACKOFF_MS: 'soon', REPORT_RETENTION_DAYS: '-1' });
    } catch (err) {
      lines = (err as ConfigError).lines;
    }
    expect(lines.map((l) => l.slice(0, l.indexOf(':'))).sort()).toEqual([
      'REPORT_BACKOFF_MS',
      'REPORT_MAX_ATTEMPTS',
      'REPORT_RETENTION_DAYS',
    ]);
  });
});

describe('sealing', () => {
  it('only the private key opens a sealed report', async () => {
    const pair = await generateRegionKeyPair();
    const privateKey = new Uint8Array(Buffer.from(pair.privateKey, 'base64'));
    expect(await publicKeyOf(privateKey)).toBe(pair.publicKey);
    const content = {
      reportId: 'r1',
      conversationId: 'c1',
      createdAt: '2025-01-01T00:00:00.000Z',
      helpline: { operatorId: 'o1', operatorName: 'Anna' },
      report: { summary: 'geheim' },
    } as never;
    const sealed = await sealReport(content, new Uint8Array(Buffer.from(pair.publicKey, 'base64')));
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain('geheim');
    expect(await openSealedReport(sealed, privateKey)).toEqual(content);
    const other = await generateRegionKeyPair();
    await expect(
      openSealedReport(sealed, new Uint8Array(Buffer.from(other.privateKey, 'base64'))),
    ).rejects.toThrow();
  });
});
