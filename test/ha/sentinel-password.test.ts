import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSentinels } from '../../server/src/redis/connect.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, waitFor } from '../support/clients.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

const PASSWORD = 'data-nodes-secret';
const SENTINEL_PASSWORD = 'sentinels-secret';

describe('REDIS_SENTINELS with passwords', () => {
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

  it('REDIS_PASSWORD reaches the primary, and the promoted one after a failover; REDIS_SENTINEL_PASSWORD the Sentinels', async () => {
    cluster = await startSentinelCluster({
      replicas: 1,
      sentinels: 3,
      password: PASSWORD,
      sentinelPassword: SENTINEL_PASSWORD,
    });
    t = await startTestApp({
      REDIS_SENTINELS: cluster.sentinelList,
      REDIS_PASSWORD: PASSWORD,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
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
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm-1', text: 'een' })).ok).toBe(true);

    const first = cluster.nodes[0]!;
    await first.kill('SIGKILL');
    await cluster.waitForFailover(first.port, 0);
    // The promoted replica asks for the same password: chatting goes on through it.
    let after: AnyAck = { ok: false };
    await waitFor(
      async () => {
        after = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm-2', text: 'twee' }).catch(
          () => ({ ok: false }),
        );
        return after.ok;
      },
      30_000,
      250,
    );
    const transcript = await app.app.store.messages(conversationId, { forOperator: true });
    expect(transcript.map((m) => m.text)).toEqual(['een', 'twee']);
    // No log line holds either password.
    expect(app.logs.join('')).not.toContain(PASSWORD);
    expect(app.logs.join('')).not.toContain(SENTINEL_PASSWORD);
  });

  it('a missing or wrong REDIS_SENTINEL_PASSWORD is a clear error at start', async () => {
    cluster = await startSentinelCluster({
      replicas: 1,
      sentinels: 1,
      password: PASSWORD,
      sentinelPassword: SENTINEL_PASSWORD,
    });
    const target = {
      redisUrl: '',
      redisSentinels: cluster.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      redisSentinelName: cluster.name,
    };
    const refused = `the Sentinels at ${cluster.sentinelList} refuse the password (REDIS_SENTINEL_PASSWORD)`;
    await expect(checkSentinels(target)).rejects.toThrow(refused);
    await expect(checkSentinels({ ...target, redisSentinelPassword: 'wrong' })).rejects.toThrow(refused);
    expect(await checkSentinels({ ...target, redisSentinelPassword: SENTINEL_PASSWORD })).toBe(
      `127.0.0.1:${cluster.nodes[0]!.port}`,
    );
  });
});
