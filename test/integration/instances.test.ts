import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PEER_CHECK_MS } from '../../server/src/sockets/adapter.ts';
import { socketChannel } from '../../server/src/sockets/notify-plugin.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; [k: string]: unknown };

describe('broadcasts between server instances (sockets/adapter.ts)', () => {
  const apps: TestApp[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  let watcher: Redis | undefined;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const a of apps.splice(0)) await a.close();
    watcher?.disconnect();
  });

  it('publishes nothing while alone, reaches a second instance from the moment it is up, and stops again when it leaves', async () => {
    const a = await startTestApp();
    apps.push(a);
    // Every broadcast the Redis adapter publishes, on any room.
    watcher = new Redis(inject('redisUrl'));
    const published: string[] = [];
    watcher.on('pmessage', (_pattern: string, channel: string) => published.push(channel));
    await watcher.psubscribe(`${socketChannel(a.config.redisPrefix)}#*`);

    const op = await createOperator(a, { displayName: 'Anna de Vries' });
    const consoleA = await connectOperator(a.url, op.cookie);
    const v = await connectVisitor(a.url);
    sockets.push(consoleA, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const assigned = nextEvent(consoleA, 'chat:assigned');
    await emitAck(consoleA, 'operator:status', { status: 'available' });
    await assigned;

    // Alone: relayed both ways, with no publish.
    published.length = 0;
    const toOperator = nextEvent<{ text: string }>(consoleA, 'chat:message');
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: 'een' })).ok).toBe(true);
    expect((await toOperator).text).toBe('een');
    const toVisitor = nextEvent<{ text: string }>(v, 'chat:message');
    const reply = { conversationId: start.conversationId, clientMessageId: 'o1', text: 'twee' };
    expect((await emitAck<AnyAck>(consoleA, 'chat:message', reply)).ok).toBe(true);
    expect((await toVisitor).text).toBe('twee');
    await new Promise((r) => setTimeout(r, 100));
    expect(published).toEqual([]);

    // A second instance: the operator's second console on it gets the visitor's next message
    // at once, without waiting for instance A's next count.
    const b = await startTestApp({ REDIS_PREFIX: a.config.redisPrefix });
    apps.push(b);
    const consoleB = await connectOperator(b.url, op.cookie);
    sockets.push(consoleB);
    const onB = collect<{ text: string }>(consoleB, 'chat:message');
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v2', text: 'drie' })).ok).toBe(true);
    await waitFor(() => onB.length === 1, 300);
    expect(onB.map((m) => m.text)).toEqual(['drie']);
    expect(published.length).toBeGreaterThan(0);

    // B leaves: within a count or two, A publishes nothing again.
    consoleB.disconnect();
    await apps.pop()?.close();
    await new Promise((r) => setTimeout(r, PEER_CHECK_MS * 2 + 200));
    published.length = 0;
    const again = nextEvent<{ text: string }>(consoleA, 'chat:message');
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v3', text: 'vier' })).ok).toBe(true);
    expect((await again).text).toBe('vier');
    await new Promise((r) => setTimeout(r, 100));
    expect(published).toEqual([]);
  });
});
