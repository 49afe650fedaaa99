import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  waitFor,
} from '../support/clients.ts';
import { type SentinelCluster, startSentinelCluster } from './cluster.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

const ACK_TIMEOUT_MS = 300;

/** Emits and measures how long the answer took. */
async function timed(socket: Socket | OperatorSocket, event: string, payload: unknown) {
  const started = performance.now();
  const ack = await emitAck<AnyAck>(socket as Socket, event, payload);
  return { ack, ms: performance.now() - started };
}

describe('durable acks (REDIS_ACK_REPLICAS=1) when no replica answers', () => {
  let redis: SentinelCluster | undefined;
  let t: TestApp | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    // A paused replica must not outlive the test.
    redis?.nodes[1]?.child.kill('SIGCONT');
    await t?.close();
    t = undefined;
    await redis?.destroy();
    redis = undefined;
  });

  async function setUp(ackReplicas = 1) {
    redis = await startSentinelCluster({ replicas: 1, sentinels: 0 });
    t = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${redis.nodes[0]!.port}`,
      REDIS_ACK_REPLICAS: String(ackReplicas),
      REDIS_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
    });
    const replica = redis.nodes[1]!;
    const primaryPort = redis.nodes[0]!.port;
    /** Waits until the replica acknowledges writes (a loaded machine is slow to, after its start too). */
    const replicaAnswers = async () => {
      const probe = new Redis({ host: '127.0.0.1', port: primaryPort, maxRetriesPerRequest: 1 });
      try {
        await probe.set('probe', '1');
        expect(await probe.wait(1, 10_000)).toBe(1);
      } finally {
        probe.disconnect();
      }
    };
    // The tests start from a replica that answers: their first acks must not depend on how
    // fast it finished its initial sync within REDIS_ACK_TIMEOUT_MS (CI once saw it miss).
    await replicaAnswers();
    return {
      app: t,
      // SIGSTOP: the replica stays connected but answers nothing, as a hung one does.
      pauseReplica: () => replica.child.kill('SIGSTOP'),
      /** SIGCONT, then waits until the replica acknowledges writes again. */
      resumeReplica: async () => {
        replica.child.kill('SIGCONT');
        await replicaAnswers();
      },
    };
  }

  it('answers unavailable within REDIS_ACK_TIMEOUT_MS; a retry with the same id stores nothing twice', async () => {
    const { app, pauseReplica, resumeReplica } = await setUp();
    const acct = await createOperator(app);
    const op = await connectOperator(app.url, acct.cookie);
    const v = await connectVisitor(app.url);
    sockets.push(op as unknown as Socket, v as unknown as Socket);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    const before = await timed(v, 'chat:message', { clientMessageId: 'm-1', text: 'een' });
    expect(before.ack.ok).toBe(true);

    pauseReplica();
    const lost = await timed(v, 'chat:message', { clientMessageId: 'm-2', text: 'twee' });
    expect(lost.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(lost.ms).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 5);
    expect(lost.ms).toBeLessThan(ACK_TIMEOUT_MS + 700);
    // The operator's message, a note and acute danger wait for the replica just the same.
    const reply = await timed(op, 'chat:message', { conversationId, clientMessageId: 'o-1', text: 'hoi' });
    expect(reply.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const note = await timed(op, 'chat:note', { conversationId, text: 'let op', clientNoteId: 'n-1' });
    expect(note.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const acute = await timed(op, 'chat:acute', { conversationId, location: 'thuis' });
    expect(acute.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    for (const r of [reply, note, acute]) expect(r.ms).toBeLessThan(ACK_TIMEOUT_MS + 700);

    await resumeReplica();
    // The resend with the same id: acknowledged now, under the id the first write got.
    const retried = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm-2', text: 'twee' });
    expect(retried.ok).toBe(true);
    const retriedReply = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'o-1',
      text: 'hoi',
    });
    expect(retriedReply.ok).toBe(true);
    const transcript = await app.app.store.messages(conversationId, { forOperator: true });
    expect(transcript.map((m) => m.text)).toEqual(['een', 'twee', 'hoi']);
    expect(transcript[1]!.messageId).toBe(retried.messageId);
    // The note's retry with its client id: the note the first attempt stored, not a second.
    const retriedNote = await emitAck<AnyAck>(op, 'chat:note', {
      conversationId,
      text: 'let op',
      clientNoteId: 'n-1',
    });
    expect(retriedNote.ok).toBe(true);
    const notes = await app.app.store.notes(conversationId);
    expect(notes.map((n) => n.text)).toEqual(['let op']);
    expect(notes[0]!.noteId).toBe(retriedNote.noteId);
  });

  it('a return-code redemption retried from the same socket succeeds, once', async () => {
    const { app, pauseReplica, resumeReplica } = await setUp();
    const v1 = await connectVisitor(app.url);
    sockets.push(v1 as unknown as Socket);
    const start = await emitAck<AnyAck>(v1, 'chat:start', { role: 'victim', language: 'nl' });
    const returnCode = String(start.returnCode);
    expect((await emitAck<AnyAck>(v1, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    v1.disconnect();

    const v2 = await connectVisitor(app.url);
    sockets.push(v2 as unknown as Socket);
    pauseReplica();
    const first = await timed(v2, 'chat:resume', { returnCode });
    expect(first.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(first.ms).toBeLessThan(ACK_TIMEOUT_MS + 700);
    await resumeReplica();

    // The first attempt did redeem the code: the same socket's retry gets that redemption.
    const retry = await emitAck<AnyAck>(v2, 'chat:resume', { returnCode });
    expect(retry).toMatchObject({ ok: true, conversationId: start.conversationId });
    expect(typeof retry.resumeToken).toBe('string');
    // ...and its resume token is the live one.
    const v3 = await connectVisitor(app.url);
    sockets.push(v3 as unknown as Socket);
    const byToken = await emitAck<AnyAck>(v3, 'chat:resume', { resumeToken: retry.resumeToken });
    expect(byToken).toMatchObject({ ok: true, conversationId: start.conversationId });
    // A return code works once: another socket cannot redeem it again.
    const v4 = await connectVisitor(app.url);
    sockets.push(v4 as unknown as Socket);
    expect(await emitAck<AnyAck>(v4, 'chat:resume', { returnCode })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('more replicas asked for than there are: a warning at start, and acks are unavailable', async () => {
    const { app } = await setUp(2);
    await waitFor(() => app.logs.some((l) => l.includes('fewer replicas than REDIS_ACK_REPLICAS')));
    const line = JSON.parse(app.logs.find((l) => l.includes('fewer replicas'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, replicas: 1, wanted: 2 });
    const v = await connectVisitor(app.url);
    sockets.push(v as unknown as Socket);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(start.ok).toBe(true);
    const sent = await timed(v, 'chat:message', { clientMessageId: 'm-1', text: 'een' });
    expect(sent.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
