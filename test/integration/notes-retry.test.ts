import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

describe('chat:note retried with its clientNoteId', () => {
  let t: TestApp | undefined;
  const sockets: (VisitorSocket | OperatorSocket)[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t?.close();
    t = undefined;
  });

  it('stores the note and its audit entry once, and answers the retry with the first noteId', async () => {
    t = await startTestApp();
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const secondTab = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    sockets.push(op, secondTab, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    const visitorGot = collect(v, 'chat:note');
    const auditBefore = await t.app.redis.xlen(t.app.keys.audit);

    const first = await emitAck<AnyAck>(op, 'chat:note', {
      conversationId,
      text: 'Kinderen thuis',
      clientNoteId: 'n-1',
    });
    const retry = await emitAck<AnyAck>(op, 'chat:note', {
      conversationId,
      text: 'Kinderen thuis',
      clientNoteId: 'n-1',
    });
    expect(first.ok).toBe(true);
    expect(retry).toMatchObject({ ok: true, noteId: first.noteId, at: first.at });
    // A client message id of the same spelling is another thing: it is not taken for the note.
    const message = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId,
      clientMessageId: 'n-1',
      text: 'Hallo',
    });
    expect(message.ok).toBe(true);
    // Without an id every note is stored, as before.
    const other = await emitAck<AnyAck>(op, 'chat:note', { conversationId, text: 'Kinderen thuis' });
    expect(other.ok).toBe(true);
    expect(other.noteId).not.toBe(first.noteId);

    const notes = await t.app.store.notes(conversationId);
    expect(notes.map((n) => n.noteId)).toEqual([first.noteId, other.noteId]);
    const audit = await t.app.redis.xrange(t.app.keys.audit, '-', '+');
    const noteEntries = audit.slice(auditBefore).filter(([, f]) => f.includes('note'));
    expect(noteEntries).toHaveLength(2);
    expect(visitorGot).toEqual([]);
  });

  it('refuses a malformed clientNoteId and stores nothing', async () => {
    t = await startTestApp();
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    sockets.push(op, v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    for (const clientNoteId of ['', 'has space', '#1', 'x'.repeat(129), 7]) {
      expect(
        await emitAck<AnyAck>(op, 'chat:note', { conversationId, text: 'x', clientNoteId }),
      ).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload' },
      });
    }
    expect(await t.app.store.notes(conversationId)).toEqual([]);
  });
});
