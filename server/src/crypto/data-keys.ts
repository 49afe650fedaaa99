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

export function generateDataKeyValue(id = 'k1'): string {
  return `${id}:${Buffer.from(sodium.randombytes_buf(32)).toString('base64')}`;
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
  const file = join(devDataDir, 'data-key');
  if (!existsSync(file)) {
    mkdirSync(devDataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${generateDataKeyValue()}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return parseDataKeys(readFileSync(file, 'utf8'));
}
