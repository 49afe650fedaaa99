/**
 * A stand-in for the operator's Socket.IO socket in unit tests of WorkspaceStore. A test
 * file routes `connectOperatorSocket` to it:
 * @example
 * vi.mock('../api/socket.ts', async (importOriginal) => {
 *   const { fake } = await import('./fake-operator-socket.ts');
 *   return { ...(await importOriginal<typeof import('../api/socket.ts')>()), connectOperatorSocket: () => fake.socket };
 * });
 */

type Handler = (...args: unknown[]) => void;

/** One acknowledged emit, waiting for the test to answer it. */
export interface FakeEmit {
  event: string;
  payload: Record<string, unknown>;
  /** The connection it went out on (`fake.connection` then). */
  on: number;
  resolve(res: unknown): void;
  reject(err: Error): void;
}

/** The socket's listeners, its acknowledged emits, and how often it was told to connect. */
export const fake = {
  handlers: new Map<string, Handler[]>(),
  emits: [] as FakeEmit[],
  /** Counts the test's reconnects, so that emits can be told apart by connection. */
  connection: 0,
  /** How often the store called `connect()`. */
  connects: 0,
  socket: undefined as unknown,
};

/** A new socket, not connected yet; the test sets `connected` and fires `connect`. */
export function makeSocket() {
  fake.handlers = new Map();
  fake.emits = [];
  fake.connection = 0;
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
    timeout: () => ({
      emitWithAck: (event: string, payload: Record<string, unknown>) =>
        new Promise((resolve, reject) =>
          fake.emits.push({ event, payload, on: fake.connection, resolve, reject }),
        ),
    }),
  };
  fake.socket = socket;
  return socket;
}

/** What the server sends: every listener of `event` hears it. */
export function fire(event: string, ...args: unknown[]): void {
  for (const handler of fake.handlers.get(event) ?? []) handler(...args);
}
