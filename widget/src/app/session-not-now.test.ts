import { afterEach, describe, expect, it, vi } from 'vitest';
import { talkingWithSanne } from '../../../test/support/fake-visitor-sockets.ts';

type Fake = ReturnType<typeof talkingWithSanne>['s'];
type Emit = Fake['emits'][number];

const unavailable = {
  ok: false,
  error: { code: 'unavailable', message: 'The service is temporarily unavailable.' },
};
const internal = { ok: false, error: { code: 'internal', message: 'Something went wrong.' } };
const at = '2025-01-01T00:00:00.000Z';

/**
 * The server's side of `chat:message`: it stores a `clientMessageId` once (a resend of a
 * stored one is acked with the same message, not stored again), or answers "not now" while
 * it drains. It also checks that no message is in flight twice at once on a connection.
 */
function fakeServer(s: Fake) {
  const stored: { clientMessageId: string; messageId: string; text: string }[] = [];
  const answered = new Set<Emit>();
  const payload = (e: Emit) => e.payload as { clientMessageId: string; text: string };
  /** The message emits not answered yet on the live connection, in order. */
  const open = () =>
    s.emits.filter((e) => e.event === 'chat:message' && !answered.has(e) && e.on === s.socket.id);
  const server = {
    stored,
    open,
    /** Every `chat:message` emitted, as its clientMessageId, in order. */
    sent: () => s.emits.filter((e) => e.event === 'chat:message').map((e) => payload(e).clientMessageId),
    /** Answers the open emits in order: the first `ok` store, the rest get `notNow`. */
    answer(ok: number, notNow: unknown = unavailable) {
      server.check();
      for (const [i, e] of open().entries()) {
        answered.add(e);
        if (i >= ok) {
          e.ack(null, notNow);
          continue;
        }
        const { clientMessageId, text } = payload(e);
        let found = stored.find((m) => m.clientMessageId === clientMessageId);
        if (!found) {
          found = { clientMessageId, messageId: `s${stored.length + 1}`, text };
          stored.push(found);
        }
        e.ack(null, { ok: true, messageId: found.messageId, at });
      }
    },
    /** The connection goes: socket.io-client fails the acks it still waits for (`_clearAcks`). */
    drop() {
      const waiting = open();
      s.drop();
      for (const e of waiting) {
        answered.add(e);
        e.ack(new Error('socket has been disconnected'));
      }
    },
    /** No clientMessageId is awaited twice on one connection. */
    check() {
      const ids = open().map((e) => payload(e).clientMessageId);
      expect(new Set(ids).size).toBe(ids.length);
    },
  };
  return server;
}

/** A victim talking with Sanne, and the server behind her socket. */
function talking() {
  const { session, s } = talkingWithSanne();
  expect(session.state.phase).toBe('active');
  return { session, s, server: fakeServer(s) };
}

const mine = (session: ReturnType<typeof talking>['session']) =>
  session.state.entries.filter((e) => e.from === 'visitor');

/**
 * An instance that is shutting down (or a Redis failover) answers every new event
 * `unavailable` for a few seconds, and nothing is stored. That is "not now", not a refusal:
 * the widget keeps such a message pending and sends it again under the same clientMessageId,
 * on the same connection after a while and in any case after the reconnect.
 */
