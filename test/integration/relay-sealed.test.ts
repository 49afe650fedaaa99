import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { decode } from 'notepack.io';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { operatorRoom } from '../../server/src/sockets/notifier.ts';
import { socketChannel } from '../../server/src/sockets/notify-plugin.ts';
import { startTestApp, TEST_DATA_KEY, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
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
interface Captured {
  channel: string;
  payload: Buffer;
}

const FIRST = 'Mijn man slaat me';

/** Every string anywhere in a decoded MessagePack value. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Buffer.isBuffer(value)) out.push(value.toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** Whether a payload read off Redis holds `text`: as UTF-8 bytes, or in any string of its MessagePack. */
function holds(payload: Buffer, text: string): boolean {
  if (payload.includes(Buffer.from(text, 'utf8'))) return true;
  let decoded: unknown;
  try {
    decoded = decode(payload);
  } catch {
    return false;
  }
  return stringsIn(decoded).some((s) => s.includes(text));
}

/** What someone with the Redis password reads: every payload on the adapter's channels, kept whole. */
async function watchRelay(prefix: string): Promise<{ redis: Redis; captured: Captured[] }> {
  const redis = new Redis(inject('redisUrl'));
  const captured: Captured[] = [];
  redis.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, payload: Buffer) =>
    captured.push({ channel: channel.toString(), payload }),
  );
  // `<key>#…` (broadcasts), `<key>-request#…` and `<key>-response#…`.
  await redis.psubscribe(`${socketChannel(prefix)}*`);
  return { redis, captured };
}

describe('chat content crosses Redis sealed (sockets/sealed-parser.ts)', () => {
  const apps: TestApp[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  const redises: Redis[] = [];
  let worker: ChildProcess | undefined;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    if (worker && worker.exitCode === null) {
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    }
    worker = undefined;
    for (const a of apps.splice(0)) await a.close();
    for (const r of redises.splice(0)) r.disconnect();
  });

  it('relays a message, a reply and a note between two instances with no text readable on Redis', async () => {
    const a = await startTestApp();
    apps.push(a);
    const b = await startTestApp({ REDIS_PREFIX: a.config.redisPrefix });
    apps.push(b);
    const watch = await watchRelay(a.config.redisPrefix);
    redises.push(watch.redis);

    const op = await createOperator(a, { displayName: 'Anna de Vries' });
    const consoleA = await connectOperator(a.url, op.cookie);
    // The operator's second tab, on B: their notes are relayed to it.
    const consoleB = await connectOperator(b.url, op.cookie);
    const v = await connectVisitor(b.url);
    sockets.push(consoleA, consoleB, v);
    const assigned = nextEvent(consoleA, 'chat:assigned');
    await emitAck(consoleA, 'operator:status', { status: 'available' });
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    await assigned;
    const conversationId = String(start.conversationId);

    const toOperator = nextEvent<{ text: string }>(consoleA, 'chat:message', {
      where: (m) => m.text === FIRST,
    });
    expect((await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: FIRST })).ok).toBe(true);
    expect((await toOperator).text).toBe(FIRST);

    const reply = 'Ben je nu veilig?';
    const toVisitor = nextEvent<{ text: string }>(v, 'chat:message', { where: (m) => m.text === reply });
    const sent = { conversationId, clientMessageId: 'o1', text: reply };
    expect((await emitAck<AnyAck>(consoleA, 'chat:message', sent)).ok).toBe(true);
    expect((await toVisitor).text).toBe(reply);

    const note = 'Partner dreigt met geweld';
    const noteOnB = nextEvent<{ text: string }>(consoleB, 'chat:note', { where: (n) => n.text === note });
    expect((await emitAck<AnyAck>(consoleA, 'chat:note', { conversationId, text: note })).ok).toBe(true);
    expect((await noteOnB).text).toBe(note);

    await new Promise((r) => setTimeout(r, 100));
    // The relays did cross Redis…
    expect(watch.captured.some((c) => c.channel.includes(`#/operator#${operatorRoom(op.id)}#`))).toBe(true);
    expect(watch.captured.some((c) => c.channel.includes('#/visitor#'))).toBe(true);
    // …but none of them can be read there.
    for (const text of [FIRST, reply, note]) {
      expect(watch.captured.filter((c) => holds(c.payload, text)).map((c) => c.channel)).toEqual([]);
    }
  });

  it('a conversation assigned by `npm run worker` reaches the operator, its first message unreadable on Redis', async () => {
    const env = {
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
      DATA_KEY: TEST_DATA_KEY,
      HASH_KEY: TEST_HASH_KEY,
      LANGUAGE_FALLBACK_S: '1',
    };
    const a = await startTestApp({ ...env, WORKERS: 'none' });
    apps.push(a);
    const watch = await watchRelay(env.REDIS_PREFIX);
    redises.push(watch.redis);
    let output = '';
    worker = spawn(process.execPath, ['server/src/worker.ts'], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d) => {
      output += String(d);
    });
    worker.stderr?.on('data', (d) => {
      output += String(d);
    });

    // Nobody speaks Polish: the server's own routing pass leaves it waiting, and the
    // worker's language-fallback job assigns it (through the Redis emitter).
    const op = await createOperator(a, { languages: ['nl'] });
    const console_ = await connectOperator(a.url, op.cookie);
    const v = await connectVisitor(a.url);
    sockets.push(console_, v);
    await emitAck(console_, 'operator:status', { status: 'available' });
    const assigned = nextEvent<{ messages: { text: string }[] }>(console_, 'chat:assigned', { ms: 30_000 });
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'pl', text: FIRST });
    expect(start.ok).toBe(true);
    const view = await assigned.catch((err: Error) => {
      throw new Error(`${err.message}; worker said: ${output}`);
    });
    expect(view.messages.map((m) => m.text)).toContain(FIRST);

    await new Promise((r) => setTimeout(r, 100));
    // The server is alone and publishes nothing: what is on the operator's channel came from the worker.
    expect(watch.captured.some((c) => c.channel.includes(`#/operator#${operatorRoom(op.id)}#`))).toBe(true);
    expect(watch.captured.filter((c) => holds(c.payload, FIRST)).map((c) => c.channel)).toEqual([]);
  });

  it('drops a plaintext broadcast (as a release before sealing publishes) and logs its code, not its content', async () => {
    const a = await startTestApp();
    apps.push(a);
    const op = await createOperator(a);
    const console_ = await connectOperator(a.url, op.cookie);
    sockets.push(console_);
    const got = collect<{ text: string }>(console_, 'chat:message');
    const redis = new Redis(inject('redisUrl'));
    redises.push(redis);

    // An instance of the previous release: the adapter's default MessagePack, unsealed.
    const old = new Emitter(redis, { key: socketChannel(a.config.redisPrefix) }).of('/operator');
    const forged = 'Kom maar naar de achterdeur';
    old.to(operatorRoom(op.id)).emit('chat:message', {
      conversationId: randomUUID(),
      messageId: '1-0',
      from: 'visitor',
      text: forged,
      at: new Date().toISOString(),
    });
    const dropLogged = () => a.logs.some((l) => l.includes('"code":"unsealed"'));
    await waitFor(() => got.length > 0 || dropLogged(), 3000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => m.text)).toEqual([]);
    expect(dropLogged()).toBe(true);
    expect(a.logs.filter((l) => l.includes(forged))).toEqual([]);
  });
});
