import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@stille-lijn/shared';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { markRelayedScript } from '../../server/src/messages/scripts.ts';
import { runScript } from '../../server/src/redis/scripts.ts';
import { visitorRoom } from '../../server/src/sockets/notifier.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { deferred } from '../support/deferred.ts';
import { type RedisProxy, startRedisProxy } from '../support/redis-proxy.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/**
 * Two gaps in which a stored message reached the other side neither live nor in `missed`
 * (issue 14, item 7): a resume that read `missed` before its socket joined the room, and
 * a resend of a message whose first reply was lost, acked but never relayed.
 */
describe('no stored message falls between relay and missed', () => {
  let t: TestApp | undefined;
  let proxy: RedisProxy | undefined;
  let direct: Redis | undefined;
  const sockets: (VisitorSocket | OperatorSocket)[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    await proxy?.close();
    direct?.disconnect();
    t = undefined;
    proxy = undefined;
    direct = undefined;
  });

  /** A visitor in a conversation an operator has accepted. */
  async function activeConversation(app: TestApp) {
    const acct = await createOperator(app);
    const op = await connectOperator(app.url, acct.cookie);
    const v = await connectVisitor(app.url);
    sockets.push(op, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(start.ok).toBe(true);
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    return {
      op,
      v,
      conversationId,
      resumeToken: String(start.resumeToken),
      returnCode: String(start.returnCode),
    };
  }

  it('chat:resume joins the room before it reads missed: a message stored in between reaches the visitor', async () => {
    t = await startTestApp();
    const app = t;
    const { op, v, conversationId, resumeToken } = await activeConversation(app);
    v.disconnect();

    // The resumed socket's join of the conversation's room is held until released.
    const adapter = app.app.io.of('/visitor').adapter;
    const addAll = adapter.addAll.bind(adapter);
    const released = deferred();
    const held = deferred();
    adapter.addAll = (id, rooms) => {
      if (!rooms.has(visitorRoom(conversationId))) return addAll(id, rooms);
      held.resolve();
      return released.promise.then(() => addAll(id, rooms));
    };

    const back = await connectVisitor(app.url);
    sockets.push(back);
    const live = collect<Message>(back, 'chat:message');
    const resumed = emitAck<AnyAck & { missed?: Message[] }>(back, 'chat:resume', { resumeToken });
    await held.promise;
    // The operator writes while the visitor's socket is on its way into the room.
    const sent = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'in-the-gap',
      text: 'Ben je er nog?',
    });
    expect(sent.ok).toBe(true);
    await sleep(200); // the relay goes out right after the ack
    released.resolve();
    const ack = await resumed;
    expect(ack.ok).toBe(true);
    await sleep(300);
    const reached = [...(ack.missed ?? []), ...live].filter((m) => m.messageId === sent.messageId);
    expect(reached.length, 'the message reached the visitor live or in missed').toBeGreaterThan(0);
  });

  it('a resend of a message stored but never relayed (its reply lost) is relayed, and only once', async () => {
    const redisUrl = new URL(inject('redisUrl'));
    proxy = await startRedisProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
    direct = new Redis(inject('redisUrl'));
    t = await startTestApp({ REDIS_URL: proxy.url });
    const app = t;
    const { op, v, conversationId } = await activeConversation(app);
    const opGot = collect<Message>(op, 'chat:message');
    const messages = app.app.keys.messages(conversationId);
    expect(await direct.xlen(messages)).toBe(0);

    // The message is stored, but its reply is lost with the connection.
    proxy.loseReplies();
    const sending = emitAck<AnyAck>(v, 'chat:message', {
      clientMessageId: 'lost-reply',
      text: 'Hij komt zo thuis',
    });
    await waitFor(async () => (await direct!.xlen(messages)) === 1, 5000);
    proxy.cut();
    // ioredis resends the unanswered script after reconnecting: a duplicate of a stored message.
    const ack = await sending;
    expect(ack.ok).toBe(true);
    expect(await direct.xlen(messages)).toBe(1);
    await waitFor(() => opGot.some((m) => m.messageId === ack.messageId), 5000);

    // Relayed now: the widget's own resend (same id) is acked and not relayed again.
    const marked = app.app.keys.clientMessageIds(conversationId);
    await waitFor(async () => (await direct!.hexists(marked, '>lost-reply')) === 1, 5000);
    const again = await emitAck<AnyAck>(v, 'chat:message', {
      clientMessageId: 'lost-reply',
      text: 'Hij komt zo thuis',
    });
    expect(again).toMatchObject({ ok: true, messageId: ack.messageId });
    await sleep(300);
    expect(opGot.filter((m) => m.messageId === ack.messageId)).toHaveLength(1);
    expect(await direct.xlen(messages)).toBe(1);
  });

  it("an operator's resend of a message from before a return-code redemption never reaches whoever redeemed the code", async () => {
    // The person who redeems the code may be the one holding the victim's phone: nothing
    // from before the redemption is sent to them (PROTOCOL.md, version 2). A resend whose
    // first relay never ran (its ack was `unavailable`, or the process died) is relayed
    // again, but not to them.
    direct = new Redis(inject('redisUrl'));
    t = await startTestApp();
    const app = t;
    const { op, v, conversationId, returnCode } = await activeConversation(app);
    const before = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-before',
      text: 'Kun je ergens veilig praten?',
    });
    expect(before.ok).toBe(true);
    const marked = app.app.keys.clientMessageIds(conversationId);
    await waitFor(async () => (await direct!.hexists(marked, '>o-before')) === 1, 5000);
    // As if the relay had never run: the mark is gone.
    await direct.hdel(marked, '>o-before');

    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    v.disconnect();
    const other = await connectVisitor(app.url);
    sockets.push(other);
    const got = collect<Message>(other, 'chat:message');
    const resumed = await emitAck<AnyAck>(other, 'chat:resume', { returnCode });
    expect(resumed.ok).toBe(true);

    const again = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-before',
      text: 'Kun je ergens veilig praten?',
    });
    expect(again).toMatchObject({ ok: true, messageId: before.messageId });
    // A message after the redemption does reach them: the check below is not vacuous.
    const after = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-after',
      text: 'Ben je er nog?',
    });
    expect(after.ok).toBe(true);
    await waitFor(() => got.some((m) => m.messageId === after.messageId), 5000);
    expect(got.map((m) => m.messageId)).toEqual([after.messageId]);
  });

  it('an operator message stored before a redemption but answered after it (a late WAIT) never reaches whoever redeemed the code', async () => {
    t = await startTestApp();
    const app = t;
    const { op, v, conversationId, returnCode } = await activeConversation(app);
    // The operator's next write is held once Redis has run it, as a slow replica's WAIT
    // holds it with REDIS_ACK_REPLICAS: stored, not yet acked or relayed.
    const durable = app.app.durable;
    const write = durable.write.bind(durable);
    const released = deferred();
    const stored = deferred();
    let armed = true;
    durable.write = async <T>(fn: Parameters<typeof write<T>>[0]): Promise<T> => {
      const r = await write(fn);
      if (armed) {
        armed = false;
        stored.resolve();
        await released.promise;
      }
      return r;
    };
    const sending = emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-late',
      text: 'Ben je daar nog?',
    });
    await stored.promise;

    // Meanwhile the visitor leaves and someone else redeems the code.
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    v.disconnect();
    const other = await connectVisitor(app.url);
    sockets.push(other);
    const got = collect<Message>(other, 'chat:message');
    expect((await emitAck<AnyAck>(other, 'chat:resume', { returnCode })).ok).toBe(true);

    released.resolve();
    expect((await sending).ok).toBe(true);
    // A message after the redemption does reach them: the check below is not vacuous.
    const after = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-after',
      text: 'Hallo?',
    });
    await waitFor(() => got.some((m) => m.messageId === after.messageId), 5000);
    expect(got.map((m) => m.messageId)).toEqual([after.messageId]);
  });

  it('mark every relayed message, and never bring back the hash of a conversation erased before the batch', async () => {
    t = await startTestApp();
    const app = t;
    const { v, conversationId } = await activeConversation(app);
    const marked = app.app.keys.clientMessageIds(conversationId);
    for (const id of ['m1', 'm2', 'm3']) {
      const ack = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: id, text: 'Ben je er nog?' });
      expect(ack.ok).toBe(true);
    }
    await waitFor(
      async () => (await app.app.redis.hmget(marked, '>m1', '>m2', '>m3')).every((x) => x === '1'),
      5000,
    );

    // One batch carries the marks of several conversations; for one whose keys were erased
    // before it, it writes nothing, and the others' marks still land.
    await app.app.redis.del(marked);
    const other = app.app.keys.clientMessageIds('other-conversation');
    await app.app.redis.hset(other, 'x1', '1-0');
    const conn = app.app.durable.connection;
    const written = await runScript(
      conn,
      markRelayedScript,
      { clientMessageIds: [marked, other] },
      { marks: [1, '>m4', 2, '>x1', '>x2'] },
    );
    expect(written).toBe(2);
    expect(await app.app.redis.exists(marked)).toBe(0);
    expect(await app.app.redis.hmget(other, '>x1', '>x2')).toEqual(['1', '1']);
  });

  it('a resend answered while the relayed marks are being written is not relayed a second time', async () => {
    t = await startTestApp();
    const { conversationId } = await activeConversation(t);
    const messages = t.app.messages;
    const first = await messages.visitorMessage(conversationId, 'same', 'eenmaal');
    first.relay?.();
    // The resend's append goes out first; the batch of relayed marks, with this message's,
    // right after it on the same connection: Redis answers the resend "not relayed yet",
    // and the mark is no longer waiting in the batch when that answer is read.
    const resend = messages.visitorMessage(conversationId, 'same', 'eenmaal');
    const flushed = messages.flushMarks();
    const again = await resend;
    await flushed;
    expect(again.messageId).toBe(first.messageId);
    expect(again.relay, 'relayed once only').toBeUndefined();
    // And a resend after the marks are written is not relayed either.
    expect((await messages.visitorMessage(conversationId, 'same', 'eenmaal')).relay).toBeUndefined();
  });

  it('a resend whose first copy is relayed, and its mark sent, while the resend is on its way is not relayed again', async () => {
    t = await startTestApp();
    const { conversationId } = await activeConversation(t);
    const messages = t.app.messages;
    const first = await messages.visitorMessage(conversationId, 'twice', 'eenmaal');
    // The resend's append goes out before the first copy's relay and its mark: Redis answers
    // it "not relayed", in the same read as the mark's answer.
    const resend = messages.visitorMessage(conversationId, 'twice', 'eenmaal');
    first.relay?.();
    const flushed = messages.flushMarks();
    const again = await resend;
    await flushed;
    expect(again.relay, 'relayed once only').toBeUndefined();
  });
});
