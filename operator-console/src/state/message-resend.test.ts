import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeEmit, fake, fire, makeSocket } from './fake-operator-socket.ts';
import { conversation } from './fixtures.ts';
import { WorkspaceStore } from './WorkspaceStore.ts';

vi.mock('../api/socket.ts', async (importOriginal) => {
  const { fake } = await import('./fake-operator-socket.ts');
  return {
    ...(await importOriginal<typeof import('../api/socket.ts')>()),
    connectOperatorSocket: () => fake.socket,
  };
});
vi.mock('../api/supervisor.ts', () => ({
  fetchMyConversations: async () => ({ ok: false, kind: 'unavailable' }),
}));

const unavailable = {
  ok: false,
  error: { code: 'unavailable', message: 'The service is temporarily unavailable.' },
};

/**
 * The server's side of `chat:message` and `chat:note`: it stores a client id once (a resend
 * of a stored one is acked, not stored again), or answers "not now" while it drains; and no
 * id is awaited twice at once on one connection.
 */
function fakeServer() {
  const stored: { id: string; text: string }[] = [];
  const answered = new Set<FakeEmit>();
  const idOf = (e: FakeEmit) => String(e.payload.clientMessageId ?? e.payload.clientNoteId);
  const open = () =>
    fake.emits.filter(
      (e) =>
        (e.event === 'chat:message' || e.event === 'chat:note') &&
        !answered.has(e) &&
        e.on === fake.connection,
    );
  const server = {
    stored,
    open,
    sent: () => fake.emits.filter((e) => e.event === 'chat:message' || e.event === 'chat:note').map(idOf),
    /** Answers the open emits in order: the first `ok` stored, the rest `notNow`. */
    async answer(ok: number, notNow: unknown = unavailable) {
      const ids = open().map(idOf);
      expect(new Set(ids).size).toBe(ids.length);
      for (const [i, e] of open().entries()) {
        answered.add(e);
        if (i >= ok) {
          e.resolve(notNow);
          continue;
        }
        const id = idOf(e);
        let n = stored.findIndex((m) => m.id === id);
        if (n < 0) n = stored.push({ id, text: String(e.payload.text) }) - 1;
        e.resolve(
          e.event === 'chat:note'
            ? { ok: true, noteId: `n${n + 1}`, at: '2025-01-01T10:00:00.000Z' }
            : { ok: true, messageId: `s${n + 1}`, at: '2025-01-01T10:00:00.000Z' },
        );
      }
      await vi.advanceTimersByTimeAsync(0);
    },
    /** The connection goes: socket.io-client fails what it still waits for. */
    async drop() {
      const socket = fake.socket as { connected: boolean };
      const waiting = open();
      socket.connected = false;
      fire('disconnect', 'transport close');
      for (const e of waiting) {
        answered.add(e);
        e.reject(new Error('socket has been disconnected'));
      }
      await vi.advanceTimersByTimeAsync(0);
    },
    async reconnect() {
      (fake.socket as { connected: boolean }).connected = true;
      fake.connection += 1;
      fire('connect');
      await vi.advanceTimersByTimeAsync(0);
    },
  };
  return server;
}

/** An operator in a conversation with a victim, on a live socket. */
async function inConversation() {
  const socket = makeSocket();
  const store = new WorkspaceStore(
    { id: 'op1', displayName: 'Sanne', role: 'operator' },
    { onUnauthorized: () => {}, onAccountChanged: () => {} },
  );
  store.connect();
  socket.connected = true;
  fire('connect');
  fire('chat:assigned', { conversation: conversation('c1'), messages: [], notes: [] });
  await vi.advanceTimersByTimeAsync(0);
  const mine = () =>
    (store.state.conversations.c1?.messages ?? []).filter((m) => m.clientMessageId !== undefined);
  return { store, server: fakeServer(), mine };
}

/**
 * An instance that is shutting down (or a Redis failover) answers every new event
 * `unavailable` and stores nothing; the connection closes a few seconds later. The console
 * keeps such a message pending and sends it again under the same clientMessageId, so that the
 * victim gets every one, once, in order.
 */
