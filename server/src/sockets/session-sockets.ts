import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';
import { LiveSockets } from './live-sockets.ts';

/**
 * `/operator` sockets one session may have open at once, on all instances together. A
 * console open in a few tabs or windows is normal, so the count is per session and allows
 * a handful; nothing a person does needs more. Each socket has an event budget of its own
 * (SOCKET_EVENTS_PER_S), so this also bounds what one session can send a second.
 * @default 5
 */
export const SESSION_SOCKETS_MAX = 5;

/**
 * The live `/operator` sockets of each session (`LiveSockets`, one group per session): a
 * socket is claimed at the handshake, kept by the heartbeat and released at its disconnect;
 * the socket of an instance that died lapses by itself after `ttlMs`. A claim past the cap
 * is refused: the console says so and tries again.
 * @example if (!(await sessionSockets.claim(sessionId, socket.id))) next(refusedError)
 */
export class SessionSockets {
  readonly #live: LiveSockets;

  /**
   * @param opts.ttlMs how long a socket counts without a heartbeat (a few heartbeats)
   * @param opts.max @default SESSION_SOCKETS_MAX
   */
  constructor(redis: Redis, keys: RedisKeys, opts: { ttlMs: number; max?: number }) {
    this.#live = new LiveSockets(redis, {
      key: (sessionId) => keys.join('session-sockets', sessionId),
      ttlMs: opts.ttlMs,
      max: opts.max ?? SESSION_SOCKETS_MAX,
    });
  }

  /**
   * Counts the socket for its session, unless the session has `max` live ones already.
   * @returns whether the socket may connect
   */
  claim(sessionId: string, socketId: string): Promise<boolean> {
    return this.#live.claim(sessionId, socketId);
  }

  /** The heartbeat: these sockets are live still. */
  refresh(sockets: readonly { sessionId: string; socketId: string }[]): Promise<void> {
    return this.#live.refresh(sockets.map(({ sessionId, socketId }) => ({ group: sessionId, socketId })));
  }

  /** The socket disconnected: its place is free at once. */
  release(sessionId: string, socketId: string): Promise<void> {
    return this.#live.release(sessionId, socketId);
  }
}
