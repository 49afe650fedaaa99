import { ChatSession, type SocketClientSource } from '../../widget/src/app/session.ts';

type Ack = (err: Error | null, res?: unknown) => void;
type Handler = (...args: unknown[]) => void;

/**
 * A socket client whose sockets record each acknowledged emit (the test answers them) and
 * let the test drop and restore their connection, firing every handler registered on them.
 * Each connection gets its own id, as the server's sockets do.
 */
export function fakeSockets() {
  const sockets: ReturnType<typeof makeSocket>[] = [];
  function makeSocket() {
    const handlers = new Map<string, Handler[]>();
    let connections = 0;
    const s = {
      emits: [] as { event: string; payload: unknown; ack: Ack; on: string | undefined }[],
      /** Calls of `disconnect()`. */
      disconnects: 0,
      /** Calls of `connect()`. */
      connects: 0,
      socket: {
        connected: true,
        active: true,
        id: 'conn-0' as string | undefined,
        on: (event: string, handler: Handler) => {
          handlers.set(event, [...(handlers.get(event) ?? []), handler]);
          return s.socket;
        },
        emit: () => s.socket,
        connect: () => {
          s.connects += 1;
          return s.socket;
        },
        disconnect: () => {
          s.disconnects += 1;
          s.socket.connected = false;
          s.socket.id = undefined;
          return s.socket;
        },
        timeout: () => ({
          emit: (event: string, payload: unknown, ack: Ack) =>
            s.emits.push({ event, payload, ack, on: s.socket.id }),
        }),
      },
      fire(event: string, ...args: unknown[]) {
        for (const handler of handlers.get(event) ?? []) handler(...args);
      },
      /** The network goes: the client sees the drop and will reconnect by itself. */
      drop() {
        s.socket.connected = false;
        s.socket.id = undefined;
        s.fire('disconnect', 'transport close');
      },
      /** A new connection (a new server-side socket) is up. */
      reconnect() {
        connections += 1;
        s.socket.connected = true;
        s.socket.id = `conn-${connections}`;
        s.fire('connect');
      },
      /** The `chat:resume`s emitted, in order. */
      resumes() {
        return s.emits.filter((e) => e.event === 'chat:resume');
      },
      /** The events emitted, in order. */
      events() {
        return s.emits.map((e) => e.event);
      },
      last(event: string) {
        const found = s.emits.filter((e) => e.event === event);
        return found[found.length - 1]!;
      },
    };
    return s;
  }
  const io = () => {
    const s = makeSocket();
    sockets.push(s);
    return s.socket;
  };
  const source: SocketClientSource = {
    loaded: () => ({ io: io as never }),
    load: async () => ({ io: io as never }),
  };
  return { source, sockets };
}

/**
 * A victim's session talking with Sanne on a fake socket: started (resume token `tok-1`,
 * return code `ZON-00001-TULP` on screen) and assigned. `opts` as the page gives them.
 */
export function talkingWithSanne(opts: ConstructorParameters<typeof ChatSession>[2] = {}) {
  const { source, sockets } = fakeSockets();
  const session = new ChatSession(undefined, source, opts);
  session.start({ role: 'victim', language: 'nl', urgent: false, text: '' });
  const s = sockets[0]!;
  // The initial connect: nothing to resume yet.
  s.fire('connect');
  s.emits[0]!.ack(null, {
    ok: true,
    conversationId: 'c1',
    resumeToken: 'tok-1',
    returnCode: 'ZON-00001-TULP',
    position: 1,
    staffed: true,
    estimatedWaitSeconds: 60,
  });
  s.fire('chat:assigned', { operatorName: 'Sanne' });
  return { session, sockets, s };
}
