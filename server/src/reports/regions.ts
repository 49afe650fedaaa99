import { readFileSync } from 'node:fs';
import { type RegionId, regionIds, regionName } from '@stille-lijn/shared/domain/regions';
import { ConfigError } from '../config.ts';
import { isInternalHost } from '../http/internal-host.ts';
import { decodeBoxKey } from './seal.ts';

/** A Veilig Thuis region this helpline can deliver to. */
export interface RegionEndpoint {
  id: RegionId;
  name: string;
  /** Where deliveries are POSTed. */
  endpoint: string;
  /** The region's `crypto_box` public key. */
  publicKey: Uint8Array;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses the regions file's text: a JSON array of `{ id, name, endpoint, publicKey }`.
 * In production an endpoint must be https, except on loopback, a private address or an
 * internal service name (over plain http anyone on the path could acknowledge a report
 * that never arrived).
 * @throws {ConfigError} with one line per problem; values are never echoed.
 */
export function parseRegions(text: string, opts: { production: boolean }): RegionEndpoint[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`VT_REGIONS_FILE: ${where}: ${what}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(['VT_REGIONS_FILE: the file is not valid JSON']);
  }
  if (!Array.isArray(data)) {
    throw new ConfigError(['VT_REGIONS_FILE: must be a JSON array of { id, name, endpoint, publicKey }']);
  }
  const out: RegionEndpoint[] = [];
  const seen = new Set<string>();
  data.forEach((entry: unknown, i) => {
    const at = `[${i}]`;
    if (!isRecord(entry)) {
      problem(at, 'must be an object { id, name, endpoint, publicKey }');
      return;
    }
    let ok = true;
    const fail = (field: string, what: string) => {
      problem(`${at}.${field}`, what);
      ok = false;
    };
    for (const key of Object.keys(entry)) {
      if (!['id', 'name', 'endpoint', 'publicKey'].includes(key)) fail(key, 'unknown field');
    }
    const { id, name, endpoint, publicKey } = entry;
    if (typeof id !== 'string' || !(regionIds as string[]).includes(id)) {
      fail('id', 'must be a safety-region code, VR01 to VR25');
    } else if (seen.has(id)) {
      fail('id', `${id} is listed more than once`);
    } else {
      seen.add(id);
    }
    if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 100)) {
      fail('name', 'must be a non-empty string of at most 100 characters');
    }
    let url: URL | undefined;
    try {
      url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      fail('endpoint', 'must be an http:// or https:// URL');
    } else if (opts.production && url.protocol === 'http:' && !isInternalHost(url.hostname)) {
      fail(
        'endpoint',
        'must be https:// in production (http only on loopback, a private address or an internal service name)',
      );
    }
    let key: Uint8Array | undefined;
    try {
      if (typeof publicKey !== 'string') throw new Error('publicKey is missing');
      key = decodeBoxKey(publicKey, 'publicKey');
    } catch (err) {
      fail('publicKey', `${(err as Error).message}; \`npm run keys -- generate --region <id>\` prints one`);
    }
    if (ok && url && key) {
      out.push({
        id: id as RegionId,
        name: typeof name === 'string' ? name.trim() : (regionName(id as string) ?? String(id)),
        endpoint: url.toString(),
        publicKey: key,
      });
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * Reads VT_REGIONS_FILE at boot. Without one, no region is configured and every report
 * submission answers 400 (`region`).
 * @throws {ConfigError} with one line per problem.
 */
export function loadRegions(config: {
  vtRegionsFile: string | undefined;
  isProduction: boolean;
}): Map<RegionId, RegionEndpoint> {
  if (!config.vtRegionsFile) return new Map();
  let text: string;
  try {
    text = readFileSync(config.vtRegionsFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`VT_REGIONS_FILE: cannot read ${config.vtRegionsFile} (${code})`]);
  }
  return new Map(parseRegions(text, { production: config.isProduction }).map((r) => [r.id, r]));
}
