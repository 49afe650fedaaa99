import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

interface Sent {
  clientMessageId: string;
  text: string;
  messageId: string;
  firstSentAt: number;
  ackedAt: number;
}

/**
 * Sends until acknowledged, reusing the client message id as the widget and the console
 * do; counts the refusals seen on the way.
 */
async function sendUntilAcked(
  socket: VisitorSocket | OperatorSocket,
  payload: { clientMessageId: string; text: string; conversationId?: string },
  refusals: Map<string, number>,
): Promise<Sent> {
  const firstSentAt = Date.now();
  const deadline = firstSentAt + 60_000;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    try {
      const res = (await (socket as unknown as Socket)
        .timeout(2000)
        .emitWithAck('chat:message', payload)) as AnyAck;
      if (res.ok) {
        return {
          clientMessageId: payload.clientMessageId,
          text: payload.text,
          messageId: String(res.messageId),
          firstSentAt,
          ackedAt: Date.now(),
        };
      }
      const code = res.error?.code ?? 'unknown';
      refusals.set(code, (refusals.get(code) ?? 0) + 1);
      seen.push(code);
    } catch {
      refusals.set('no ack', (refusals.get('no ack') ?? 0) + 1);
      seen.push(socket.connected ? 'no ack' : 'no ack (disconnected)');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${payload.clientMessageId} never acknowledged: ${[...new Set(seen)].join(', ')}`);
}

describe('Redis Sentinel failover (REDIS_ACK_REPLICAS=1)', () => {
  let cluster: SentinelCluster | undefined;
  let t: TestApp | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    t = undefined;
    await cluster?.destroy();
    cluster = undefined;
  });

  it('SIGKILL of the primary mid-conversation: chatting continues within 30 s, every acked message once', async ({
    annotate,
  }) => {
    cluster = await startSentinelCluster({ replicas: 2, sentinels: 3 });
    t = await startTestApp({
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_SENTINEL_NAME: cluster.name,
      REDIS_ACK_REPLICAS: '1',
      REDIS_ACK_TIMEOUT_MS: '1000',
    });
    const app = t;
    const acct = await createOperator(app);
    const op = await connectOperator(app.url, acct.cookie);
    const v = await connectVisitor(app.url);
    sockets.push(op as unknown as Socket, v as unknown as Socket);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(start.ok).toBe(true);
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);

    const first = cluster.nodes[0]!;
    expect(await cluster.primaryPort()).toBe(first.port);
    const refusals = new Map<string, number>();
    const acked: Sent[] = [];
    const PER_SIDE = 30;
    // Both sides talk at once, each waiting for its own ack before the next line.
    const visitorSide = (async () => {
      for (let i = 0; i < PER_SIDE; i++) {
        acked.push(await sendUntilAcked(v, { clientMessageId: `v-${i}`, text: `bezoeker ${i}` }, refusals));
      }
    })();
    const operatorSide = (async () => {
      for (let i = 0; i < PER_SIDE; i++) {
        acked.push(
          await sendUntilAcked(
            op,
            { conversationId, clientMessageId: `o-${i}`, text: `hulpverlener ${i}` },
            refusals,
          ),
        );
      }
    })();

    // Mid-conversation: both sides have messages in flight.
    await waitFor(() => acked.length >= 16, 20_000, 5);
    const killedAt = Date.now();
    await first.kill('SIGKILL');
    const ready: number[] = [];
    let polling = true;
    const readyPoll = (async () => {
      while (polling) {
        ready.push((await fetch(`${app.url}/readyz`).catch(() => undefined))?.status ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await Promise.all([visitorSide, operatorSide]);
    // The first message sent after the kill that was acknowledged: by the promoted primary.
    const firstAfterKill = Math.min(...acked.filter((s) => s.firstSentAt > killedAt).map((s) => s.ackedAt));
    await waitFor(async () => (await fetch(`${app.url}/readyz`)).status === 200, 30_000, 100).catch(
      async (err) => {
        const qc = (await app.app.queues.conversations.client) as unknown as { status: string };
        throw new Error(
          `${err}: main ${app.app.redis.status}, queue ${qc.status}; ${app.logs.slice(-20).join('')}`,
        );
      },
    );
    polling = false;
    await readyPoll;

    await annotate(
      `first ack ${firstAfterKill - killedAt} ms after the kill; refusals meanwhile: ${JSON.stringify(Object.fromEntries(refusals))}; /readyz not 200 for ${ready.filter((r) => r !== 200).length * 100} ms`,
    );
    // Chatting went on within 30 s of the kill, through a primary the Sentinels promoted.
    expect(firstAfterKill - killedAt).toBeLessThan(30_000);
    const promoted = await cluster.primaryPort();
    expect(promoted).not.toBe(first.port);
    // /readyz said 503 during the failover, and 200 after it.
    expect(ready).toContain(503);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    // The replies that came while the primary was gone were refusals, never a false ok.
    expect(refusals.size).toBeGreaterThan(0);

    // Every acknowledged message is in the transcript the new primary holds, none twice.
    const transcript = await app.app.store.messages(conversationId, { forOperator: true });
    const byId = new Map(transcript.map((m) => [m.messageId, m.text]));
    expect(acked).toHaveLength(2 * PER_SIDE);
    for (const s of acked) expect(byId.get(s.messageId), s.clientMessageId).toBe(s.text);
    const texts = transcript.map((m) => m.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(transcript).toHaveLength(2 * PER_SIDE);

    // Relays follow the failover too (the Socket.IO adapter's subscriber reconnected):
    // a message from each side now reaches the other.
    const toOperator = nextEvent<{ text: string }>(op as unknown as Socket, 'chat:message', {
      where: (m) => m.text === 'na de storing',
      ms: 10_000,
    });
    const toVisitor = nextEvent<{ text: string }>(v as unknown as Socket, 'chat:message', {
      where: (m) => m.text === 'ik lees je',
      ms: 10_000,
    });
    await sendUntilAcked(v, { clientMessageId: 'v-after', text: 'na de storing' }, refusals);
    await sendUntilAcked(op, { conversationId, clientMessageId: 'o-after', text: 'ik lees je' }, refusals);
    await Promise.all([toOperator, toVisitor]);

    // The line works on: a new conversation, start to first reply, on the new primary.
    const v2 = await connectVisitor(app.url);
    sockets.push(v2 as unknown as Socket);
    const start2 = await emitAck<AnyAck>(v2, 'chat:start', { role: 'concerned', language: 'nl' });
    expect(start2.ok).toBe(true);
    expect(
      (await emitAck<AnyAck>(op, 'chat:accept', { conversationId: String(start2.conversationId) })).ok,
    ).toBe(true);
  });
});
