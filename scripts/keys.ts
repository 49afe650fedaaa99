/**
 * Keys from the command line: `npm run keys -- <command>`. The data key for encryption
 * at rest (and `reseal`, which moves what lives long to the current one after a rotation),
 * and Veilig Thuis region key pairs (the demo inbox uses one).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { regionIdSchema, regionName } from '@stille-lijn/shared/domain/regions';
import type { Redis } from 'ioredis';
import sodium from 'libsodium-wrappers-sumo';
import { loadConfig } from '../server/src/config.ts';
import { DataCipher, sealedKeyId } from '../server/src/crypto/cipher.ts';
import {
  generateDataKeyValue,
  generateHashKeyValue,
  resolveCipherKeys,
} from '../server/src/crypto/data-keys.ts';
import { OperatorStore } from '../server/src/operators/store.ts';
import { connectForCli } from '../server/src/redis/connect.ts';
import { type RedisKeys, redisKeys } from '../server/src/redis/keys.ts';
import { decodeBoxKey, generateRegionKeyPair, publicKeyOf } from '../server/src/reports/seal.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const HELP = `Usage: npm run keys -- <command> [options]

Commands:
  generate --data-key         A new data key for encryption at rest, as a DATA_KEY value
                              (k1:<base64>). Printed, or written to --out for DATA_KEY_FILE.
      --id <kid>              The key id (default: k1). Use a new id when rotating: put the
                              new value first in DATA_KEY, the old one after a comma.
  generate --hash-key         The key of keyed hashes (resume tokens, return codes, client
                              addresses), as a HASH_KEY value (32 bytes, base64). Printed, or
                              written to --out for HASH_KEY_FILE. Unlike the data key it is
                              never rotated: a new one invalidates every open token and code.
  generate --region <VRxx>    A Veilig Thuis key pair for a region (VR01 to VR25). The private
                              key is written to --out (default: .data/vt-<region>-key), the
                              public key printed with the entry for VT_REGIONS_FILE.
      --endpoint <url>        The region's endpoint, filled into the printed entry.
  reseal                      After a DATA_KEY rotation: seals every operator's TOTP secret
                              again under the current (first) data key, and prints per key id
                              how many sealed values are left under it. Conversations are
                              counted, not re-sealed: they expire with RETENTION_HOURS. A key
                              id may leave DATA_KEY once nothing is left under it. Reads
                              REDIS_URL (or REDIS_SENTINELS), REDIS_PREFIX, DATA_KEY (or
                              DATA_KEY_FILE) and HASH_KEY (or HASH_KEY_FILE) as the server does.
  public --key <file>         The public key of a private key file.
      --region <VRxx>         Also print the entry for VT_REGIONS_FILE.
      --endpoint <url>        The region's endpoint, filled into the printed entry.

Options:
  --out <file>                Where to write the key (mode 600). Never overwritten unless --force:
                              a lost private key leaves that region's reports unreadable.
  --force                     Overwrite --out.
  --json                      Print one JSON line: { id, name, publicKey, privateKeyFile? };
                              for reseal { currentKeyId, resealed, keys, unreadableTotp }.
  --help                      This text.

Exit codes: 0 done, 1 failed, 2 wrong usage.`;

class UsageError extends Error {}

export interface KeysIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

function writeSecret(file: string, value: string, force: boolean): void {
  if (existsSync(file) && !force) {
    throw new Error(`${file} exists; not overwritten (use --force to replace it)`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written in place, so that the file keeps its owner (a key the service user owns stays
  // readable by it when root replaces it) and a link into a secrets mount is written
  // through; then made 0600, since `mode` applies only to a file being created and an
  // old key file's wider mode would otherwise stay.
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function regionEntry(id: string, publicKey: string, endpoint: string | undefined): string {
  return JSON.stringify({
    id,
    name: regionName(id) ?? id,
    endpoint: endpoint ?? 'https://<the region endpoint>',
    publicKey,
  });
}

function checkEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(endpoint).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError('--endpoint must be an http:// or https:// URL');
}

/** What `reseal` found under one data key id. */
interface KeyTally {
  /** In DATA_KEY: what is sealed under it still opens. */
  configured: boolean;
  totpSecrets: number;
  /** Sealed values in conversations (hash fields, messages, notes). */
  conversationValues: number;
  /** Conversations with at least one of them. */
  conversations: number;
}

