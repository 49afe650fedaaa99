/**
 * Review findings on a visitor socket's resume and leave.
 *
 * 1. A resume by token of an ENDED conversation answers as the contract says (`state:
 *    'ended'`, what she missed), but must not put the socket on it: a socket with a
 *    conversation is never closed as idle (VISITOR_IDLE_S) and takes no place of its
 *    address, so a troll could keep sockets open for ever by resuming ended conversations.
 * 2. Pressing End just after reconnecting: the widget sends `chat:resume` and, before it is
 *    answered, `chat:leave { reason: 'ended' }` on the same connection. The leave must act
 *    on the conversation the resume brings back, or the conversation stays open, her return
 *    code still redeems, and whoever saw it on her screen continues as her.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { emitAck, type VisitorSocket, waitFor } from '../support/clients.ts';
import { appPerTest } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const h = appPerTest();

const conv = (id: string) => h.t.app.redis.hgetall(h.t.app.keys.conversation(id));

/** A visitor socket that notes how it was closed (`disconnect` reason). */
async function visitor(): Promise<VisitorSocket & { closedBy?: string }> {
  const v: VisitorSocket & { closedBy?: string } = await h.visitor();
  v.on('disconnect', (reason) => {
    v.closedBy = reason;
  });
  return v;
}

async function startChat(v: VisitorSocket) {
  const s = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(s.ok).toBe(true);
  return { id: String(s.conversationId), token: String(s.resumeToken), code: String(s.returnCode) };
}

describe('a resume of an ended conversation', () => {
  it('answers state ended with what she missed, and the socket still closes after VISITOR_IDLE_S', async () => {
    await h.start({ VISITOR_IDLE_S: '2' });
    const first = await visitor();
    const s = await startChat(first);
    expect((await emitAck<AnyAck>(first, 'chat:leave', { reason: 'ended' })).ok).toBe(true);
    first.disconnect();
    expect((await conv(s.id)).state).toBe('ended');

    // Resumed by the kept token, and again by each rotated one, each on a fresh socket.
    const resumed: (VisitorSocket & { closedBy?: string })[] = [];
    let token = s.token;
    for (let i = 0; i < 3; i++) {
      const v = await visitor();
      const r = await emitAck<AnyAck & { missed?: { text: string }[] }>(v, 'chat:resume', {
        resumeToken: token,
      });
      // The answer the contract gives for an ended conversation, unchanged.
      expect(r).toMatchObject({ ok: true, conversationId: s.id, state: 'ended' });
      expect(Object.keys(r).sort()).toEqual(['conversationId', 'missed', 'ok', 'resumeToken', 'state']);
      expect(r.missed?.map((m) => m.text)).toEqual(['help']);
      token = String(r.resumeToken);
      resumed.push(v);
    }
    // An idle control socket, opened after them: closed once its own idle time is over.
    const control = await visitor();
    await waitFor(() => control.closedBy !== undefined, 6_000);
    expect(control.closedBy).toBe('io server disconnect');
    // The resumed ones opened earlier: closed by now (at the latest within the same margin).
    await waitFor(() => resumed.every((v) => v.closedBy !== undefined), 1_000);
    expect(resumed.map((v) => v.closedBy)).toEqual(Array(3).fill('io server disconnect'));
    // Nothing on the ended conversation changed: no visitor socket written to it.
    expect((await conv(s.id)).state).toBe('ended');
  });

  it('an end told to the socket (the operator ended it) takes it off too: a script that stays is closed after VISITOR_IDLE_S', async () => {
    // The widget disconnects on chat:ended; a script need not, and a socket on a
    // conversation is never closed as idle.
    await h.start({ VISITOR_IDLE_S: '2' });
    const v = await visitor();
    const s = await startChat(v);
    const { s: op } = await h.operator();
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: s.id })).ok).toBe(true);
    const ended = new Promise((resolve) => v.once('chat:ended', resolve));
    expect((await emitAck<AnyAck>(op, 'chat:end', { conversationId: s.id })).ok).toBe(true);
    await ended;
    await waitFor(() => v.closedBy !== undefined, 5_000);
    expect(v.closedBy).toBe('io server disconnect');
  });

  it('one that ends between the join and the read is taken off the socket again', async () => {
    await h.start({ VISITOR_IDLE_S: '2', WORKERS: 'none' });
    const first = await visitor();
    const s = await startChat(first);
    first.disconnect();
    await waitFor(async () => (await conv(s.id)).away === 'disconnected');

    // The conversation ends (its return window, an operator) while the resume is joining.
    const store = h.t.app.store;
    const real = store.get.bind(store);
    vi.spyOn(store, 'get')
      .mockImplementationOnce(real)
      .mockImplementationOnce(async (id: string) => {
        await h.t.app.lifecycle.end(id, 'timeout');
        return real(id);
      });
    const v = await visitor();
    const r = await emitAck<AnyAck>(v, 'chat:resume', { resumeToken: s.token });
    expect(r).toMatchObject({ ok: true, conversationId: s.id, state: 'ended' });
    await waitFor(() => v.closedBy !== undefined, 5_000);
    expect(v.closedBy).toBe('io server disconnect');
  });

  it('counts the socket for its address, where a newer one takes its place', async () => {
    await h.start({ VISITOR_SOCKETS_PER_ADDRESS: '1' });
    const first = await visitor();
    const s = await startChat(first);
    expect((await emitAck<AnyAck>(first, 'chat:leave', { reason: 'ended' })).ok).toBe(true);
    first.disconnect();
    await waitFor(() => first.closedBy !== undefined);

    const resumed = await visitor();
    const r = await emitAck<AnyAck>(resumed, 'chat:resume', { resumeToken: s.token });
    expect(r).toMatchObject({ ok: true, state: 'ended' });
    // Past the young-socket grace (3 s), a newer idle socket of the same address makes room.
    await sleep(3_100);
    const newer = await visitor();
    await waitFor(() => resumed.closedBy !== undefined);
    expect(resumed.closedBy).toBe('io server disconnect');
    expect(newer.connected).toBe(true);
  });
});

