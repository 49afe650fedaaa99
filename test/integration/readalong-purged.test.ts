/**
 * Data finding D6: a read-along that ends after its conversation was purged must not bring
 * the conversation's hash back. Uncounting the watcher (`supervisor:unmonitor`, or the
 * supervisor's socket closing) used to HINCRBY the key whether it existed or not, leaving
 * `conv:<id> {watchers: "0"}` without a TTL for ever. Against the suite's real Redis and
 * Socket.IO, with a retention of about a second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };
type Assigned = { conversation: { conversationId: string } };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
const track = <S extends { disconnect(): unknown }>(s: S) => {
  sockets.push(s);
  return s;
};
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

async function consoleOf(app: TestApp, role: 'operator' | 'supervisor') {
  const account = await createOperator(app, { role });
  let ready: Promise<unknown> = Promise.resolve();
  const s: OperatorSocket = track(
    await connectOperator(app.url, account.cookie, {
      before: (sock) => {
        ready = nextEvent(sock, 'operator:state');
      },
    }),
  );
  await ready;
  return { account, s };
}

/** Whether the audit holds `action` by `actor` on conversation `id`. */
async function audited(app: TestApp, action: string, actor: string, id: string): Promise<boolean> {
  const entries = await app.app.redis.xrange(app.app.keys.audit, '-', '+');
  return entries.some(([, kv]) =>
    kv.join(' ').includes(`action ${action} actor ${actor} conversation ${id}`),
  );
}

/**
 * Retention has passed for conversation `id`: its hash expired and its purge job ran (the
 * purge would also remove a hash brought back before it, hiding the fault).
 */
async function retentionPassed(app: TestApp, id: string): Promise<void> {
  const key = app.app.keys.conversation(id);
  await waitFor(async () => {
    if ((await app.app.redis.exists(key)) === 1) return false;
    const pending = await app.app.queues.retention.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
    return !pending.some((j) => (j.data as { conversationId?: string }).conversationId === id);
  }, 15_000);
}

describe('a read-along that outlives its conversation', () => {
  it('leaves no conversation hash behind when the supervisor disconnects after the purge', async () => {
    const app = await startTestApp({ RETENTION_HOURS: '0.0003' }); // about a second
    t = app;
    const holder = await consoleOf(app, 'operator');
    const assigned = collect<Assigned>(holder.s, 'chat:assigned');
    await emitAck(holder.s, 'operator:status', { status: 'available' });
    const v = track(await connectVisitor(app.url));
    const started = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const id = String(started.conversationId);
    await waitFor(() => assigned.some((a) => a.conversation.conversationId === id));

    const sup = await consoleOf(app, 'supervisor');
    expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    const key = app.app.keys.conversation(id);
    expect(await app.app.redis.hget(key, 'watchers')).toBe('1');

    expect((await emitAck<AnyAck>(holder.s, 'chat:end', { conversationId: id })).ok).toBe(true);
    await retentionPassed(app, id);

    // The supervisor's console closes while it still reads along.
    sup.s.disconnect();
    await waitFor(() => audited(app, 'unmonitor', sup.account.id, id));
    expect({ exists: await app.app.redis.exists(key), pttl: await app.app.redis.pttl(key) }).toEqual({
      exists: 0,
      pttl: -2,
    });
  });

  it('leaves no conversation hash behind when the supervisor stops reading along after the purge', async () => {
    const app = await startTestApp({ RETENTION_HOURS: '0.0003' });
    t = app;
    const holder = await consoleOf(app, 'operator');
    const assigned = collect<Assigned>(holder.s, 'chat:assigned');
    await emitAck(holder.s, 'operator:status', { status: 'available' });
    const v = track(await connectVisitor(app.url));
    const started = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const id = String(started.conversationId);
    await waitFor(() => assigned.some((a) => a.conversation.conversationId === id));
    const sup = await consoleOf(app, 'supervisor');
    expect((await emitAck<AnyAck>(sup.s, 'supervisor:monitor', { conversationId: id })).ok).toBe(true);
    const key = app.app.keys.conversation(id);
    // The TTL of a live hash is kept: a watcher counted on an ended one does not make it last for ever.
    expect((await emitAck<AnyAck>(holder.s, 'chat:end', { conversationId: id })).ok).toBe(true);
    const pttl = await app.app.redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    await retentionPassed(app, id);

    expect((await emitAck<AnyAck>(sup.s, 'supervisor:unmonitor', { conversationId: id })).ok).toBe(true);
    expect(await app.app.redis.exists(key)).toBe(0);
  });
});