/** A Redis glob matching `text` literally. */
const globLiteral = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Counts the sealed values of every stored conversation per data key id: each field of its
 * hash and each field of the entries of its streams that is a ciphertext. By the look of the
 * value, not by field name, so that a sealed field added later is counted too.
 */
async function countConversationValues(
  redis: Redis,
  keys: RedisKeys,
): Promise<Map<string, { values: number; conversations: Set<string> }>> {
  const byKey = new Map<string, { values: number; conversations: Set<string> }>();
  const head = keys.conversation('');
  const count = (id: string, values: Iterable<string>) => {
    for (const v of values) {
      const kid = sealedKeyId(v);
      if (kid === null) continue;
      const t = byKey.get(kid) ?? { values: 0, conversations: new Set<string>() };
      t.values++;
      t.conversations.add(id);
      byKey.set(kid, t);
    }
  };
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${globLiteral(head)}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const id = key.slice(head.length).split(':')[0] ?? '';
      if (key === keys.conversation(id)) {
        count(id, Object.values(await redis.hgetall(key)));
      } else if (key === keys.messages(id) || key === keys.notes(id)) {
        for (let from = '-'; ; ) {
          const page = await redis.xrange(key, from, '+', 'COUNT', 500);
          for (const [, fields] of page) count(id, fields);
          if (page.length < 500) break;
          from = `(${page.at(-1)![0]}`;
        }
      }
    }
  } while (cursor !== '0');
  return byKey;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * `reseal`: TOTP secrets moved to the current data key; everything sealed counted per key id.
 * Conversations are not re-sealed: their messages are stream entries, which cannot be
 * replaced in place, and retention removes them anyway.
 */
async function reseal(json: boolean, io: KeysIo, env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const cipher = await DataCipher.create(await resolveCipherKeys(config));
  const redis = await connectForCli(config);
  const store = new OperatorStore({ redis, prefix: config.redisPrefix, cipher });
  try {
    const totp = await store.resealTotpSecrets();
    const inConversations = await countConversationValues(redis, redisKeys(config.redisPrefix));
    const ids = [...new Set([...cipher.keyIds, ...Object.keys(totp.byKeyId), ...inConversations.keys()])];
    const keys: Record<string, KeyTally> = {};
    for (const id of ids) {
      const c = inConversations.get(id);
      keys[id] = {
        configured: cipher.keyIds.includes(id),
        totpSecrets: totp.byKeyId[id] ?? 0,
        conversationValues: c?.values ?? 0,
        conversations: c?.conversations.size ?? 0,
      };
    }
    const current = cipher.currentKeyId;
    if (json) {
      io.out(
        JSON.stringify({
          currentKeyId: current,
          resealed: { totpSecrets: totp.resealed },
          keys,
          unreadableTotp: totp.unreadable,
        }),
      );
      return 0;
    }
    io.out(`Re-sealed ${plural(totp.resealed, 'TOTP secret')} under ${current}, the current data key.`);
    io.out('Sealed values per data key id:');
    for (const [id, k] of Object.entries(keys)) {
      const label = id === current ? `${id} (current)` : k.configured ? id : `${id} (not in DATA_KEY)`;
      io.out(
        `  ${label}: ${plural(k.totpSecrets, 'TOTP secret')}, ${plural(k.conversationValues, 'conversation value')} in ${plural(k.conversations, 'conversation')}`,
      );
    }
    if (totp.unreadable.length > 0) {
      io.out(
        'TOTP secrets that do not open; give each account a new one (npm run operator -- totp <username>):',
      );
      io.out(`  ${totp.unreadable.join(', ')}`);
    }
    const old = Object.entries(keys).filter(([id, k]) => id !== current && k.configured);
    for (const [id, k] of old) {
      io.out(
        k.totpSecrets + k.conversationValues === 0
          ? `${id} seals nothing any more: it can leave DATA_KEY.`
          : `${id} still seals values: keep it in DATA_KEY. Conversations expire RETENTION_HOURS after they end; run reseal again then.`,
      );
    }
    return 0;
  } finally {
    await store.close();
    redis.disconnect();
  }
}

