/**
 * Keys from the command line: `npm run keys -- <command>`. The data key for encryption
 * at rest, and Veilig Thuis region key pairs (the demo inbox uses one).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { regionIdSchema, regionName } from '@stille-lijn/shared/domain/regions';
import sodium from 'libsodium-wrappers-sumo';
import { generateDataKeyValue, generateHashKeyValue } from '../server/src/crypto/data-keys.ts';
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
  public --key <file>         The public key of a private key file.
      --region <VRxx>         Also print the entry for VT_REGIONS_FILE.
      --endpoint <url>        The region's endpoint, filled into the printed entry.

Options:
  --out <file>                Where to write the key (mode 600). Never overwritten unless --force:
                              a lost private key leaves that region's reports unreadable.
  --force                     Overwrite --out.
  --json                      Print one JSON line: { id, name, publicKey, privateKeyFile? }.
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
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
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

/**
 * Runs the command line; returns the exit code.
 * @example await keysCli(['generate', '--region', 'VR09', '--out', '.data/vt-demo-key'], io)
 */
export async function keysCli(argv: string[], io: KeysIo): Promise<number> {
  try {
    return await run(argv, io);
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

async function run(argv: string[], io: KeysIo): Promise<number> {
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
