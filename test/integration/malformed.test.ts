import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

const visitorEvents = ['chat:start', 'chat:resume', 'chat:message', 'chat:leave'] as const;
const operatorEvents = [
  'operator:status',
  'chat:accept',
  'chat:message',
  'chat:note',
  'chat:transfer',
  'chat:end',
] as const;

/** Random junk plus near-misses of the real payloads: wrong types, too long, extra nesting. */
const junk = fc.oneof(
  fc.anything(),
  fc.record(
    { role: fc.string(), language: fc.string(), urgent: fc.anything(), text: fc.string() },
    { requiredKeys: [] },
  ),
  fc.record({ clientMessageId: fc.anything(), text: fc.anything() }, { requiredKeys: [] }),
  fc.record({
    text: fc.constantFrom('', '   ', '\n\t', 'x'.repeat(2001)),
    clientMessageId: fc.constant('ok'),
  }),
  fc.record({ conversationId: fc.string({ maxLength: 300 }), to: fc.anything() }, { requiredKeys: [] }),
  fc.record({ resumeToken: fc.string(), returnCode: fc.string() }),
  fc.record({ reason: fc.string() }),
  fc.record({ status: fc.string() }),
);

/** A snapshot of every key and its type+length, to prove bad input changed nothing. */
async function keyspace(t: TestApp): Promise<string> {
  const keys = (await t.app.redis.keys(`${t.config.redisPrefix}:*`)).filter(
    (k) =>
      !k.includes(':throttle:') &&
      !k.includes(':route:op:') &&
      !k.includes(':conns') &&
      !k.includes(':conversations:'),
  );
  keys.sort();
  const parts: string[] = [];
  for (const k of keys) {
    const type = await t.app.redis.type(k);
    const len =
      type === 'hash'
        ? await t.app.redis.hlen(k)
        : type === 'stream'
          ? await t.app.redis.xlen(k)
          : type === 'zset'
            ? await t.app.redis.zcard(k)
            : type === 'set'
              ? await t.app.redis.scard(k)
              : 1;
    parts.push(`${k}:${type}:${len}`);
  }
  return parts.join('\n');
}

describe('malformed input', () => {
  let t: TestApp;
  let visitor: VisitorSocket;
  let operator: OperatorSocket;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestApp({ SOCKET_EVENTS_PER_S: '100000' });
    visitor = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(visitor, 'chat:start', { role: 'victim', language: 'nl' });
    conversationId = String(start.conversationId);
    const acct = await createOperator(t);
    operator = await connectOperator(t.url, acct.cookie);
    expect((await emitAck<AnyAck>(operator, 'chat:accept', { conversationId })).ok).toBe(true);
  });
  afterAll(async () => {
    visitor.disconnect();
    operator.disconnect();
    await t.close();
  });

  it('answers every malformed payload on both namespaces with invalid_payload and changes nothing', async () => {
    const before = await keyspace(t);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...visitorEvents.map((e) => ['v', e] as const),
          ...operatorEvents.map((e) => ['o', e] as const),
        ),
        junk,
        async ([side, event], payload) => {
          const socket = side === 'v' ? visitor : operator;
          // Payloads that happen to be valid are not what this property is about.
          const res = await emitAck<AnyAck>(socket, event, payload);
          if (res.ok) return;
          expect(['invalid_payload', 'not_found', 'forbidden', 'conflict']).toContain(res.error?.code);
        },
      ),
      { numRuns: 400 },
    );
    // Any accidental success above would show up here as a changed keyspace.
    expect(await keyspace(t)).toBe(before);
    expect(visitor.connected && operator.connected).toBe(true);
  });

  it('answers schema-breaking payloads with invalid_payload exactly', async () => {
    const cases: [VisitorSocket | OperatorSocket, string, unknown][] = [
      [visitor, 'chat:start', { role: 'hacker', language: 'nl' }],
      [visitor, 'chat:message', { clientMessageId: 'a', text: '   ' }],
      [visitor, 'chat:message', { clientMessageId: 'a', text: 'x'.repeat(2001) }],
      [visitor, 'chat:message', 'just a string'],
      [visitor, 'chat:resume', { resumeToken: 'short' }],
      [visitor, 'chat:leave', { reason: 'whatever' }],
      [operator, 'chat:transfer', { conversationId, to: { somewhere: true } }],
      [operator, 'operator:status', { status: 'sleeping' }],
      [operator, 'chat:note', { conversationId, text: '' }],
      [operator, 'chat:accept', null],
    ];
    for (const [socket, event, payload] of cases) {
      const res = await emitAck<AnyAck>(socket, event, payload);
      expect(res, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toEqual({
        ok: false,
        error: { code: 'invalid_payload', message: expect.any(String) },
      });
    }
  });

  it('answers unknown events with unknown_event on both namespaces', async () => {
    for (const socket of [visitor, operator]) {
      const res = await emitAck<AnyAck>(socket, 'admin:drop-all', { all: true });
      expect(res.error?.code).toBe('unknown_event');
    }
  });

  it('closes a connection that sends an oversized frame, and the server carries on', async () => {
    const big = await connectVisitor(t.url);
    const closed = new Promise<string>((resolve) => big.on('disconnect', (reason) => resolve(reason)));
    big.emit('chat:start', { role: 'victim', language: 'nl', text: 'x'.repeat(64 * 1024) }, () => {});
    expect(await closed).toMatch(/transport close|transport error/);
    const res = await emitAck<AnyAck>(visitor, 'chat:message', {
      clientMessageId: 'after-big',
      text: 'still here',
    });
    expect(res.ok).toBe(true);
  });

  it('refuses a namespace that does not exist', async () => {
    const s = io(`${t.url}/admin`, { transports: ['websocket'], forceNew: true, reconnection: false });
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    s.disconnect();
    expect(err.message).toMatch(/Invalid namespace|unknown_namespace/);
  });
});