/**
 * Runs the command line; returns the exit code. `env` is read by `reseal` only (Redis and
 * the data keys, as the server reads them).
 * @example await keysCli(['generate', '--region', 'VR09', '--out', '.data/vt-demo-key'], io)
 */
export async function keysCli(
  argv: string[],
  io: KeysIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    return await run(argv, io, env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`keys: ${err.message}`);
      io.err('Run `npm run keys -- --help` for the commands.');
      return 2;
    }
    io.err(`keys: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function run(argv: string[], io: KeysIo, env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.out(HELP);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (!command) {
    io.err(HELP);
    return 2;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  checkEndpoint(v.endpoint);
  const region = v.region === undefined ? undefined : regionIdSchema.safeParse(v.region.toUpperCase());
  if (region && !region.success) throw new UsageError('--region must be a safety-region code, VR01 to VR25');

  if (command === 'generate') {
    const kinds = [v['data-key'] === true, v['hash-key'] === true, region !== undefined].filter(Boolean);
    if (kinds.length > 1) throw new UsageError('give one of --data-key, --hash-key or --region');
    if (v['hash-key'] === true) {
      await sodium.ready;
      const value = generateHashKeyValue();
      if (v.out) {
        writeSecret(resolve(v.out), value, v.force === true);
        io.out(`Wrote a new hash key to ${v.out}; point HASH_KEY_FILE at it.`);
      } else {
        io.out(value);
      }
      return 0;
    }
    if (v['data-key'] === true) {
      const id = v.id ?? 'k1';
      if (!/^[A-Za-z0-9_-]{1,16}$/.test(id))
        throw new UsageError('--id must be 1-16 letters, digits, _ or -');
      await sodium.ready;
      const value = generateDataKeyValue(id);
      if (v.out) {
        writeSecret(resolve(v.out), value, v.force === true);
        io.out(`Wrote a new data key (${id}) to ${v.out}; point DATA_KEY_FILE at it.`);
      } else {
        io.out(value);
      }
      return 0;
    }
    if (!region) throw new UsageError('generate needs --data-key, --hash-key or --region <VRxx>');
    const id = region.data;
    const file = resolve(v.out ?? join(root, '.data', `vt-${id.toLowerCase()}-key`));
    const pair = await generateRegionKeyPair();
    writeSecret(file, pair.privateKey, v.force === true);
    const near = relative(process.cwd(), file);
    const shownFile = near && !near.startsWith('..') ? near : file;
    if (v.json) {
      io.out(
        JSON.stringify({ id, name: regionName(id), publicKey: pair.publicKey, privateKeyFile: shownFile }),
      );
      return 0;
    }
    io.out(`Wrote the private key of ${id} (${regionName(id)}) to ${shownFile}.`);
    io.out('It opens that region’s reports: it belongs with the region (or the demo inbox), not on');
    io.out('the helpline’s servers.');
    io.out(`Public key: ${pair.publicKey}`);
    io.out('Entry for VT_REGIONS_FILE:');
    io.out(`  ${regionEntry(id, pair.publicKey, v.endpoint)}`);
    return 0;
  }

  if (command === 'reseal') return reseal(v.json === true, io, env);

  if (command === 'public') {
    if (!v.key) throw new UsageError('public needs --key <file>');
    let text: string;
    try {
      text = readFileSync(v.key, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${v.key} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const publicKey = await publicKeyOf(decodeBoxKey(text, `the key in ${v.key}`));
    if (v.json) {
      io.out(
        JSON.stringify({
          ...(region ? { id: region.data, name: regionName(region.data) } : {}),
          publicKey,
        }),
      );
    } else if (region) {
      io.out(`Public key: ${publicKey}`);
      io.out('Entry for VT_REGIONS_FILE:');
      io.out(`  ${regionEntry(region.data, publicKey, v.endpoint)}`);
    } else {
      io.out(publicKey);
    }
    return 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      'data-key': { type: 'boolean' },
      'hash-key': { type: 'boolean' },
      region: { type: 'string' },
      id: { type: 'string' },
      out: { type: 'string' },
      key: { type: 'string' },
      endpoint: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  keysCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => process.exit(code));
}
