import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, TEST_DATA_KEY, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  login,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { freePort, type PrivateRedis, startPrivateRedis } from '../support/redis-server.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

/** Sends until acknowledged, reusing the client message id, as the widget does. */
async function sendUntilAcked(
  socket: VisitorSocket | OperatorSocket,
  payload: Record<string, unknown>,
): Promise<AnyAck> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if (socket.connected) {
        const res = (await (socket as unknown as import('socket.io-client').Socket)
          .timeout(1500)
          .emitWithAck('chat:message', payload)) as AnyAck;
        if (res.ok) return res;
      }
    } catch {
      // no ack in time: resend
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('message never acknowledged');
}

describe('Redis restart mid-conversation (AOF on)', () => {
  let redis: PrivateRedis | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await redis?.destroy();
  });

  it('carries on and loses no acknowledged message', async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({ REDIS_URL: redis.url });
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    const opGot = collect<{ messageId: string; text: string }>(op, 'chat:message');

    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      acked.push(
        String((await sendUntilAcked(v, { clientMessageId: `before-${i}`, text: `voor ${i}` })).messageId),
      );
    }
    // Redis goes down; messages sent now can only be acknowledged once it is back.
    await redis.stop();
    const during = (async () => {
      for (let i = 0; i < 5; i++) {
        acked.push(
          String(
            (await sendUntilAcked(v, { clientMessageId: `during-${i}`, text: `tijdens ${i}` })).messageId,
          ),
        );
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    expect(acked).toHaveLength(5); // nothing was acknowledged while Redis was down
    await redis.start();
    await during;
    for (let i = 0; i < 3; i++) {
      acked.push(
        String((await sendUntilAcked(v, { clientMessageId: `after-${i}`, text: `na ${i}` })).messageId),
      );
    }
    const reply = await sendUntilAcked(op, {
      conversationId,
      clientMessageId: 'op-after',
      text: 'Ik ben er nog',
    });
    expect(reply.ok).toBe(true);

    const stored = (
      await t.app.redis.xrange(`${t.config.redisPrefix}:conv:${conversationId}:msgs`, '-', '+')
    ).map(([id]) => id);
    for (const id of acked) expect(stored).toContain(id);
    // Each acknowledged message reached the operator exactly once.
    await waitFor(() => new Set(opGot.map((m) => m.messageId)).size >= acked.length, 10_000);
    const ids = opGot.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(stored.length).toBe(acked.length + 1);
    op.disconnect();
    v.disconnect();
  });

  it('/readyz answers 503 while Redis is down and 200 when it is back', async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({ REDIS_URL: redis.url });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await redis.stop();
    await waitFor(async () => (await fetch(`${t!.url}/readyz`)).status === 503, 5000);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await redis.start();
    await waitFor(async () => (await fetch(`${t!.url}/readyz`)).status === 200, 10_000, 100);
  });
});

