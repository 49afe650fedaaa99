import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, waitFor } from '../support/clients.ts';
import { deferred } from '../support/deferred.ts';
import { type FakeRegion, startFakeRegion, writeRegionsFile } from '../support/fake-region.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/** A front for the region that holds the first delivery until `release()`, then forwards each one. */
async function startHoldingFront(target: string) {
  const released = deferred();
  let held = 0;
  const arrived = deferred();
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer(async (req, res) => {
    const payload = await body(req);
    if (held++ === 0) {
      arrived.resolve();
      await released.promise;
    }
    const forwarded = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': String(req.headers['content-type'] ?? 'application/json'),
        ...(req.headers['idempotency-key']
          ? { 'idempotency-key': String(req.headers['idempotency-key']) }
          : {}),
      },
      body: payload,
    });
    res.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(await forwarded.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/vt`,
    firstArrived: arrived.promise,
    release: released.resolve,
    requests: () => held,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('a Sentinel failover during a report delivery', () => {
  let cluster: SentinelCluster | undefined;
  let t: TestApp | undefined;
  let region: FakeRegion | undefined;
  let front: Awaited<ReturnType<typeof startHoldingFront>> | undefined;
  let regions: { remove(): void } | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    front?.release();
    await t?.close();
    await front?.close();
    await region?.close();
    regions?.remove();
    await cluster?.destroy();
    t = undefined;
    front = undefined;
    region = undefined;
    regions = undefined;
    cluster = undefined;
  });

  it('delivers the report exactly once', async () => {
    cluster = await startSentinelCluster({ replicas: 2, sentinels: 3 });
    region = await startFakeRegion();
    front = await startHoldingFront(region.endpoint);
    const file = writeRegionsFile([{ id: 'VR09', endpoint: front.endpoint, publicKey: region.publicKey }]);
    regions = file;
    t = await startTestApp({
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_ACK_REPLICAS: '1',
      VT_REGIONS_FILE: file.file,
      REPORT_BACKOFF_MS: '200',
    });
    const app = t;
    const acct = await createOperator(app);
    const op = await connectOperator(app.url, acct.cookie);
    const v = await connectVisitor(app.url);
    sockets.push(op as unknown as Socket, v as unknown as Socket);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    const message = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: 'help' });

    const res = await fetch(`${app.url}/api/conversations/${conversationId}/reports`, {
      method: 'POST',
      headers: { cookie: acct.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: 1,
        region: 'VR09',
        acuteDanger: false,
        consent: { status: 'agreed' },
        reporter: { role: 'victim', name: 'Sara', phone: '+31 6 12345678' },
        people: {
          victim: { age: 34, gender: 'female', municipality: 'Utrecht' },
          alleged: { relation: 'partner', livesWithVictim: true },
          children: [],
        },
        violence: { kinds: ['physical'], danger: 'structural', pattern: 'weekly' },
        risk: scoreRisk({ strangulation: 'yes' }),
        contact: { method: 'phone', safeTimes: 'werkdagen 9-12' },
        summary: 'Samenvatting',
        excerpts: [{ messageId: message.messageId }],
      }),
    });
    expect(res.status).toBe(201);
    const { reportId } = (await res.json()) as { reportId: string };

    // The delivery is on its way to the region when the primary dies.
    await front.firstArrived;
    const first = cluster.nodes[0]!;
    await first.kill('SIGKILL');
    await cluster.waitForFailover(first.port, 1);
    front.release();

    const status = async () =>
      (
        (await (
          await fetch(`${app.url}/api/reports/${reportId}`, { headers: { cookie: acct.cookie } })
        ).json()) as { status?: string }
      ).status;
    await waitFor(async () => (await status()) === 'delivered', 60_000, 200).catch(async (err) => {
      throw new Error(`${err}: status ${await status()}, ${front!.requests()} requests`);
    });
    expect(region.inbox.received.size).toBe(1);
    expect(region.inbox.received.has(reportId)).toBe(true);
  });
});