describe('an operator message answered "not now"', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a burst cut by a draining instance and a reconnect: every message is stored once, in order', async () => {
    const { store, server, mine } = await inConversation();
    const texts = ['Hoi', 'Ben je veilig?', 'Neem de tijd', 'Ik ben er', 'Schrijf maar'];
    for (const text of texts) store.send('c1', text);
    await server.answer(2);
    expect(mine().map((m) => m.status)).toEqual(['sent', 'sent', 'pending', 'pending', 'pending']);
    // Asked again on the same connection, still draining.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(server.open()).toHaveLength(3);
    await server.answer(0);
    // The next round is out when the instance closes the connection.
    await vi.advanceTimersByTimeAsync(4_000);
    expect(server.open()).toHaveLength(3);
    await server.drop();
    expect(mine().map((m) => m.status)).toEqual(['sent', 'sent', 'pending', 'pending', 'pending']);
    // Another instance: everything still pending goes, once each and in order.
    const before = server.sent().length;
    await server.reconnect();
    expect(server.sent().slice(before)).toEqual(
      mine()
        .slice(2)
        .map((m) => m.clientMessageId),
    );
    await server.answer(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.open()).toEqual([]);
    expect(server.stored.map((m) => m.text)).toEqual(texts);
    expect(mine().map((m) => [m.text, m.status])).toEqual(texts.map((t) => [t, 'sent']));
  });

  it('asked again after 2, 4, 8, 16, 30, 30, 30 s, then shown as not sent; the retry sends it again', async () => {
    const { store, server, mine } = await inConversation();
    store.send('c1', 'Ben je veilig?');
    const start = Date.now();
    const times: number[] = [];
    await server.answer(0);
    while (mine()[0]?.status === 'pending' && Date.now() - start < 300_000) {
      await vi.advanceTimersByTimeAsync(500);
      if (server.open().length === 0) continue;
      times.push(Math.round((Date.now() - start) / 1_000));
      await server.answer(0);
    }
    expect(times).toEqual([2, 6, 14, 30, 60, 90, 120]);
    expect(mine()[0]?.status).toBe('failed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sent()).toHaveLength(8);
    store.retry('c1', mine()[0]!.clientMessageId!);
    await server.answer(1);
    expect(new Set(server.sent()).size).toBe(1);
    expect(mine()[0]?.status).toBe('sent');
  });

  it('a message written while one waits goes after it, in order', async () => {
    const { store, server, mine } = await inConversation();
    store.send('c1', 'eerste');
    await server.answer(0);
    store.send('c1', 'tweede');
    expect(server.open()).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    await server.answer(2);
    expect(server.stored.map((m) => m.text)).toEqual(['eerste', 'tweede']);
    expect(mine().map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('refusals stay as they were: shown as not sent at once, nothing sent again by itself', async () => {
    const { store, server, mine } = await inConversation();
    store.send('c1', 'Hallo');
    await server.answer(0, {
      ok: false,
      error: { code: 'conflict', message: 'This conversation has ended.', reason: 'conversation_ended' },
    });
    expect(mine()[0]?.status).toBe('failed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sent()).toHaveLength(1);
  });

  it('a note answered "not now" is saved once after the reconnect, without a new click', async () => {
    const { store, server } = await inConversation();
    const added = store.addNote('c1', 'Partner thuis, praat zacht');
    await server.answer(0);
    await server.drop();
    await server.reconnect();
    await server.answer(1);
    await expect(added).resolves.toBe(true);
    expect(server.stored.map((m) => m.text)).toEqual(['Partner thuis, praat zacht']);
    expect(new Set(server.sent()).size).toBe(1);
    expect(store.state.conversations.c1?.notes.map((n) => n.text)).toEqual(['Partner thuis, praat zacht']);
  });
});

/**
 * A locked console has nobody at it: new conversations must not be routed to it. Locked while
 * available, the operator is set away; unlocked, available again. Any other status stays.
 */
describe('the screen lock and the operator status', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const statuses = () => fake.emits.filter((e) => e.event === 'operator:status').map((e) => e.payload.status);
  const answerStatus = async () => {
    for (const e of fake.emits.filter((x) => x.event === 'operator:status')) {
      e.resolve({ ok: true, status: e.payload.status });
    }
    await vi.advanceTimersByTimeAsync(0);
  };

  it('available: away while locked, available again after', async () => {
    const { store } = await inConversation();
    fire('operator:state', { status: 'available', load: 1, capacity: 3 });
    store.setScreenLocked(true);
    await answerStatus();
    expect(statuses()).toEqual(['away']);
    expect(store.state.status).toBe('away');
    store.setScreenLocked(false);
    await answerStatus();
    expect(statuses()).toEqual(['away', 'available']);
  });

  it('on a break: the lock leaves the status alone', async () => {
    const { store } = await inConversation();
    fire('operator:state', { status: 'break', load: 0, capacity: 3 });
    store.setScreenLocked(true);
    store.setScreenLocked(false);
    await answerStatus();
    expect(statuses()).toEqual([]);
  });
});
