import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

describe('a conversation between a visitor and an operator', () => {
  let t: TestApp;
  const sockets: { disconnect(): unknown }[] = [];
  beforeEach(async () => {
    t = await startTestApp({ OPERATOR_GRACE_S: '1', RETURN_WINDOW_MIN: '0.05' });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await t.close();
  });
  const visitor = async () => {
    const v = await connectVisitor(t.url);
    sockets.push(v);
    return v;
  };
  const operator = async (opts: Parameters<typeof createOperator>[1] = {}) => {
    const acct = await createOperator(t, opts);
    const s = await connectOperator(t.url, acct.cookie);
    sockets.push(s);
    return { acct, s };
  };

  it('starts, is assigned automatically, relays both ways, and keeps notes private', async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'Hallo' });
    expect(start.ok).toBe(true);
    expect(start.position).toBe(1);
    expect(typeof start.resumeToken).toBe('string');
    expect(String(start.returnCode)).toMatch(/^[A-Z]+-\d{5}-[A-Z]+$/);

    const { s: op } = await operator({ displayName: 'Anna de Vries' });
    const assignedOp = nextEvent<{ conversation: { conversationId: string }; messages: { text: string }[] }>(
      op,
      'chat:assigned',
    );
    const assignedV = nextEvent<{ operatorName: string }>(v, 'chat:assigned');
    expect((await emitAck<AnyAck>(op, 'operator:status', { status: 'available' })).ok).toBe(true);
    const a = await assignedOp;
    expect(a.conversation.conversationId).toBe(start.conversationId);
    expect(a.messages.map((m) => m.text)).toEqual(['Hallo']);
    expect((await assignedV).operatorName).toBe('Anna');

    const visitorGot = collect<{ text: string; from: string }>(v, 'chat:message');
    const notesSeen = collect(v, 'chat:note');
    const opMsg = nextEvent<{ text: string; conversationId: string }>(op, 'chat:message');
    const sent = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'c1', text: 'Is iemand daar?' });
    expect(sent.ok).toBe(true);
    expect((await opMsg).text).toBe('Is iemand daar?');

    const reply = nextEvent<{ text: string; from: string }>(v, 'chat:message');
    const r = await emitAck<AnyAck>(op, 'chat:message', {
      conversationId: start.conversationId,
      clientMessageId: 'o1',
      text: 'Ja, ik ben er.',
    });
    expect(r.ok).toBe(true);
    expect(await reply).toMatchObject({ text: 'Ja, ik ben er.', from: 'operator' });

    const note = await emitAck<AnyAck>(op, 'chat:note', {
      conversationId: start.conversationId,
      text: 'geheim',
    });
    expect(note.ok).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    expect(notesSeen).toHaveLength(0);
    expect(visitorGot.map((m) => m.text)).toEqual(['Ja, ik ben er.']);

    const ended = nextEvent<{ reason: string }>(v, 'chat:ended');
    expect((await emitAck<AnyAck>(op, 'chat:end', { conversationId: start.conversationId })).ok).toBe(true);
    expect((await ended).reason).toBe('operator');
  });

  it('answers a resent message with the same id and delivers it once', async () => {
    const v = await visitor();
    await emitAck(v, 'chat:start', { role: 'concerned', language: 'en' });
    const { s: op } = await operator();
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;
    const got = collect<{ text: string }>(op, 'chat:message');
    const a1 = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'same', text: 'once' });
    const a2 = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'same', text: 'once' });
    expect(a1.messageId).toBe(a2.messageId);
    // Relayed once (on a loaded machine it may take longer than the 100 ms that follow),
    // and no second copy in the 100 ms after it arrived.
    await waitFor(() => got.length > 0, 5000);
    await new Promise((res) => setTimeout(res, 100));
    expect(got.map((m) => m.text)).toEqual(['once']);
  });

  it('stores every message it acks ok when the conversation ends in the same instant, on either side', async () => {
    // Messages are stored on a connection of their own; the end goes over the shared one.
    // Whichever Redis runs first, an ok ack means the message is in the transcript, and a
    // refusal names why.
    const { s: op } = await operator();
    expect((await emitAck<AnyAck>(op, 'operator:status', { status: 'available' })).ok).toBe(true);
    const stream = (id: string) => `${t.config.redisPrefix}:conv:${id}:msgs`;
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const v = await visitor();
      const assigned = nextEvent<{ conversation: { conversationId: string } }>(op, 'chat:assigned');
      const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
      expect(start.ok).toBe(true);
      const conversationId = String(start.conversationId);
      expect((await assigned).conversation.conversationId).toBe(conversationId);
      // No await between them: the message and the end race to Redis.
      const sends = [
        emitAck<AnyAck>(v, 'chat:message', { clientMessageId: `v${round}`, text: `bezoeker ${round}` }),
        emitAck<AnyAck>(op, 'chat:message', {
          conversationId,
          clientMessageId: `o${round}`,
          text: `hulp ${round}`,
        }),
      ];
      const end =
        round % 2 === 0
          ? emitAck<AnyAck>(op, 'chat:end', { conversationId })
          : emitAck<AnyAck>(v, 'chat:leave', { reason: 'ended' });
      const acks = await Promise.all(sends);
      expect((await end).ok).toBe(true);
      const stored = (await t.app.redis.xrange(stream(conversationId), '-', '+')).map(([id]) => id);
      for (const ack of acks) {
        if (ack.ok) {
          expect(stored).toContain(ack.messageId);
          outcomes.add('stored');
        } else {
          expect(['conversation_ended', 'not_holder']).toContain(ack.error?.code);
          outcomes.add(String(ack.error?.code));
        }
      }
    }
    expect(outcomes.has('stored')).toBe(true);
  });

  it("shows an operator's message in their other tab, not back in the tab that sent it", async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const { acct, s: tabA } = await operator();
    const assigned = nextEvent(tabA, 'chat:assigned');
    expect((await emitAck<AnyAck>(tabA, 'operator:status', { status: 'available' })).ok).toBe(true);
    await assigned;
    const conversationId = String(start.conversationId);
    const send = (s: typeof tabA, id: string, text: string) =>
      emitAck<AnyAck>(s, 'chat:message', { conversationId, clientMessageId: id, text });

    // One tab: the message reaches the visitor only.
    const toVisitor = collect<{ text: string }>(v, 'chat:message');
    const backToA = collect<{ text: string }>(tabA, 'chat:message');
    expect((await send(tabA, 'a1', 'een tabblad')).ok).toBe(true);
    await waitFor(() => toVisitor.length === 1);

    // A second tab opens: it sees what the first one sends, with who sent it.
    const tabB = await connectOperator(t.url, acct.cookie);
    sockets.push(tabB);
    const inB = nextEvent<{ text: string; from: string; operatorId: string; conversationId: string }>(
      tabB,
      'chat:message',
    );
    expect((await send(tabA, 'a2', 'twee tabbladen')).ok).toBe(true);
    expect(await inB).toMatchObject({ text: 'twee tabbladen', from: 'operator', conversationId });
    await waitFor(() => toVisitor.length === 2);
    await new Promise((res) => setTimeout(res, 100));
    expect(toVisitor.map((m) => m.text)).toEqual(['een tabblad', 'twee tabbladen']);
    expect(backToA).toHaveLength(0);
  });

  it('gives exactly one of two racing operators the conversation', async () => {
    const [o1, o2] = [await operator(), await operator()];
    const wins = { o1: 0, o2: 0 };
    for (let round = 0; round < 25; round++) {
      const v = await visitor();
      const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
      const [r1, r2] = await Promise.all([
        emitAck<AnyAck>(o1.s, 'chat:accept', { conversationId: start.conversationId }),
        emitAck<AnyAck>(o2.s, 'chat:accept', { conversationId: start.conversationId }),
      ]);
      expect([r1, r2].filter((r) => r.ok)).toHaveLength(1);
      const loser = r1.ok ? r2 : r1;
      expect(loser.error?.code).toBe('conflict');
      wins[r1.ok ? 'o1' : 'o2']++;
      // Free the winner's capacity for the next round.
      const winner = r1.ok ? o1 : o2;
      expect((await emitAck<AnyAck>(winner.s, 'chat:end', { conversationId: start.conversationId })).ok).toBe(
        true,
      );
      v.disconnect();
    }
    expect(wins.o1 + wins.o2).toBe(25);
  });

  it('routes urgent first, then longest waiting, and only to operators who speak the language', async () => {
    const order: string[] = [];
    const mk = async (language: 'nl' | 'en' | 'ar', urgent: boolean) => {
      const v = await visitor();
      const s = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language, urgent });
      return String(s.conversationId);
    };
    const a = await mk('nl', false);
    const b = await mk('ar', false);
    const c = await mk('nl', true);
    const acct = await createOperator(t, { languages: ['nl'] });
    const { io } = await import('socket.io-client');
    const op = io(`${t.url}/operator`, {
      transports: ['websocket'],
      forceNew: true,
      extraHeaders: { cookie: acct.cookie },
    });
    sockets.push(op);
    op.on('chat:assigned', (p: { conversation: { conversationId: string } }) =>
      order.push(p.conversation.conversationId),
    );
    // The snapshot on connect lists the queue in routing order.
    const snap = await nextEvent<{ waiting: { conversationId: string }[] }>(op, 'queue:snapshot');
    expect(snap.waiting.map((w) => w.conversationId)).toEqual([c, a, b]);
    await emitAck(op, 'operator:status', { status: 'available' });
    await new Promise((res) => setTimeout(res, 300));
    expect(order).toEqual([c, a]);
    expect(order).not.toContain(b);
  });

  it('requeues a conversation when its operator is gone past the grace period, keeping waitingSince', async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const first = await operator();
    const assigned = nextEvent<{ conversation: { waitingSince: string } }>(first.s, 'chat:assigned');
    await emitAck(first.s, 'operator:status', { status: 'available' });
    const since = (await assigned).conversation.waitingSince;
    const back = nextEvent<{ position: number }>(v, 'queue:position', { ms: 8000 });
    first.s.disconnect();
    expect((await back).position).toBe(1);
    const second = await operator();
    const again = nextEvent<{ conversation: { conversationId: string; waitingSince: string } }>(
      second.s,
      'chat:assigned',
    );
    await emitAck(second.s, 'operator:status', { status: 'available' });
    const got = await again;
    expect(got.conversation.conversationId).toBe(start.conversationId);
    expect(got.conversation.waitingSince).toBe(since);
  });

  it('quick exit keeps the conversation for the return window; the return code works once and shows nothing old', async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', {
      role: 'victim',
      language: 'nl',
      text: 'oud bericht',
    });
    const { s: op } = await operator();
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;
    const left = nextEvent<{ reason: string; returnUntil: string }>(op, 'chat:visitor-left');
    expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
    expect((await left).reason).toBe('quick-exit');
    v.disconnect();

    const v2 = await visitor();
    const returned = nextEvent(op, 'chat:visitor-returned');
    const r = await emitAck<AnyAck>(v2, 'chat:resume', {
      returnCode: String(start.returnCode).toLowerCase(),
    });
    expect(r.ok).toBe(true);
    expect(r.conversationId).toBe(start.conversationId);
    expect(r.missed).toBeUndefined();
    expect(r.state).toBe('active');
    expect(typeof r.lastMessageId).toBe('string');
    await returned;

    const v3 = await visitor();
    const again = await emitAck<AnyAck>(v3, 'chat:resume', { returnCode: String(start.returnCode) });
    expect(again.ok).toBe(false);
    expect(again.error?.code).toBe('not_found');
  });

  it('resumes by token with missed messages, and the old token stops working', async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const { s: op } = await operator();
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    await assigned;
    const m1 = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'a', text: 'een' });
    v.disconnect();
    await nextEvent(op, 'chat:visitor-left');
    await emitAck(op, 'chat:message', {
      conversationId: start.conversationId,
      clientMessageId: 'x',
      text: 'twee',
    });
    const v2 = await visitor();
    const r = await emitAck<AnyAck & { missed: { text: string }[] }>(v2, 'chat:resume', {
      resumeToken: start.resumeToken,
      lastMessageId: m1.messageId,
    });
    expect(r.ok).toBe(true);
    expect(r.missed.map((m) => m.text)).toEqual(['twee']);
    expect(r.resumeToken).not.toBe(start.resumeToken);
    const v3 = await visitor();
    const stale = await emitAck<AnyAck>(v3, 'chat:resume', { resumeToken: start.resumeToken });
    expect(stale.ok).toBe(false);
  });

  it('keeps a visitor to its own conversation', async () => {
    const v1 = await visitor();
    const s1 = await emitAck<AnyAck>(v1, 'chat:start', { role: 'victim', language: 'nl' });
    const v2 = await visitor();
    expect(
      (await emitAck<AnyAck>(v2, 'chat:message', { clientMessageId: 'z', text: 'hoi' })).error?.code,
    ).toBe('not_found');
    // A second start on the same socket is refused.
    expect((await emitAck<AnyAck>(v1, 'chat:start', { role: 'victim', language: 'nl' })).error?.code).toBe(
      'conflict',
    );
    // Payload fields that name another conversation are not part of the schema; nothing leaks.
    const r = await emitAck<AnyAck>(v2, 'chat:leave', { reason: 'ended', conversationId: s1.conversationId });
    expect(r.ok).toBe(false);
  });

  it('refuses operators without a session and operators writing into others’ conversations', async () => {
    await expect(connectOperator(t.url, 'sl_session=nope')).rejects.toThrow('unauthorized');
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const owner = await operator();
    await emitAck(owner.s, 'chat:accept', { conversationId: start.conversationId });
    const other = await operator();
    const r = await emitAck<AnyAck>(other.s, 'chat:message', {
      conversationId: start.conversationId,
      clientMessageId: 'q',
      text: 'intruder',
    });
    expect(r.error?.code).toBe('forbidden');
  });

  it('treats a visitor whose instance stopped refreshing its presence as dropped', async () => {
    const v = await visitor();
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const { s: op } = await operator();
    await emitAck(op, 'chat:accept', { conversationId: start.conversationId });
    const key = `${t.config.redisPrefix}:vpresence`;
    expect(await t.app.redis.zscore(key, String(start.conversationId))).not.toBeNull();
    // As if the visitor's instance died: its heartbeat is an old one.
    await t.app.redis.zadd(key, Date.now() - 1, String(start.conversationId));
    const left = nextEvent<{ reason: string }>(op, 'chat:visitor-left');
    await t.app.presence.sweepVisitors();
    expect((await left).reason).toBe('disconnected');
    // A live visitor is not touched by the sweep.
    const v2 = await visitor();
    const s2 = await emitAck<AnyAck>(v2, 'chat:start', { role: 'victim', language: 'nl' });
    await t.app.presence.sweepVisitors();
    expect(await t.app.redis.hget(`${t.config.redisPrefix}:conv:${s2.conversationId}`, 'away')).toBe('');
  });

  it('takes a visitor who closes the socket while chat:start is in flight as away, never as present', async () => {
    // Quick exit right after Start: the socket closes while the server is still starting
    // the conversation. The start is held here until the server has seen the close.
    const lifecycle = t.app.lifecycle;
    const start = lifecycle.start.bind(lifecycle);
    let entered!: () => void;
    const inStart = new Promise<void>((r) => {
      entered = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    lifecycle.start = async (...args: Parameters<typeof start>) => {
      entered();
      await held;
      return start(...args);
    };
    const v = await visitor();
    // Its ack never comes: the socket is closed by then.
    v.emit('chat:start', { role: 'victim', language: 'nl', text: 'Hij komt eraan' }, () => {});
    await inStart;
    v.disconnect();
    await waitFor(() => t.app.io.of('/visitor').sockets.size === 0);
    release();
    const prefix = t.config.redisPrefix;
    const conversationKey = new RegExp(`^${prefix}:conv:[^:]+$`);
    let id = '';
    await waitFor(async () => {
      const key = (await t.app.redis.keys(`${prefix}:conv:*`)).find((k) => conversationKey.test(k));
      id = key ? key.slice(`${prefix}:conv:`.length) : '';
      return id !== '' && (await t.app.redis.hget(key!, 'away')) !== '';
    });
    // Away for the return window, as after any other close, and not kept present by this
    // instance's heartbeat.
    expect(await t.app.redis.hget(t.app.keys.conversation(id), 'state')).toBe('waiting');
    expect(await t.app.redis.zscore(t.app.keys.visitorPresence, id)).toBeNull();
  });
});
