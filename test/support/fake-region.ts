import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInbox, type Inbox } from '../../scripts/inbox.ts';
import { generateRegionKeyPair } from '../../server/src/reports/seal.ts';

/**
 * A Veilig Thuis region endpoint under the test's control: the real demo inbox behind a
 * front that can fail the next requests. Every request is counted.
 */
export interface FakeRegion {
  /** The endpoint, http://127.0.0.1:<port>/vt */
  endpoint: string;
  publicKey: string;
  privateKey: Uint8Array;
  /** What the inbox received and opened, by report id. */
  inbox: Inbox;
  /** Every request: its Idempotency-Key and the status it got. */
  requests: { key: string | undefined; status: number }[];
  /** The next `n` requests get `status` (default 500) without reaching the inbox. */
  failNext(n: number, status?: number): void;
  /** The next request reaches the inbox only after `ms`: a slow region. */
  delayNext(ms: number): void;
  /** Requests that arrived, answered or not. */
  arrived(): number;
  close(): Promise<void>;
}

/** `port`: listen there (default: a free one); `keys`: another fake region's key pair. */
export async function startFakeRegion(
  opts: { port?: number; keys?: { publicKey: string; privateKey: Uint8Array } } = {},
): Promise<FakeRegion> {
  const pair = opts.keys ?? (await generateRegionKeyPair());
  const privateKey =
    typeof pair.privateKey === 'string'
      ? new Uint8Array(Buffer.from(pair.privateKey, 'base64'))
      : pair.privateKey;
  const inbox = createInbox({ keys: [privateKey], print: () => {} });
  const requests: FakeRegion['requests'] = [];
  let failing = 0;
  let failStatus = 500;
  let delay = 0;
  let arrived = 0;
  const front: Server = createServer((req, res) => {
    arrived += 1;
    const key = req.headers['idempotency-key'] as string | undefined;
    if (failing > 0) {
      failing -= 1;
      requests.push({ key, status: failStatus });
      req.resume();
      res.writeHead(failStatus).end();
      return;
    }
    res.on('finish', () => requests.push({ key, status: res.statusCode }));
    const wait = delay;
    delay = 0;
    if (wait > 0) setTimeout(() => inbox.server.emit('request', req, res), wait);
    else inbox.server.emit('request', req, res);
  });
  await new Promise<void>((resolve) => front.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (front.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/vt`,
    publicKey: pair.publicKey,
    privateKey,
    inbox,
    requests,
    failNext(n, status = 500) {
      failing = n;
      failStatus = status;
    },
    delayNext(ms) {
      delay = ms;
    },
    arrived: () => arrived,
    close: async () => {
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
    },
  };
}

/** Writes a VT_REGIONS_FILE in a temporary folder; `remove()` deletes it. */
export function writeRegionsFile(
  regions: { id: string; endpoint: string; publicKey: string; name?: string }[],
): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sl-vt-'));
  const file = join(dir, 'regions.json');
  writeFileSync(file, JSON.stringify(regions));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Utrecht (VR09) served by a fake region, and the VT_REGIONS_FILE that names it. */
export interface FakeVR09 {
  region: FakeRegion;
  /** The path for VT_REGIONS_FILE. */
  regionsFile: string;
  /** Stops the region and deletes the file. */
  close(): Promise<void>;
}

/** `endpoint`: where the file sends VR09's reports instead (default: the fake region), with its key. */
export async function startFakeVR09(opts: { endpoint?: string | undefined } = {}): Promise<FakeVR09> {
  const region = await startFakeRegion();
  const regions = writeRegionsFile([
    { id: 'VR09', endpoint: opts.endpoint ?? region.endpoint, publicKey: region.publicKey },
  ]);
  return {
    region,
    regionsFile: regions.file,
    close: async () => {
      await region.close();
      regions.remove();
    },
  };
}
