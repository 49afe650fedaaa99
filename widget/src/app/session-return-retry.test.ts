import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatSession, type SocketClientSource } from './session.ts';

type Ack = (err: Error | null, res?: unknown) => void;

/**
 * A socket client whose sockets record each acknowledged emit; the test answers them. Only
 * what the session calls on a socket is there.
 */
function fakeSockets() {
  const sockets: { emits: { event: string; payload: unknown; ack: Ack }[]; disconnected: boolean }[] = [];
  const io = () => {
    const s = { emits: [] as { event: string; payload: unknown; ack: Ack }[], disconnected: false };
    sockets.push(s);
    const socket = {
      connected: true,
      active: true,
      on: () => socket,
      emit: () => socket,
      connect: () => socket,
      disconnect: () => {
        s.disconnected = true;
        return socket;
      },
      timeout: () => ({
        emit: (event: string, payload: unknown, ack: Ack) => s.emits.push({ event, payload, ack }),
      }),
    };
    return socket;
  };
  const source: SocketClientSource = {
    loaded: () => ({ io: io as never }),
    load: async () => ({ io: io as never }),
  };
  return { source, sockets };
}

const unavailable = { ok: false, error: { code: 'unavailable', message: 'Try again.' } };
const redeemed = {
  ok: true,
  conversationId: 'c1',
  resumeToken: 'tok',
  state: 'waiting',
  position: 1,
  returnCode: 'ZON-00002-TULP',
  staffed: true,
  estimatedWaitSeconds: 60,
};

/**
 * A return-code redemption answered `unavailable` may have spent the code (a failover cut
 * it after that step): the server answers a retry with that redemption only on the same
 * socket, so the widget tries again there, never on a new one.
 */
describe('a return by code answered unavailable', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is tried again on the same socket, and the visitor is back', () => {
    vi.useFakeTimers();
    const { source, sockets } = fakeSockets();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ZON-00001-TULP', 'nl');
    expect(sockets).toHaveLength(1);
    sockets[0]!.emits[0]!.ack(null, unavailable);
    expect(session.state.failure).toBeUndefined();
    expect(session.state.phase).toBe('starting');
    vi.advanceTimersByTime(5_000);
    // The same socket, the same code.
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.disconnected).toBe(false);
    expect(sockets[0]!.emits.map((e) => [e.event, e.payload])).toEqual([
      ['chat:resume', { returnCode: 'ZON-00001-TULP' }],
      ['chat:resume', { returnCode: 'ZON-00001-TULP' }],
    ]);
    sockets[0]!.emits[1]!.ack(null, redeemed);
    expect(session.state).toMatchObject({ phase: 'waiting', returnCode: 'ZON-00002-TULP', position: 1 });
  });

  it('also when no answer came in time', () => {
    vi.useFakeTimers();
    const { source, sockets } = fakeSockets();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ZON-00001-TULP', 'nl');
    sockets[0]!.emits[0]!.ack(new Error('operation has timed out'));
    vi.advanceTimersByTime(5_000);
    expect(sockets[0]!.emits).toHaveLength(2);
    sockets[0]!.emits[1]!.ack(null, redeemed);
    expect(session.state.phase).toBe('waiting');
  });

  it('gives up within the minute the server keeps the redemption, and says so', () => {
    vi.useFakeTimers();
    const { source, sockets } = fakeSockets();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ZON-00001-TULP', 'nl');
    for (let i = 0; i < 20 && session.state.phase === 'starting'; i++) {
      const emits = sockets[0]!.emits;
      emits[emits.length - 1]!.ack(null, unavailable);
      vi.advanceTimersByTime(10_000);
    }
    expect(session.state).toMatchObject({ phase: 'idle', failure: 'return-code' });
    expect(sockets[0]!.emits.length).toBeGreaterThan(2);
    expect(sockets[0]!.emits.length).toBeLessThan(12);
  });

  it('is not tried again after a quick exit', () => {
    vi.useFakeTimers();
    const { source, sockets } = fakeSockets();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ZON-00001-TULP', 'nl');
    sockets[0]!.emits[0]!.ack(null, unavailable);
    session.quickExit();
    vi.advanceTimersByTime(60_000);
    expect(sockets[0]!.emits).toHaveLength(1);
  });

  it('a code that does not work is not tried again', () => {
    vi.useFakeTimers();
    const { source, sockets } = fakeSockets();
    const session = new ChatSession(undefined, source);
    session.resumeWithCode('ZON-00001-TULP', 'nl');
    sockets[0]!.emits[0]!.ack(null, {
      ok: false,
      error: { code: 'not_found', message: 'This return code is not valid.', reason: 'not_resumable' },
    });
    vi.advanceTimersByTime(60_000);
    expect(sockets[0]!.emits).toHaveLength(1);
    expect(session.state).toMatchObject({ phase: 'idle', failure: 'return-code' });
  });
});