describe('two server instances on one Redis', () => {
  let redis: PrivateRedis | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await redis?.destroy();
  });

  it('lets a visitor on one and an operator on the other converse, across a restart, each message once', async () => {
    redis = await startPrivateRedis();
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
      DATA_KEY: TEST_DATA_KEY,
      HASH_KEY: TEST_HASH_KEY,
      OPERATOR_GRACE_S: '30',
    };
    const a = await startServerProcess(env, await freePort());
    const b = await startServerProcess(env, await freePort());
    servers.push(a, b);

    // An operator account, made through the CLI as an admin would.
    const { execFileSync } = await import('node:child_process');
    const password = `pw-${randomUUID()}`;
    execFileSync(process.execPath, ['scripts/operator.ts', 'add', 'tweeling', '--name', 'Bo Bakker'], {
      env: { ...process.env, ...env },
      input: `${password}\n`,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const cookie = await login(b.url, 'tweeling', password);
    const op: OperatorSocket = await connectOperator(b.url, cookie);

    // The visitor is on instance A, reconnecting by itself as the widget does.
    const v: VisitorSocket = io(`${a.url}/visitor`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 300,
    });
    await nextEvent(v, 'connect');
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    let resumeToken = String(start.resumeToken);
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;

    const opGot = collect<{ text: string; messageId: string }>(op, 'chat:message');
    const visitorGot = collect<{ text: string; messageId: string }>(v, 'chat:message');
    await sendUntilAcked(v, { clientMessageId: 'v1', text: 'via A' });
    await sendUntilAcked(op, { conversationId, clientMessageId: 'o1', text: 'via B' });
    await waitFor(() => opGot.length === 1 && visitorGot.length === 1);

    // On every reconnect the visitor resumes with its token, as the widget does.
    v.io.on('reconnect', () => {
      v.emit('chat:resume', { resumeToken }, (res) => {
        if (res.ok) resumeToken = res.resumeToken;
      });
    });
    // A restart is not her leaving: the operator is not told she left (and came back).
    const opLeft = collect<{ conversationId: string; reason: string }>(op, 'chat:visitor-left');
    // Restart A while a message is being sent through it.
    const sending = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      return sendUntilAcked(v, { clientMessageId: 'v2', text: 'tijdens herstart' });
    })();
    await a.stop('SIGTERM');
    await a.start();
    const acked = await sending;
    expect(acked.ok).toBe(true);
    await sendUntilAcked(op, { conversationId, clientMessageId: 'o2', text: 'na herstart' });
    await waitFor(() => opGot.some((m) => m.text === 'tijdens herstart'), 10_000);
    await waitFor(() => visitorGot.some((m) => m.text === 'na herstart'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(opGot.filter((m) => m.text === 'tijdens herstart')).toHaveLength(1);
    expect(opGot.map((m) => m.text)).toEqual(['via A', 'tijdens herstart']);
    expect(opLeft).toEqual([]);
    op.disconnect();
    v.disconnect();
  });
});

describe('graceful shutdown', () => {
  let redis: PrivateRedis | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    await redis?.destroy();
  });

  it('on SIGTERM finishes in-flight acks, stores what it acked, and exits 0', async () => {
    redis = await startPrivateRedis();
    const prefix = `t${randomUUID().slice(0, 8)}`;
    server = await startServerProcess(
      { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_KEY: TEST_DATA_KEY, HASH_KEY: TEST_HASH_KEY },
      await freePort(),
    );
    const v = await connectVisitor(server.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(start.ok, JSON.stringify(start)).toBe(true);
    // A burst of messages, with SIGTERM landing in the middle of it. The timeout is long:
    // on a loaded machine a fresh process can take seconds over its first burst.
    const acks = Array.from({ length: 50 }, (_, i) =>
      (
        v
          .timeout(20_000)
          .emitWithAck('chat:message', { clientMessageId: `m${i}`, text: `bericht ${i}` }) as Promise<AnyAck>
      ).catch(() => ({ ok: false }) as AnyAck),
    );
    // Once the server has acknowledged part of the burst, SIGTERM lands in the middle of it.
    await Promise.race([
      new Promise<void>((resolve) => {
        for (const a of acks) void a.then((r) => r.ok && resolve());
      }),
      Promise.all(acks),
    ]);
    const exit = server.stop('SIGTERM');
    const results = await Promise.all(acks);
    const code = await exit;
    expect(code, server.output()).toBe(0);
    const ackedIds = results.filter((r) => r.ok).map((r) => String(r.messageId));
    expect(ackedIds.length).toBeGreaterThan(0);
    const { Redis } = await import('ioredis');
    const r = new Redis(redis.url);
    const stored = (await r.xrange(`${prefix}:conv:${start.conversationId}:msgs`, '-', '+')).map(
      ([id]) => id,
    );
    r.disconnect();
    for (const id of ackedIds) expect(stored).toContain(id);
    v.disconnect();
  });
});
