/**
 * The demo Veilig Thuis receiver: `npm run inbox -- --port 9090 --key <private key file>`.
 * It accepts deliveries as a region's endpoint would, opens each sealed report with the
 * private key and prints it readably. A repeated `Idempotency-Key` is answered 200 and
 * stored once.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { regionName } from '@stille-lijn/shared/domain/regions';
import {
  type ReportDelivery,
  reportDeliverySchema,
  type SealedReportContent,
  sealedReportContentSchema,
} from '@stille-lijn/shared/domain/report';
import { decodeBoxKey, openSealedReport } from '../server/src/reports/seal.ts';

const HELP = `Usage: npm run inbox -- --key <file> [options]

The demo Veilig Thuis receiver: accepts report deliveries, opens them with the region's
private key and prints them.

Options:
  --key <file>     A private key file from \`npm run keys -- generate --region <id>\`
                   (repeat for several regions). Required.
  --port <n>       Port to listen on (default: 9090).
  --host <addr>    Address to listen on (default: $HOST, else 127.0.0.1; 0.0.0.0 for all).
  --dir <folder>   Also keep each delivery, still sealed, in this folder (e.g. .data/inbox),
                   so a restarted inbox still knows what it received. Default: memory only.
  --help           This text.

It answers POST (any path) with 200 when a report was received or had been already,
400 for a malformed delivery, 422 when no key opens it; GET /healthz with 200.`;

/** Largest delivery accepted, in bytes. @default 2 MiB */
const MAX_BODY = 2 * 1024 * 1024;

export interface ReceivedReport {
  receivedAt: string;
  region: string;
  content: SealedReportContent;
}

export interface InboxOptions {
  /** Private keys to try on each sealed report. */
  keys: Uint8Array[];
  /** Where the readable listing goes. @default stdout */
  print?: (text: string) => void;
  /** Keep deliveries (sealed) in this folder. @default memory only */
  dir?: string;
}

export interface Inbox {
  server: Server;
  /** Reports received, by report id. */
  received: Map<string, ReceivedReport>;
  /** POST requests answered, duplicates included. */
  deliveries: () => number;
}

/** Replaces control characters, so a report cannot drive the terminal it is printed on. */
function clean(value: unknown): string {
  let out = '';
  for (const ch of String(value)) {
    const c = ch.codePointAt(0) ?? 0;
    const control =
      (c < 0x20 && c !== 0x09 && c !== 0x0a) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    out += control ? '?' : ch;
  }
  return out;
}

