import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDataKeys, parseHashKey } from '../server/src/crypto/data-keys.ts';
import { decodeBoxKey, publicKeyOf } from '../server/src/reports/seal.ts';
import { keysCli } from './keys.ts';

describe('npm run keys', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-keys-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generate --region writes the private key (mode 600) and prints its public key and config entry', async () => {
    const file = join(dir, 'vt-demo-key');
    const endpoint = 'http://127.0.0.1:9090/';
    expect(await keysCli(['generate', '--region', 'VR09', '--out', file, '--endpoint', endpoint], io)).toBe(
      0,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const publicKey = await publicKeyOf(decodeBoxKey(readFileSync(file, 'utf8')));
    expect(out).toContain(`Public key: ${publicKey}`);
    const entry = JSON.parse(out[out.length - 1]!.trim());
    expect(entry).toEqual({ id: 'VR09', name: 'Utrecht', endpoint, publicKey });
    expect(out.join('\n')).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('never overwrites a private key without --force', async () => {
    const file = join(dir, 'k');
    expect(await keysCli(['generate', '--region', 'VR01', '--out', file], io)).toBe(0);
    const first = readFileSync(file, 'utf8');
    expect(await keysCli(['generate', '--region', 'VR01', '--out', file], io)).toBe(1);
    expect(err.join('\n')).toMatch(/exists; not overwritten/);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(await keysCli(['generate', '--region', 'VR01', '--out', file, '--force', '--json'], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toBe(first);
    expect(JSON.parse(out[out.length - 1]!)).toMatchObject({ id: 'VR01', name: 'Groningen' });
  });

  it('--force leaves the key it writes readable by its owner only, whatever mode the old file had', async () => {
    const file = join(dir, 'data-key');
    writeFileSync(file, 'old\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(await keysCli(['generate', '--data-key', '--id', 'k3', '--out', file, '--force'], io)).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toBe('old\n');
    expect(readdirSync(dir)).toEqual(['data-key']);
  });

  it('--force writes through a link to the key (a secrets mount), not over the link', async () => {
    const target = join(dir, 'mounted-key');
    writeFileSync(target, 'old\n', { mode: 0o644 });
    const link = join(dir, 'data-key');
    symlinkSync(target, link);
    expect(await keysCli(['generate', '--data-key', '--id', 'k4', '--out', link, '--force'], io)).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).not.toBe('old\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('public --key prints the public key of a private key file', async () => {
    const file = join(dir, 'k');
    await keysCli(['generate', '--region', 'VR13', '--out', file, '--json'], io);
    const { publicKey } = JSON.parse(out[0]!);
    out = [];
    expect(await keysCli(['public', '--key', file], io)).toBe(0);
    expect(out).toEqual([publicKey]);
  });

  it('generate --data-key prints a DATA_KEY value, or writes it for DATA_KEY_FILE', async () => {
    expect(await keysCli(['generate', '--data-key'], io)).toBe(0);
    expect(out[0]).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    expect(parseDataKeys(out[0]!).currentId).toBe('k1');
    const file = join(dir, 'data-key');
    expect(await keysCli(['generate', '--data-key', '--id', 'k2', '--out', file], io)).toBe(0);
    expect(parseDataKeys(readFileSync(file, 'utf8')).currentId).toBe('k2');
    expect(out.join('\n')).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('generate --hash-key prints a HASH_KEY value, or writes it for HASH_KEY_FILE', async () => {
    expect(await keysCli(['generate', '--hash-key'], io)).toBe(0);
    expect(parseHashKey(out[0]!)).toHaveLength(32);
    const file = join(dir, 'hash-key');
    expect(await keysCli(['generate', '--hash-key', '--out', file], io)).toBe(0);
    expect(parseHashKey(readFileSync(file, 'utf8'))).toHaveLength(32);
    expect(out.join('\n')).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it.each([
    [['generate'], /needs --data-key, --hash-key or --region/],
    [['generate', '--region', 'VR26'], /VR01 to VR25/],
    [['generate', '--data-key', '--region', 'VR01'], /one of --data-key, --hash-key or --region/],
    [['generate', '--data-key', '--hash-key'], /one of/],
    [['public'], /needs --key/],
    [['rotate'], /unknown command/],
    [['generate', '--bogus'], /Unknown option/],
  ])('answers %j with exit code 2 and a reason', async (argv, reason) => {
    expect(await keysCli(argv, io)).toBe(2);
    expect(err[0]).toMatch(reason);
  });
});
