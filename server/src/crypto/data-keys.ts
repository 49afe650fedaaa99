import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sodium from 'libsodium-wrappers-sumo';
import type { Config } from '../config.ts';

/** The ignored folder where development keys are generated on first run. */
export const devDataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '.data');

export interface DataKeys {
  currentId: string;
  keys: Map<string, Uint8Array>;
}

/** Everything the cipher needs: the data keys and the stable key of keyed hashes. */
export interface CipherKeys {
  data: DataKeys;
  /** 32 bytes; unlike the data keys it never rotates, so hashes stored under it stay valid. */
  hash: Uint8Array;
}

/** Parses `kid:base64key[,kid:base64key]`; the first key is the one new data is sealed with. */
export function parseDataKeys(value: string): DataKeys {
  const keys = new Map<string, Uint8Array>();
  let currentId = '';
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, b64] = part.includes(':') ? (part.split(':', 2) as [string, string]) : ['k1', part];
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(id))
      throw new Error('DATA_KEY: key id must be 1-16 letters, digits, _ or -');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error('DATA_KEY: each key must be 32 bytes, base64-encoded');
    keys.set(id, new Uint8Array(key));
    if (!currentId) currentId = id;
  }
  if (!currentId) throw new Error('DATA_KEY: no key given');
  return { currentId, keys };
}

/** Parses HASH_KEY: 32 bytes, base64. */
export function parseHashKey(value: string): Uint8Array {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) throw new Error('HASH_KEY: must be 32 bytes, base64-encoded');
  return new Uint8Array(key);
}

export function generateDataKeyValue(id = 'k1'): string {
  return `${id}:${Buffer.from(sodium.randombytes_buf(32)).toString('base64')}`;
}

export function generateHashKeyValue(): string {
  return Buffer.from(sodium.randombytes_buf(32)).toString('base64');
}

/** Reads a development key file, writing it first if it is missing (`wx`: two processes starting at once agree). */
function devKeyFile(name: string, generate: () => string): string {
  const file = join(devDataDir, name);
  if (!existsSync(file)) {
    mkdirSync(devDataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8');
}

/**
 * Resolves the data keys: DATA_KEY, else DATA_KEY_FILE, else (outside production) a
 * key generated once into `.data/data-key`.
 */
export async function resolveDataKeys(config: Config): Promise<DataKeys> {
  await sodium.ready;
  if (config.dataKey) return parseDataKeys(config.dataKey);
  if (config.dataKeyFile) return parseDataKeys(readFileSync(config.dataKeyFile, 'utf8'));
  if (config.isProduction) throw new Error('DATA_KEY or DATA_KEY_FILE is required in production');
  return parseDataKeys(devKeyFile('data-key', generateDataKeyValue));
}

/**
 * Resolves the hash key: HASH_KEY, else HASH_KEY_FILE, else (outside production) a key
 * generated once into `.data/hash-key`.
 */
export async function resolveHashKey(config: Config): Promise<Uint8Array> {
  await sodium.ready;
  if (config.hashKey) return parseHashKey(config.hashKey);
  if (config.hashKeyFile) return parseHashKey(readFileSync(config.hashKeyFile, 'utf8'));
  if (config.isProduction) throw new Error('HASH_KEY or HASH_KEY_FILE is required in production');
  return parseHashKey(devKeyFile('hash-key', generateHashKeyValue));
}

export async function resolveCipherKeys(config: Config): Promise<CipherKeys> {
  return { data: await resolveDataKeys(config), hash: await resolveHashKey(config) };
}
