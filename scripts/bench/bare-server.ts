/**
 * The baseline: a bare Socket.IO relay, run as its own process by the bench. It speaks
 * just enough of the /visitor and /operator protocol for the bench clients (the same
 * code that drives the real server): no Redis, no validation, no encryption, no auth.
 * A visitor's `chat:message` is acked and emitted to the paired operator socket, and
 * the other way round. Pairing mimics routing: an available operator with free
 * capacity (BARE_CAPACITY) gets the longest-waiting visitor.
 *
 * With BARE_REDIS_URL (`npm run bench -- --bare-redis`) each message is first appended to
 * a Redis stream (one XADD, awaited before its ack and relay): the one round trip per
 * message that "persisted before the ack" asks of any design, and nothing else of ours.
 *
 * Env: PORT (0 = any), BARE_CAPACITY, BARE_REDIS_URL. Sends `{ port }` over IPC once
 * listening and exits when the parent goes away.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';

type Ack = (res: unknown) => void;

interface Conv {
  id: string;
  visitor: Socket;
  operator: Operator | undefined;
  ended: boolean;
}
interface Operator {
  socket: Socket;
  name: string;
  available: boolean;
  load: number;
}

const capacity = Number(process.env.BARE_CAPACITY ?? 3);
const redis = process.env.BARE_REDIS_URL ? new Redis(process.env.BARE_REDIS_URL) : undefined;
/**
 * Stores a message when BARE_REDIS_URL is set: true once stored, false when Redis failed
 * (the message is then refused, as the real server refuses what it could not store).
 */
const store = (conversationId: string, text: string): Promise<boolean> | undefined =>
  redis?.xadd(`bare:conv:${conversationId}:msgs`, '*', 'c', text).then(
    () => true,
    () => false,
  );
const unavailable = { ok: false, error: { code: 'unavailable', message: 'Not stored.' } };
const httpServer = createServer();
// The same engine options as the real server (server/src/sockets/plugin.ts).
const io = new Server(httpServer, {
  serveClient: false,
  maxHttpBufferSize: 16 * 1024,
  cookie: false,
  pingInterval: 10_000,
  pingTimeout: 10_000,
  connectTimeout: 10_000,
});

const convs = new Map<string, Conv>();
const waiting: Conv[] = [];
const operators = new Set<Operator>();
let nextConv = 1;
let nextMsg = 1;

function route(): void {
  while (waiting.length > 0) {
    let best: Operator | undefined;
    for (const o of operators) {
      if (o.available && o.load < capacity && (!best || o.load < best.load)) best = o;
    }
    if (!best) return;
    const c = waiting.shift()!;
    if (c.ended) continue;
    c.operator = best;
    best.load++;
    best.socket.emit('chat:assigned', {
      conversation: { conversationId: c.id, state: 'active', tags: [] },
      messages: [],
      notes: [],
    });
    c.visitor.emit('chat:assigned', { operatorName: best.name });
  }
}

function end(c: Conv): void {
  if (c.ended) return;
  c.ended = true;
  convs.delete(c.id);
  if (c.operator) c.operator.load--;
  c.visitor.emit('chat:ended', { reason: 'operator' });
}

io.of('/visitor').on('connection', (socket) => {
  let conv: Conv | undefined;
  socket.on('chat:start', (_p: unknown, ack: Ack) => {
    conv = { id: `c${nextConv++}`, visitor: socket, operator: undefined, ended: false };
    convs.set(conv.id, conv);
    waiting.push(conv);
    ack({
      ok: true,
      conversationId: conv.id,
      resumeToken: '-',
      returnCode: '-',
      position: waiting.length,
      estimatedWaitSeconds: null,
    });
    route();
  });
  socket.on('chat:message', async (p: { text: string }, ack: Ack) => {
    if (redis && !(await store(conv?.id ?? '-', p.text))) return ack(unavailable);
    const messageId = String(nextMsg++);
    const at = new Date().toISOString();
    ack({ ok: true, messageId, at });
    if (conv?.operator) {
      conv.operator.socket.emit('chat:message', {
        conversationId: conv.id,
        messageId,
        from: 'visitor',
        text: p.text,
        at,
      });
    }
  });
});

io.of('/operator').on('connection', (socket) => {
  const cookie = String(socket.handshake.headers.cookie ?? '');
  const op: Operator = { socket, name: cookie.split('=')[1] ?? 'bare', available: false, load: 0 };
  operators.add(op);
  socket.on('disconnect', () => operators.delete(op));
  socket.on('operator:status', (p: { status: string }, ack: Ack) => {
    op.available = p.status === 'available';
    // As in the real server, routing runs before the ack.
    route();
    ack({ ok: true, status: p.status });
  });
  socket.on('chat:message', async (p: { conversationId: string; text: string }, ack: Ack) => {
    const c = convs.get(p.conversationId);
    if (!c || c.operator !== op) {
      ack({ ok: false, error: { code: 'forbidden', message: 'Not yours.' } });
      return;
    }
    if (redis && !(await store(c.id, p.text))) return ack(unavailable);
    const messageId = String(nextMsg++);
    const at = new Date().toISOString();
    ack({ ok: true, messageId, at });
    c.visitor.emit('chat:message', { messageId, from: 'operator', text: p.text, at });
  });
  socket.on('chat:end', (p: { conversationId: string }, ack: Ack) => {
    const c = convs.get(p.conversationId);
    if (!c || c.operator !== op) {
      ack({ ok: false, error: { code: 'forbidden', message: 'Not yours.' } });
      return;
    }
    end(c);
    ack({ ok: true });
    route();
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.send?.({ port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