describe('End pressed while the reconnect resume is still under way', () => {
  it('chat:leave ended sent right after chat:resume ends the conversation; her code no longer redeems', async () => {
    await h.start({ WORKERS: 'none' });
    const before = await visitor();
    const s = await startChat(before);
    // Her network drops.
    before.disconnect();
    await waitFor(async () => (await conv(s.id)).away === 'disconnected');

    const her = await visitor();
    // Back to back, as the widget does when she presses End right after reconnecting.
    const resume = emitAck<AnyAck>(her, 'chat:resume', { resumeToken: s.token });
    const leave = emitAck<AnyAck>(her, 'chat:leave', { reason: 'ended' });
    expect(await resume).toMatchObject({ ok: true, conversationId: s.id });
    // The ack the contract gives a leave: `{}`.
    expect(await leave).toEqual({ ok: true });
    expect((await conv(s.id)).state).toBe('ended');
    // The widget closes its socket once the leave is answered.
    her.disconnect();
    await sleep(200);

    // Whoever saw the code on her screen cannot continue as her.
    const other = await visitor();
    const r = await emitAck<AnyAck>(other, 'chat:resume', { returnCode: s.code });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await conv(s.id)).state).toBe('ended');
  });

  it('chat:leave sent right after chat:start acts on the new conversation', async () => {
    await h.start({ WORKERS: 'none' });
    const v = await visitor();
    const start = emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
    const leave = emitAck<AnyAck>(v, 'chat:leave', { reason: 'ended' });
    const s = await start;
    expect(s.ok).toBe(true);
    expect(await leave).toEqual({ ok: true });
    expect((await conv(String(s.conversationId))).state).toBe('ended');
  });

  it('a resume that fails leaves the leave answered no_conversation, as before', async () => {
    await h.start({ WORKERS: 'none' });
    const v = await visitor();
    const resume = emitAck<AnyAck>(v, 'chat:resume', { resumeToken: 'x'.repeat(43) });
    const leave = emitAck<AnyAck>(v, 'chat:leave', { reason: 'ended' });
    expect(await resume).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await leave).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(v.connected).toBe(true);
  });
});
