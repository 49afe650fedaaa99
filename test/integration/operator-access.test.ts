import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, nextEvent } from '../support/clients.ts';
import { auditEntries } from '../support/per-test.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

describe('operator access', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('cuts a disabled account’s live socket at once and refuses it afterwards', async () => {
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const gone = new Promise<string>((resolve) => op.on('disconnect', (reason) => resolve(reason)));
    await t.app.operators.disable(acct.id);
    expect(await gone).toBe('io server disconnect');
    await expect(connectOperator(t.url, acct.cookie)).rejects.toThrow('unauthorized');
    const me = await fetch(`${t.url}/api/auth/me`, { headers: { cookie: acct.cookie } });
    expect(me.status).toBe(401);
  });

  it('cuts the sockets of a session that logs out, and only those', async () => {
    const acct = await createOperator(t);
    const { login } = await import('../support/clients.ts');
    const otherSession = await login(t.url, acct.username, acct.password);
    const op = await connectOperator(t.url, acct.cookie);
    const other = await connectOperator(t.url, otherSession);
    const gone = new Promise<string>((resolve) => op.on('disconnect', (reason) => resolve(reason)));
    const res = await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie: acct.cookie } });
    expect(res.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    await expect(connectOperator(t.url, acct.cookie)).rejects.toThrow('unauthorized');
    expect(other.connected).toBe(true);
    other.disconnect();
  });

  it('a sign-in ends the session whose cookie it carried (a colleague at a locked console), and only after the right password', async () => {
    const anna = await createOperator(t);
    const bram = await createOperator(t);
    const { login } = await import('../support/clients.ts');
    const annaElsewhere = await login(t.url, anna.username, anna.password);
    const op = await connectOperator(t.url, anna.cookie);
    const elsewhere = await connectOperator(t.url, annaElsewhere);
    const signIn = (password: string) =>
      fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: anna.cookie },
        body: JSON.stringify({ username: bram.username, password }),
      });

    // A wrong password at her desk changes nothing.
    expect((await signIn('not-the-password')).status).toBe(401);
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: anna.cookie } })).status).toBe(200);
    expect(op.connected).toBe(true);

    const ended = nextEvent(op, 'session:ended', { ms: 3000 });
    const gone = new Promise<string>((resolve) => op.on('disconnect', (reason) => resolve(reason)));
    const res = await signIn(bram.password);
    expect(res.status).toBe(200);
    await ended;
    expect(await gone).toBe('io server disconnect');
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: anna.cookie } })).status).toBe(401);
    // Her session in another browser goes on.
    expect(elsewhere.connected).toBe(true);
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: annaElsewhere } })).status).toBe(200);
    elsewhere.disconnect();
    // Her session's end is in the trail (his sign-in, his second within the window, is not).
    const trail = (await auditEntries(t)).map((e) => [e.action, e.actor]);
    expect(trail.slice(-2)).toEqual([
      ['login-failed', bram.id],
      ['logout', anna.id],
    ]);
  });

  it('refuses a cross-site WebSocket handshake carrying a valid cookie', async () => {
    const acct = await createOperator(t);
    const { io } = await import('socket.io-client');
    const s = io(`${t.url}/operator`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { cookie: acct.cookie, origin: 'https://evil.example' },
    });
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    s.disconnect();
    expect(err.message).toBe('forbidden');
  });

  it('re-sends chat:assigned for active conversations when an operator reconnects', async () => {
    const acct = await createOperator(t);
    const op = await connectOperator(t.url, acct.cookie);
    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'bystander',
      language: 'nl',
      text: 'Ik hoor geschreeuw',
    });
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: start.conversationId })).ok).toBe(
      true,
    );
    await emitAck(op, 'chat:note', { conversationId: start.conversationId, text: 'buurvrouw' });
    op.disconnect();
    const op2 = await connectOperator(t.url, acct.cookie).catch(() => null);
    // connectOperator resolves on connect; the re-sent assignment may already be in flight, so listen from a fresh socket.
    op2?.disconnect();
    const { io } = await import('socket.io-client');
    const s = io(`${t.url}/operator`, {
      transports: ['websocket'],
      forceNew: true,
      extraHeaders: { cookie: acct.cookie },
    });
    const again = await nextEvent<{
      conversation: { conversationId: string };
      messages: { text: string }[];
      notes: { text: string }[];
    }>(s, 'chat:assigned');
    expect(again.conversation.conversationId).toBe(start.conversationId);
    expect(again.messages.map((m) => m.text)).toEqual(['Ik hoor geschreeuw']);
    expect(again.notes.map((n) => n.text)).toEqual(['buurvrouw']);
    s.disconnect();
    v.disconnect();
  });

  it('transfers to a named colleague, who gets it with its notes; the visitor hears the new name', async () => {
    const a = await createOperator(t, { displayName: 'Anna Smit' });
    const b = await createOperator(t, { displayName: 'Bram Visser' });
    const opA = await connectOperator(t.url, a.cookie);
    const opB = await connectOperator(t.url, b.cookie);
    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    // The visitor's notice of Anna travels on her own socket and may land after Anna's ack.
    const toldAnna = nextEvent<{ operatorName: string }>(v, 'chat:assigned');
    await emitAck(opA, 'chat:accept', { conversationId: start.conversationId });
    expect((await toldAnna).operatorName).toBe('Anna');
    const gotB = nextEvent<{ conversation: { operatorId: string }; notes: { text: string }[] }>(
      opB,
      'chat:assigned',
    );
    const lostA = nextEvent<{ reason: string }>(opA, 'chat:unassigned');
    const renamed = nextEvent<{ operatorName: string }>(v, 'chat:assigned');
    const r = await emitAck<AnyAck>(opA, 'chat:transfer', {
      conversationId: start.conversationId,
      to: { operatorId: b.id },
      note: 'Graag overnemen, ik heb pauze',
    });
    expect(r.ok).toBe(true);
    const got = await gotB;
    expect(got.conversation.operatorId).toBe(b.id);
    expect(got.notes.map((n) => n.text)).toEqual(['Graag overnemen, ik heb pauze']);
    expect((await lostA).reason).toBe('transferred');
    expect((await renamed).operatorName).toBe('Bram');
    // A no longer owns it.
    const denied = await emitAck<AnyAck>(opA, 'chat:message', {
      conversationId: start.conversationId,
      clientMessageId: 'late',
      text: 'nog iets',
    });
    expect(denied.error?.code).toBe('forbidden');
    for (const s of [opA, opB, v]) s.disconnect();
  });

  it('lists colleagues by name for a transfer; a refused transfer keeps no hand-over note', async () => {
    const a = await createOperator(t, { displayName: 'Anna Smit' });
    const b = await createOperator(t, { displayName: 'Bram Visser' });
    const opA = await connectOperator(t.url, a.cookie);
    const opB = await connectOperator(t.url, b.cookie);
    const colleagues = async () => {
      const res = await fetch(`${t.url}/api/colleagues`, { headers: { cookie: a.cookie } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { colleagues: { id: string; displayName: string; load: number }[] })
        .colleagues;
    };
    // Bram, not Anna herself; without a session, nothing.
    expect(await colleagues()).toEqual([
      expect.objectContaining({ id: b.id, displayName: 'Bram Visser', load: 0 }),
    ]);
    expect((await fetch(`${t.url}/api/colleagues`)).status).toBe(401);

    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    await emitAck(opA, 'chat:accept', { conversationId });
    const notes = () => t.app.redis.xlen(`${t.config.redisPrefix}:conv:${conversationId}:notes`);
    // Refused: an unknown colleague, and Anna herself. Neither leaves the note behind.
    const unknown = await emitAck<AnyAck>(opA, 'chat:transfer', {
      conversationId,
      to: { operatorId: '0'.repeat(26) },
      note: 'Overdracht',
    });
    expect(unknown.error?.code).toBe('not_found');
    const self = await emitAck<AnyAck>(opA, 'chat:transfer', {
      conversationId,
      to: { operatorId: a.id },
      note: 'Overdracht',
    });
    expect(self.error?.code).toBe('conflict');
    expect(await notes()).toBe(0);
    // The transfer that happens stores it once, and Bram's load shows it.
    const got = nextEvent<{ notes: { text: string }[] }>(opB, 'chat:assigned');
    const ok = await emitAck<AnyAck>(opA, 'chat:transfer', {
      conversationId,
      to: { operatorId: b.id },
      note: 'Overdracht',
    });
    expect(ok.ok).toBe(true);
    expect((await got).notes.map((n) => n.text)).toEqual(['Overdracht']);
    expect(await notes()).toBe(1);
    expect((await colleagues())[0]?.load).toBe(1);
    for (const s of [opA, opB, v]) s.disconnect();
  });

  it('puts a transferred-to-queue conversation back in line; its visitor gets queue:position', async () => {
    const a = await createOperator(t);
    const opA = await connectOperator(t.url, a.cookie);
    const v = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    await emitAck(opA, 'chat:accept', { conversationId: start.conversationId });
    const pos = nextEvent<{ position: number }>(v, 'queue:position');
    const snap = nextEvent<{ waiting: { conversationId: string }[] }>(opA, 'queue:snapshot', {
      where: (p) => p.waiting.length === 1,
    });
    await emitAck(opA, 'chat:transfer', { conversationId: start.conversationId, to: { queue: true } });
    expect((await pos).position).toBe(1);
    expect((await snap).waiting[0]?.conversationId).toBe(start.conversationId);
    opA.disconnect();
    v.disconnect();
  });

  it('serves Prometheus metrics with the conversation gauges and histograms', async () => {
    const v = await connectVisitor(t.url);
    await emitAck(v, 'chat:start', { role: 'victim', language: 'nl' });
    await emitAck(v, 'chat:message', { clientMessageId: 'm', text: 'hallo' });
    const res = await fetch(`${t.url}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(/^sl_visitors_connected 1$/m);
    // One instance alone leads, so it reports the line-wide gauges.
    expect(text).toMatch(/^sl_conversations_waiting\{line="all"\} 1$/m);
    expect(text).toMatch(/^sl_conversations_active\{line="all"\} 0$/m);
    expect(text).toContain('sl_wait_seconds_bucket');
    expect(text).toContain('sl_message_relay_seconds_bucket');
    expect(text).toMatch(/^sl_operators_connected 0$/m);
    v.disconnect();
  });
});

describe('GET /api/stats', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('gives supervisors the live figures and refuses operators with 403', async () => {
    const sup = await createOperator(t, { role: 'supervisor' });
    const plain = await createOperator(t);
    expect((await fetch(`${t.url}/api/stats`, { headers: { cookie: plain.cookie } })).status).toBe(403);
    expect((await fetch(`${t.url}/api/stats`)).status).toBe(401);

    const op = await connectOperator(t.url, plain.cookie);
    await emitAck(op, 'operator:status', { status: 'away' });
    const v1 = await connectVisitor(t.url);
    const v2 = await connectVisitor(t.url);
    const s1 = await emitAck<AnyAck>(v1, 'chat:start', { role: 'victim', language: 'nl' });
    await emitAck(v2, 'chat:start', { role: 'victim', language: 'nl' });
    await emitAck(op, 'chat:accept', { conversationId: s1.conversationId });
    await emitAck(v2, 'chat:leave', { reason: 'ended' });
    await new Promise((r) => setTimeout(r, 1100));
    const v3 = await connectVisitor(t.url);
    await emitAck(v3, 'chat:start', { role: 'concerned', language: 'en' });

    const res = await fetch(`${t.url}/api/stats`, { headers: { cookie: sup.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const stats = (await res.json()) as Record<string, number>;
    expect(stats).toMatchObject({
      waiting: 1,
      active: 1,
      operatorsAvailable: 0,
      operatorsBusy: 1,
      answeredToday: 1,
      endedToday: 1,
      abandonedToday: 1,
    });
    expect(stats.longestWaitSeconds).toBeLessThanOrEqual(1);
    for (const s of [op, v1, v2, v3]) s.disconnect();
  });
});
