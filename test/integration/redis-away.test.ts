import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { type RedisProxy, startRedisProxy } from '../support/redis-proxy.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/**
 * Redis away must never leave a rejection unhandled in the server: Node ends a process on
 * one by default. Libraries fire some commands without awaiting them (the Socket.IO
 * adapter's PUBLISH and, when it closes, its UNSUBSCRIBE; ioredis' re-SUBSCRIBE).
 */
describe('Redis away: no unhandled rejection', () => {
  let t: TestApp | undefined;
  let proxy: RedisProxy | undefined;
  const sockets: (VisitorSocket | OperatorSocket)[] = [];
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  afterEach(async () => {
    process.off('unhandledRejection', record);
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    await proxy?.close();
    t = undefined;
    proxy = undefined;
    unhandled.length = 0;
  });

  async function chatting() {
    const url = new URL(inject('redisUrl'));
    proxy = await startRedisProxy({ host: url.hostname, port: Number(url.port) });
    t = await startTestApp({ REDIS_URL: proxy.url });
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    sockets.push(op, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    process.on('unhandledRejection', record);
    return { app: t, proxy, op, v, conversationId };
  }

  const described = () => unhandled.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)));

  it('closing the server while Redis answers nothing', async () => {
    const { app, proxy, op, v, conversationId } = await chatting();
    proxy.loseReplies();
    v.emit('chat:message', { clientMessageId: 'm-1', text: 'hallo' }, () => {});
    op.emit('chat:message', { conversationId, clientMessageId: 'o-1', text: 'hoi' }, () => {});
    await sleep(200);
    await app.close();
    t = undefined;
    await sleep(200);
    expect(described()).toEqual([]);
  });

  it('an outage of several reconnect attempts while visitors and operators go on, then a close', async () => {
    const { app, proxy, op, v, conversationId } = await chatting();
    proxy.refuse();
    for (let i = 0; i < 16; i++) {
      v.emit('chat:message', { clientMessageId: `m-${i}`, text: `bericht ${i}` }, () => {});
      v.emit('chat:typing', { typing: i % 2 === 0 });
      op.emit('chat:message', { conversationId, clientMessageId: `o-${i}`, text: `antwoord ${i}` }, () => {});
      op.emit('operator:status', { status: i % 2 ? 'available' : 'away' }, () => {});
      await sleep(250);
    }
    proxy.restore();
    expect((await emitAck<AnyAck>(op, 'operator:status', { status: 'available' })).ok).toBe(true);
    await app.close();
    t = undefined;
    await sleep(200);
    expect(described()).toEqual([]);
  });
});
