import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

/**
 * Every refusal names its cause: the protocol's generic `error.code`, and beside it the
 * `reason` clients switch on. These are the main paths a console or widget meets.
 */
describe('errors that say what happened', () => {
  let t: TestApp;
  const sockets: (OperatorSocket | VisitorSocket)[] = [];
  const visitor = async () => {
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(start.ok).toBe(true);
    return { v, conversationId: String(start.conversationId) };
  };
  const operator = async (opts: Parameters<typeof createOperator>[1] = {}) => {
    const acct = await createOperator(t, opts);
    const socket = await connectOperator(t.url, acct.cookie);
    sockets.push(socket);
    return { ...acct, socket };
  };

  beforeEach(async () => {
    t = await startTestApp({ OPERATOR_CAPACITY: '1' });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t.close();
  });

  it('accept: a conversation a colleague took is not_waiting, one more than capacity is at_capacity', async () => {
    const anna = await operator();
    const bram = await operator();
    const first = await visitor();
    expect(
      (await emitAck<AnyAck>(anna.socket, 'chat:accept', { conversationId: first.conversationId })).ok,
    ).toBe(true);
    const taken = await emitAck<AnyAck>(bram.socket, 'chat:accept', { conversationId: first.conversationId });
    expect(taken).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'not_waiting' } });

    const second = await visitor();
    const full = await emitAck<AnyAck>(anna.socket, 'chat:accept', { conversationId: second.conversationId });
    expect(full).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'at_capacity' } });
    // Refused, not lost: the colleague with room still takes it.
    expect(
      (await emitAck<AnyAck>(bram.socket, 'chat:accept', { conversationId: second.conversationId })).ok,
    ).toBe(true);
  });

  it('transfer: to nobody signed in, to a full colleague, to oneself, and of a conversation that ended', async () => {
    const anna = await operator();
    const bram = await operator();
    const mine = await visitor();
    const his = await visitor();
    await emitAck(anna.socket, 'chat:accept', { conversationId: mine.conversationId });
    await emitAck(bram.socket, 'chat:accept', { conversationId: his.conversationId });

    const transfer = (operatorId: string) =>
      emitAck<AnyAck>(anna.socket, 'chat:transfer', {
        conversationId: mine.conversationId,
        to: { operatorId },
      });
    expect(await transfer('nobody-signed-in')).toMatchObject({
      ok: false,
      error: { code: 'not_found', reason: 'operator_offline' },
    });
    expect(await transfer(bram.id)).toMatchObject({
      ok: false,
      error: { code: 'conflict', reason: 'colleague_full' },
    });
    expect(await transfer(anna.id)).toMatchObject({
      ok: false,
      error: { code: 'conflict', reason: 'self_transfer' },
    });

    // Anna may not move what is Bram's; once it ended, nobody can move it.
    const notMine = await emitAck<AnyAck>(anna.socket, 'chat:transfer', {
      conversationId: his.conversationId,
      to: { queue: true },
    });
    expect(notMine).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not_holder' } });
    expect((await emitAck<AnyAck>(bram.socket, 'chat:end', { conversationId: his.conversationId })).ok).toBe(
      true,
    );
    const ended = await emitAck<AnyAck>(bram.socket, 'chat:transfer', {
      conversationId: his.conversationId,
      to: { operatorId: anna.id },
    });
    expect(ended).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'conversation_ended' } });
  });

  it('messages: to an ended conversation, and into a stranger’s conversation', async () => {
    const anna = await operator();
    const bram = await operator();
    const chat = await visitor();
    await emitAck(anna.socket, 'chat:accept', { conversationId: chat.conversationId });
    const stranger = await emitAck<AnyAck>(bram.socket, 'chat:message', {
      conversationId: chat.conversationId,
      clientMessageId: 'b1',
      text: 'hallo',
    });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not_holder' } });
    expect((await emitAck<AnyAck>(anna.socket, 'chat:end', { conversationId: chat.conversationId })).ok).toBe(
      true,
    );
    const late = await emitAck<AnyAck>(anna.socket, 'chat:message', {
      conversationId: chat.conversationId,
      clientMessageId: 'a1',
      text: 'nog iets',
    });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'conversation_ended' } });
  });

  it('visitors: a second start on one connection is already_started; a stale token is not_resumable', async () => {
    const chat = await visitor();
    const again = await emitAck<AnyAck>(chat.v, 'chat:start', { role: 'victim', language: 'nl' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'already_started' } });
    const v2 = await connectVisitor(t.url);
    sockets.push(v2);
    const stale = await emitAck<AnyAck>(v2, 'chat:resume', { resumeToken: 'x'.repeat(43) });
    expect(stale).toMatchObject({ ok: false, error: { code: 'not_found', reason: 'not_resumable' } });
    const lonely = await emitAck<AnyAck>(v2, 'chat:message', { clientMessageId: 'm1', text: 'hallo' });
    expect(lonely).toMatchObject({ ok: false, error: { code: 'not_found', reason: 'no_conversation' } });
  });

  it('the event budget: beyond it every event, known or not, is rate_limited with too_fast', async () => {
    const tight = await startTestApp({ SOCKET_EVENTS_PER_S: '2' });
    try {
      const v = await connectVisitor(tight.url);
      sockets.push(v);
      const acks = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          emitAck<AnyAck>(v, i % 2 ? 'chat:typing-not' : 'chat:message', {
            clientMessageId: `m${i}`,
            text: 'x',
          }),
        ),
      );
      const refused = acks.filter((a) => a.error?.code === 'rate_limited');
      expect(refused.length).toBeGreaterThanOrEqual(6);
      for (const a of refused) expect(a.error?.reason).toBe('too_fast');
    } finally {
      await tight.close();
    }
  });

  it('supervision: an operator is refused read-along with role_required; reassigning an ended one is conversation_ended', async () => {
    const anna = await operator();
    const sup = await operator({ role: 'supervisor' });
    const chat = await visitor();
    const watch = await emitAck<AnyAck>(anna.socket, 'supervisor:monitor', {
      conversationId: chat.conversationId,
    });
    expect(watch).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'role_required' } });
    await emitAck(anna.socket, 'chat:accept', { conversationId: chat.conversationId });
    await emitAck(anna.socket, 'chat:end', { conversationId: chat.conversationId });
    const moved = await emitAck<AnyAck>(sup.socket, 'supervisor:reassign', {
      conversationId: chat.conversationId,
      to: { queue: true },
    });
    expect(moved).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'conversation_ended' } });
  });

  it('REST: the same statuses and codes as before, with the reason beside them', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const plain = await createOperator(t);
    const call = async (method: string, path: string, cookie: string, body?: unknown) => {
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        body: (await res.json()) as { error?: { code: string; reason?: string } },
      };
    };
    expect(await call('GET', '/api/stats', plain.cookie)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden', reason: 'role_required' } },
    });
    expect(await call('POST', `/api/admin/operators/${admin.id}/disable`, admin.cookie)).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', reason: 'own_account' } },
    });
    const taken = await call('POST', '/api/admin/operators', admin.cookie, {
      username: plain.username,
      displayName: 'Tweede',
    });
    expect(taken).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', reason: 'username_taken' } },
    });
    const foreign = await fetch(`${t.url}/api/admin/operators/${plain.id}/enable`, {
      method: 'POST',
      headers: { cookie: admin.cookie, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'forbidden', reason: 'foreign_origin' } });
  });

  it('REST validation by the shared schemas: 401 before 400, and 400 names the failing fields', async () => {
    const admin = await createOperator(t, { role: 'admin' });
    const noSession = await fetch(`${t.url}/api/admin/operators/x/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonsense: true }),
    });
    expect(noSession.status).toBe(401);
    const patch = await fetch(`${t.url}/api/admin/operators/${admin.id}`, {
      method: 'PATCH',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ capacity: 0, languages: ['nl', 'xx'] }),
    });
    expect(patch.status).toBe(400);
    const body = (await patch.json()) as { error: { code: string }; fields: string[] };
    expect(body.error.code).toBe('invalid_payload');
    expect(body.fields.sort()).toEqual(['capacity', 'languages.1']);
    const badId = await fetch(`${t.url}/api/conversations/${encodeURIComponent('no spaces')}`, {
      headers: { cookie: admin.cookie },
    });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error: { code: 'invalid_payload' }, fields: ['id'] });
  });
});