function indent(text: string, prefix = '    '): string {
  return clean(text)
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

/** A report as readable lines for the terminal. */
export function formatReport(received: ReceivedReport): string {
  const { content } = received;
  const r = content.report;
  const list = (parts: (string | false | undefined)[]) => parts.filter(Boolean).join(', ');
  const lines: string[] = [];
  const row = (label: string, value: string) => {
    if (value) lines.push(`  ${label.padEnd(12)} ${clean(value)}`);
  };
  lines.push(
    `== Veilig Thuis report ${clean(content.reportId)} for ${clean(r.region)} ${clean(regionName(r.region) ?? '')}`,
  );
  row('received', received.receivedAt);
  row(
    'submitted',
    `${content.createdAt} by ${content.helpline.operatorName} (${content.helpline.operatorId})`,
  );
  row('conversation', content.conversationId);
  row(
    'danger',
    list([r.acuteDanger ? 'ACUTE DANGER' : 'no acute danger', `violence danger: ${r.violence.danger}`]),
  );
  row(
    'consent',
    list([r.consent.status, r.consent.reason && `reason: ${r.consent.reason}`, r.consent.reasonText]),
  );
  row(
    'reporter',
    list([
      r.reporter.role,
      r.reporter.relation && `relation: ${r.reporter.relation}`,
      r.reporter.name && `name: ${r.reporter.name}`,
      r.reporter.phone && `phone: ${r.reporter.phone}`,
      r.reporter.email && `email: ${r.reporter.email}`,
    ]),
  );
  const v = r.people.victim;
  if (v) {
    row(
      'victim',
      list([
        v.age !== undefined && `age ${v.age}`,
        v.gender,
        v.municipality,
        v.name && `name: ${v.name}`,
        v.address && `address: ${v.address}`,
      ]),
    );
  }
  const a = r.people.alleged;
  if (a) {
    row(
      'alleged',
      list([
        a.relation,
        a.livesWithVictim === true && 'lives with the victim',
        a.livesWithVictim === false && 'does not live with the victim',
        a.name && `name: ${a.name}`,
      ]),
    );
  }
  if (r.people.children.length > 0) {
    row(
      'children',
      r.people.children.map((c) => list([c.age !== undefined && `${c.age} y`, c.name]) || '?').join('; '),
    );
  }
  row(
    'violence',
    list([
      r.violence.kinds.join(' ') || 'kind not given',
      r.violence.pattern && `pattern: ${r.violence.pattern}`,
      r.violence.since && `since: ${r.violence.since}`,
    ]),
  );
  if (r.risk) {
    row(
      'risk',
      list([
        `${r.risk.level} (score ${r.risk.score})`,
        r.risk.redFlags.length > 0 && `red flags: ${r.risk.redFlags.join(' ')}`,
        r.risk.override && `override: ${r.risk.override.level}, ${r.risk.override.reason}`,
      ]),
    );
  }
  row(
    'contact',
    list([
      r.contact.method,
      r.contact.safeTimes && `safe times: ${r.contact.safeTimes}`,
      r.contact.notes && `notes: ${r.contact.notes}`,
    ]),
  );
  lines.push('  summary', indent(r.summary));
  if (r.excerpts.length > 0) {
    lines.push('  excerpts');
    for (const e of r.excerpts) lines.push(indent(`[${e.at}] ${e.from}: ${e.text}`));
  }
  if (r.sensitive) lines.push('  sensitive information (kept apart)', indent(r.sensitive));
  return `${lines.join('\n')}\n`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens a delivery with the first key that fits; null when none does or the content is malformed. */
async function open(delivery: ReportDelivery, keys: Uint8Array[]): Promise<SealedReportContent | null> {
  for (const key of keys) {
    let plain: unknown;
    try {
      plain = await openSealedReport(delivery.sealed, key);
    } catch {
      continue;
    }
    const parsed = sealedReportContentSchema.safeParse(plain);
    if (parsed.success && parsed.data.reportId === delivery.reportId)
      return parsed.data as SealedReportContent;
    return null;
  }
  return null;
}

/** The receiver as an HTTP server (not yet listening). */
export function createInbox(opts: InboxOptions): Inbox {
  const print = opts.print ?? ((text: string) => process.stdout.write(text));
  const received = new Map<string, ReceivedReport>();
  const inFlight = new Set<string>();
  let deliveries = 0;
  if (opts.dir) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST a delivery' });
    deliveries += 1;
    const text = await readBody(req);
    if (text === null) return send(res, 413, { error: 'too large' });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return send(res, 400, { error: 'not JSON' });
    }
    const parsed = reportDeliverySchema.safeParse(json);
    if (!parsed.success) return send(res, 400, { error: 'not a delivery { reportId, region, sealed }' });
    const delivery = parsed.data;
    if (req.headers['idempotency-key'] !== delivery.reportId) {
      return send(res, 400, { error: 'Idempotency-Key must be the reportId' });
    }
    if (received.has(delivery.reportId)) return send(res, 200, { received: true, duplicate: true });
    // The same report twice at once: the second is told to come back.
    if (inFlight.has(delivery.reportId)) return send(res, 409, { error: 'being received' });
    inFlight.add(delivery.reportId);
    try {
      const content = await open(delivery, opts.keys);
      if (!content) return send(res, 422, { error: 'no key opens this report, or it is malformed' });
      const entry: ReceivedReport = {
        receivedAt: new Date().toISOString(),
        region: delivery.region,
        content,
      };
      if (opts.dir) {
        // Kept as delivered: sealed. The plaintext is only ever on the terminal.
        writeFileSync(join(opts.dir, `${delivery.reportId}.json`), JSON.stringify(delivery), { mode: 0o600 });
      }
      received.set(delivery.reportId, entry);
      print(formatReport(entry));
      return send(res, 200, { received: true });
    } finally {
      inFlight.delete(delivery.reportId);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal' });
    });
  });
  return { server, received, deliveries: () => deliveries };
}

/** Reloads deliveries kept by an earlier run (`--dir`), so they are not stored twice. */
export async function reloadInbox(inbox: Inbox, dir: string, keys: Uint8Array[]): Promise<number> {
  let n = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      const delivery = reportDeliverySchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      const content = await open(delivery, keys);
      if (!content) continue;
      inbox.received.set(delivery.reportId, { receivedAt: '', region: delivery.region, content });
      n += 1;
    } catch {
      // not one of ours
    }
  }
  return n;
}

async function main(argv: string[]): Promise<number> {
  let values: { key?: string[]; port?: string; host?: string; dir?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        key: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`inbox: ${(err as Error).message.split('. ')[0]}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.key || values.key.length === 0) {
    process.stderr.write(`inbox: --key is required\n\n${HELP}\n`);
    return 2;
  }
  const port = Number(values.port ?? 9090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('inbox: --port must be a port number (0-65535)\n');
    return 2;
  }
  const keys: Uint8Array[] = [];
  for (const file of values.key) {
    try {
      keys.push(decodeBoxKey(readFileSync(file, 'utf8'), `the key in ${file}`));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      process.stderr.write(`inbox: ${e.code ? `cannot read ${file} (${e.code})` : e.message}\n`);
      return 1;
    }
  }
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const inbox = createInbox({ keys, ...(values.dir ? { dir: values.dir } : {}) });
  if (values.dir) {
    const n = await reloadInbox(inbox, values.dir, keys);
    if (n > 0) process.stdout.write(`${n} report(s) received earlier are in ${values.dir}\n`);
  }
  await new Promise<void>((resolve, reject) => {
    inbox.server.once('error', reject);
    inbox.server.listen(port, host, () => resolve());
  });
  const addr = inbox.server.address();
  const shown = typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : `${host}:${port}`;
  process.stdout.write(`demo Veilig Thuis inbox listening on http://${shown}/ (${keys.length} key(s))\n`);
  const stop = () => {
    inbox.server.close(() => process.exit(0));
    inbox.server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return -1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`inbox failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
