import { describe, expect, it, vi } from 'vitest';
import { fake, fire, makeSocket } from './fake-operator-socket.ts';
import { WorkspaceStore } from './WorkspaceStore.ts';

/** Whom the browser's cookie names now (`/api/auth/me`). */
const me = vi.hoisted(() => ({ id: 'anna' }));

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
vi.mock('../api/http.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api/http.ts')>()),
  fetchMe: async () => ({
    ok: true,
    data: { id: me.id, displayName: me.id, role: 'operator', languages: ['nl'], lines: ['*'] },
  }),
  stillSignedIn: async (operatorId: string) => me.id === operatorId,
}));

/**
 * The server hangs up on a console (`io server disconnect`): it reconnects only while the
 * browser's cookie is still its operator's. At a shared desk a colleague may have signed in
 * in another tab meanwhile; on their cookie this workspace would hear their conversations.
 */
describe('a console the server hung up on', () => {
  async function hungUp(meNow: string) {
    const socket = makeSocket();
    me.id = 'anna';
    const onUnauthorized = vi.fn();
    const store = new WorkspaceStore(
      { id: 'anna', displayName: 'Anna', role: 'operator' },
      { onUnauthorized, onAccountChanged: () => {} },
    );
    store.connect();
    socket.connected = true;
    fire('connect');
    const before = fake.connects;
    me.id = meNow;
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

/**
 * The lock sets an available operator away, so that no victim is routed to an empty desk.
 * If that change does not go through (the console was offline, or answered "not now"), it
 * is made at the next connect, while the console is still locked.
 */
describe("the lock's away, when it did not go through", () => {
  const statuses = () => fake.emits.filter((e) => e.event === 'operator:status').map((e) => e.payload.status);

  it('goes again at the next connect while locked, and not after the unlock', async () => {
    const socket = makeSocket();
    me.id = 'anna';
    const store = new WorkspaceStore(
      { id: 'anna', displayName: 'Anna', role: 'operator' },
      { onUnauthorized: () => {}, onAccountChanged: () => {} },
    );
    store.connect();
    socket.connected = true;
    fire('connect');
    fire('operator:state', { status: 'available', load: 0, capacity: 3 });
    expect(store.state.status).toBe('available');

    store.setScreenLocked(true);
    expect(statuses()).toEqual(['away']);
    fake.emits.at(-1)?.resolve({
      ok: false,
      error: { code: 'unavailable', message: 'The service is temporarily unavailable.' },
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket.connected = false;
    fire('disconnect', 'transport close');
    socket.connected = true;
    fire('connect');
    expect(statuses()).toEqual(['away', 'away']);
    fake.emits.at(-1)?.resolve({ ok: true, status: 'away' });
    await vi.waitFor(() => expect(store.state.status).toBe('away'));

    // Once through, a later connect asks nothing more.
    fire('connect');
    expect(statuses()).toEqual(['away', 'away']);
    store.setScreenLocked(false);
    expect(statuses()).toEqual(['away', 'away', 'available']);
  });
});

/**
 * A reload (or a new tab) of a locked console whose away had not gone through: the new page
 * knows only what the lock left beside its flag, and must still make the operator away, or
 * victims are routed to an empty desk until someone unlocks it.
 */
describe("the lock's away across a reload", () => {
  const statuses = () => fake.emits.filter((e) => e.event === 'operator:status').map((e) => e.payload.status);
  const stored = new Map<string, string>();
  const storage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
    removeItem: (k: string) => void stored.delete(k),
  };

  /** A console page of Anna's, connected; `status` is hers as the server has it. */
  function page(opts: { lockedBeforeConnect: boolean; status: 'available' | 'away' }) {
    const socket = makeSocket();
    me.id = 'anna';
    const store = new WorkspaceStore(
      { id: 'anna', displayName: 'Anna', role: 'operator' },
      { onUnauthorized: () => {}, onAccountChanged: () => {} },
    );
    // A reloaded page mounts locked before its socket connects.
    if (opts.lockedBeforeConnect) store.setScreenLocked(true);
    store.connect();
    socket.connected = true;
    fire('connect');
    fire('operator:state', { status: opts.status, load: 0, capacity: 3 });
    return store;
  }

  /** The first page locks; its away is answered with `answer`, then the page is reloaded. */
  async function lockedThenReloaded(answer: { ok: boolean; [k: string]: unknown }) {
    vi.stubGlobal('localStorage', storage);
    stored.clear();
    stored.set('stille-lijn.console.locked', '1');
    const first = page({ lockedBeforeConnect: false, status: 'available' });
    first.setScreenLocked(true);
    expect(statuses()).toEqual(['away']);
    fake.emits.at(-1)?.resolve(answer);
    await new Promise((resolve) => setTimeout(resolve, 0));
    first.dispose();
    page({ lockedBeforeConnect: true, status: answer.ok ? 'away' : 'available' });
  }

  it('an away that failed goes at the reloaded page’s connect', async () => {
    try {
      await lockedThenReloaded({
        ok: false,
        error: { code: 'unavailable', message: 'The service is temporarily unavailable.' },
      });
      expect(statuses()).toEqual(['away']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('an away that went through is not asked again', async () => {
    try {
      await lockedThenReloaded({ ok: true, status: 'away' });
      expect(statuses()).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
