/**
 * A resume closes the older sockets of its conversation (a half-dead connection she left
 * behind), on this instance and on the others. Socket.IO's Redis adapter sends that order
 * through Redis pub/sub and carries it out, here too, only when it comes back, against the
 * room as it is then. A subscriber connection that lags (a failover, a busy server) brings
 * it back late, after she has resumed again on a newer socket, which it then closes, her
 * resume's ack with it: seen in resume-lost-reply.test.ts on a loaded machine. A proxy holds
 * back what Redis pushes to the servers' subscribers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, emitAck, type VisitorSocket, waitFor } from '../support/clients.ts';
import { type RedisProxy, startRedisProxy } from '../support/redis-proxy.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Tracked = VisitorSocket & { closedBy?: string };

const apps: TestApp[] = [];
const sockets: VisitorSocket[] = [];
let proxy: RedisProxy | undefined;
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const a of apps.splice(0)) await a.close();
  await proxy?.close();
  proxy = undefined;
});

/** `count` instances sharing one store, each talking to Redis through one proxy. */
async function instances(count: number): Promise<{ servers: TestApp[]; proxy: RedisProxy }> {
  const redisUrl = new URL(inject('redisUrl'));
  proxy = await startRedisProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
  const first = await startTestApp({ REDIS_URL: proxy.url });
  apps.push(first);
  while (apps.length < count)
    apps.push(await startTestApp({ REDIS_URL: proxy.url, REDIS_PREFIX: first.config.redisPrefix }));
  return { servers: [...apps], proxy };
}

async function visitor(t: TestApp): Promise<Tracked> {
  const v: Tracked = await connectVisitor(t.url);
  v.on('disconnect', (reason) => {
    v.closedBy = reason;
  });
  sockets.push(v);
  return v;
}

/** A conversation whose first socket is gone: its id and resume token. */
async function leftBehind(t: TestApp): Promise<{ conversationId: string; token: string }> {
  const v0 = await visitor(t);
  const start = await emitAck<AnyAck>(v0, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(start.ok).toBe(true);
  v0.disconnect();
  return { conversationId: String(start.conversationId), token: String(start.resumeToken) };
}

async function resume(v: VisitorSocket, resumeToken: string): Promise<string> {
  const ack = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken });
  expect(ack).toMatchObject({ ok: true });
  return String(ack.resumeToken);
}

/**
 * With the servers' subscribers held back, she resumes on a socket of `olderOn`, then on a
 * newer one of `newerOn`: the order each resume publishes to close her older sockets waits
 * in the proxy.
 */
async function resumedTwice(
  proxy: RedisProxy,
  olderOn: TestApp,
  newerOn: TestApp,
  token: string,
): Promise<{ older: Tracked; newer: Tracked }> {
  proxy.hold('subscribers');
  const older = await visitor(olderOn);
  const next = await resume(older, token);
  const newer = await visitor(newerOn);
  await resume(newer, next);
  return { older, newer };
}

/**
 * Once this resolves, each server has carried out everything Redis pushed to its pub/sub
 * subscriber so far, what the proxy held back and released included. A PING on that
 * connection is answered after all of it: Redis answers in order on one connection, the
 * proxy passes the released bytes on before the answer, and ioredis runs the adapter's
 * handler of each pushed message, synchronously, before it resolves a later reply.
 */
async function subscribersCaughtUp(servers: TestApp[]): Promise<void> {
  await Promise.all(
    servers.map((t) => {
      const sub: Redis = (t.app.io.of('/visitor').adapter as RedisAdapter).subClient;
      return sub.ping();
    }),
  );
}

/**
 * Once this resolves, the server has finished the resume of socket `socketId`: its last step
 * (`#visitorBack` in resume.ts) names that socket on the conversation, after the resume
 * decided whether to close her other sockets.
 */
async function resumeFinished(t: TestApp, conversationId: string, socketId: string): Promise<void> {
  const key = t.app.keys.conversation(conversationId);
  await waitFor(async () => (await t.app.redis.hget(key, 'vsock')) === socketId, 5_000);
}

/** Still connected, and her conversation works on it. */
async function stillHers(v: VisitorSocket): Promise<void> {
  expect(v.connected).toBe(true);
  const sent = await emitAck<AnyAck>(v, 'chat:message', {
    clientMessageId: 'c-after',
    text: 'ben je er nog?',
  });
  expect(sent.ok).toBe(true);
}

describe('a resume closes the older sockets of its conversation, never a newer one', () => {
  it('on one instance: the older socket at once, and the late order closes nothing else', async () => {
    const {
      servers: [t],
      proxy,
    } = await instances(1);
    const { token } = await leftBehind(t!);
    const { older, newer } = await resumedTwice(proxy, t!, t!, token);
    await waitFor(() => older.closedBy !== undefined, 5_000);
    expect(older.closedBy).toBe('io server disconnect');

    proxy.release();
    await subscribersCaughtUp([t!]);
    await stillHers(newer);
  });

  it('a socket that closed while its resume ran closes none of the others', async () => {
    const {
      servers: [t],
      proxy,
    } = await instances(1);
    const { conversationId, token } = await leftBehind(t!);
    const holder = await visitor(t!);
    const next = await resume(holder, token);
    const gone = await visitor(t!);
    // Redis is slow to answer; the socket closes while its resume waits for the script.
    proxy.hold('commands');
    gone.emit('chat:resume', { resumeToken: next }, () => undefined);
    await sleep(300);
    const id = String(gone.id);
    gone.disconnect();
    // The server has seen it go before Redis answers its resume.
    await waitFor(() => !t!.app.io.of('/visitor').sockets.has(id), 5_000);
    proxy.release();
    await resumeFinished(t!, conversationId, id);
    expect(holder.closedBy).toBeUndefined();
    await stillHers(holder);
  });

  it('across instances: the order from the newer socket closes the older one; the late one from the older closes nothing', async () => {
    const {
      servers: [a, b],
      proxy,
    } = await instances(2);
    const { token } = await leftBehind(a!);
    const { older, newer } = await resumedTwice(proxy, a!, b!, token);

    proxy.release();
    await subscribersCaughtUp([a!, b!]);
    await waitFor(() => older.closedBy !== undefined, 5_000);
    expect(older.closedBy).toBe('io server disconnect');
    await stillHers(newer);
  });
});
