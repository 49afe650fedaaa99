import { describe, expect, it, vi } from 'vitest';
import { WorkspaceStore } from './WorkspaceStore.ts';

type Handler = (...args: unknown[]) => void;

/** The operator's socket: its handlers, and how often it was told to connect. */
const fake = vi.hoisted(() => ({
  handlers: new Map<string, Handler[]>(),
  connects: 0,
  me: { id: 'anna' },
}));

function makeSocket() {
  fake.handlers = new Map();
  fake.connects = 0;
  const socket = {
    connected: false,
    active: true,
    on(event: string, handler: Handler) {
      fake.handlers.set(event, [...(fake.handlers.get(event) ?? []), handler]);
      return socket;
    },
    emit: () => socket,
    volatile: { emit: () => socket },
    connect() {
      fake.connects += 1;
      return socket;
    },
    disconnect() {
      socket.connected = false;
      return socket;
    },
    removeAllListeners: () => socket,
    timeout: () => ({ emitWithAck: () => new Promise(() => {}) }),
  };
  return socket;
}

let socket = makeSocket();
vi.mock('../api/socket.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api/socket.ts')>()),
  connectOperatorSocket: () => socket,
}));
vi.mock('../api/supervisor.ts', () => ({
  fetchMyConversations: async () => ({ ok: false, kind: 'unavailable' }),
}));
vi.mock('../api/http.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api/http.ts')>()),
  fetchMe: async () => ({
    ok: true,
    data: { id: fake.me.id, displayName: fake.me.id, role: 'operator', languages: ['nl'], lines: ['*'] },
  }),
  stillSignedIn: async (operatorId: string) => fake.me.id === operatorId,
}));

const fire = (event: string, ...args: unknown[]) => {
  for (const handler of fake.handlers.get(event) ?? []) handler(...args);
};

/**
 * The server hangs up on a console (`io server disconnect`): it reconnects only while the
 * browser's cookie is still its operator's. At a shared desk a colleague may have signed in
 * in another tab meanwhile; on their cookie this workspace would hear their conversations.
 */
describe('a console the server hung up on', () => {
  async function hungUp(meNow: string) {
    socket = makeSocket();
    fake.me.id = 'anna';
    const onUnauthorized = vi.fn();
    const store = new WorkspaceStore(
      { id: 'anna', displayName: 'Anna', role: 'operator' },
      { onUnauthorized, onAccountChanged: () => {} },
    );
    store.connect();
    socket.connected = true;
    fire('connect');
    const before = fake.connects;
    fake.me.id = meNow;
    socket.connected = false;
    fire('disconnect', 'io server disconnect');
    await vi.waitFor(() => expect(fake.connects > before || onUnauthorized.mock.calls.length > 0).toBe(true));
    return { reconnects: fake.connects - before, onUnauthorized };
  }

  it('reconnects while the cookie is still its operator’s (a restart, a changed account)', async () => {
    const { reconnects, onUnauthorized } = await hungUp('anna');
    expect(reconnects).toBe(1);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('signs out, never reconnecting, when the cookie is now a colleague’s', async () => {
    const { reconnects, onUnauthorized } = await hungUp('bram');
    expect(reconnects).toBe(0);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
});