describe('a message answered "not now" (unavailable, internal)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a burst cut by a draining instance and a reconnect: every message is stored once, in order', async () => {
    vi.useFakeTimers();
    const { session, s, server } = talking();
    const texts = Array.from({ length: 10 }, (_, i) => `bericht ${i}`);
    for (const text of texts) session.send(text);
    // The instance starts draining after the fourth.
    server.answer(4);
    expect(mine(session).map((e) => e.status)).toEqual([
      ...Array(4).fill('sent'),
      ...Array(6).fill('pending'),
    ]);
    expect(session.state.refused).toBeUndefined();
    // Asked again on the same connection, still draining.
    await vi.advanceTimersByTimeAsync(2_000);
    server.check();
    expect(server.open()).toHaveLength(6);
    server.answer(0);
    // The next round is out when the instance closes the connection.
    await vi.advanceTimersByTimeAsync(4_000);
    expect(server.open()).toHaveLength(6);
    server.drop();
    expect(mine(session).map((e) => e.status)).toEqual([
      ...Array(4).fill('sent'),
      ...Array(6).fill('pending'),
    ]);
    // Another instance: the resume, then everything still pending, once each and in order.
    s.reconnect();
    const before = server.sent().length;
    s.resumes()[0]!.ack(null, {
      ok: true,
      conversationId: 'c1',
      resumeToken: 'tok-2',
      state: 'active',
      operatorName: 'Sanne',
      missed: server.stored.map((m) => ({ messageId: m.messageId, from: 'visitor', text: m.text, at })),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sent().slice(before)).toEqual(
      mine(session)
        .slice(4)
        .map((e) => e.clientMessageId),
    );
    server.answer(6);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.open()).toEqual([]);
    expect(server.stored.map((m) => m.text)).toEqual(texts);
    expect(mine(session).map((e) => [e.text, e.status])).toEqual(texts.map((t) => [t, 'sent']));
  });

  it.each([
    ['unavailable', unavailable],
    ['internal', internal],
  ])(
    '%s: asked again on the same connection after 2, 4, 8, 16, 30, 30, 30 s, then shown as not sent',
    async (_, notNow) => {
      vi.useFakeTimers();
      const { session, server } = talking();
      session.send('Hij is thuis');
      const start = Date.now();
      const times: number[] = [];
      server.answer(0, notNow);
      while (mine(session)[0]!.status === 'pending' && Date.now() - start < 300_000) {
        await vi.advanceTimersByTimeAsync(500);
        if (server.open().length === 0) continue;
        times.push(Math.round((Date.now() - start) / 1_000));
        server.answer(0, notNow);
      }
      expect(times).toEqual([2, 6, 14, 30, 60, 90, 120]);
      expect(mine(session)[0]!.status).toBe('failed');
      // Nothing more by itself; the retry button sends it again at once, same id.
      await vi.advanceTimersByTimeAsync(120_000);
      expect(server.sent()).toHaveLength(8);
      session.retry(mine(session)[0]!.clientMessageId!);
      server.answer(1);
      expect(new Set(server.sent()).size).toBe(1);
      expect(mine(session)[0]!.status).toBe('sent');
      expect(server.stored.map((m) => m.text)).toEqual(['Hij is thuis']);
    },
  );

  it('waits as long as the answer says (retryAfterSeconds)', async () => {
    vi.useFakeTimers();
    const { session, server } = talking();
    session.send('Hallo');
    server.answer(0, {
      ...unavailable,
      error: { ...unavailable.error, retryAfterSeconds: 10 },
      retryAfterSeconds: 10,
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(server.open()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.open()).toHaveLength(1);
  });

  it('a message written while one waits goes after it, in order', async () => {
    vi.useFakeTimers();
    const { session, server } = talking();
    session.send('eerste');
    server.answer(0);
    session.send('tweede');
    expect(server.open()).toEqual([]);
    expect(mine(session).map((e) => e.status)).toEqual(['pending', 'pending']);
    await vi.advanceTimersByTimeAsync(2_000);
    server.answer(2);
    expect(server.stored.map((m) => m.text)).toEqual(['eerste', 'tweede']);
    expect(mine(session).map((e) => e.status)).toEqual(['sent', 'sent']);
  });

  it('resent after a resume and answered "not now" again: not at once, but after a while on that connection', async () => {
    vi.useFakeTimers();
    const { session, s, server } = talking();
    session.send('eerste');
    server.answer(0);
    server.drop();
    s.reconnect();
    s.resumes()[0]!.ack(null, {
      ok: true,
      conversationId: 'c1',
      resumeToken: 'tok-2',
      state: 'active',
      operatorName: 'Sanne',
      missed: [],
    });
    await vi.advanceTimersByTimeAsync(0);
    server.answer(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.open()).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    server.answer(1);
    expect(server.stored.map((m) => m.text)).toEqual(['eerste']);
    expect(server.sent()).toHaveLength(3);
  });

  it('is not sent again after a quick exit', async () => {
    vi.useFakeTimers();
    const { session, server } = talking();
    session.send('Hallo');
    server.answer(0);
    const sent = server.sent().length;
    session.quickExit();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(server.sent()).toHaveLength(sent);
  });

  it('is not sent again after End (the ending only leaves)', async () => {
    vi.useFakeTimers();
    const { session, s, server } = talking();
    session.send('Hallo');
    server.answer(0);
    const sent = server.sent().length;
    session.end();
    s.last('chat:leave').ack(null, { ok: true });
    await vi.advanceTimersByTimeAsync(300_000);
    expect(server.sent()).toHaveLength(sent);
    expect(session.state.entries).toEqual([]);
  });

  it('refusals stay as they were: the text goes back to the composer, nothing is sent again', async () => {
    vi.useFakeTimers();
    const { session, server } = talking();
    session.send('te snel');
    server.answer(0, {
      ok: false,
      error: { code: 'rate_limited', message: 'Too many requests.', reason: 'too_fast' },
    });
    expect(session.state.refused).toMatchObject({ reason: 'too-fast', text: 'te snel' });
    expect(mine(session)).toEqual([]);
    session.send('vol');
    server.answer(0, {
      ok: false,
      error: { code: 'too_large', message: 'Full.', reason: 'conversation_full' },
    });
    expect(session.state.refused).toMatchObject({ reason: 'conversation-full', text: 'vol' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sent()).toHaveLength(2);
  });

  it('an answer that never comes on a live connection still shows the message as not sent', async () => {
    vi.useFakeTimers();
    const { session, s, server } = talking();
    session.send('Hallo');
    s.last('chat:message').ack(new Error('operation has timed out'));
    expect(mine(session)[0]!.status).toBe('failed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sent()).toHaveLength(1);
  });
});
