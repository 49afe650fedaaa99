/**
 * `/visitor` refuses a browser handshake from a foreign page: WebSockets are not subject
 * to CORS, so without this any web page or ad could open chats from its readers' browsers.
 */
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emitAck, type VisitorSocket } from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string; reason?: string }; [k: string]: unknown };

const PUBLIC_URL = 'https://chat.stillelijn.example';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL });
});
afterAll(async () => {
  await t?.close();
});

/** Resolves with the socket once connected, or with the `connect_error` message. */
async function handshake(
  origin: string | undefined,
  transport: 'websocket' | 'polling' = 'websocket',
): Promise<VisitorSocket | string> {
  const s: VisitorSocket = io(`${t.url}/visitor`, {
    transports: [transport],
    forceNew: true,
    reconnection: false,
    ...(origin !== undefined ? { extraHeaders: { origin } } : {}),
  });
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.disconnect();
      resolve(err.message);
    });
  });
}

/** Every key a visitor handshake or start could have written: throttles and conversations. */
const visitorKeys = async () => [
  ...(await t.app.redis.keys(`${t.config.redisPrefix}:throttle:*`)),
  ...(await t.app.redis.keys(`${t.config.redisPrefix}:conv:*`)),
];

describe('/visitor handshake Origin', () => {
  it('refuses a foreign browser Origin with forbidden, over either transport, and stores nothing', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await handshake('https://evil.example', transport)).toBe('forbidden');
      // Look-alikes of the public origin (the public host over http, a suffix), a sandboxed page.
      expect(await handshake('http://chat.stillelijn.example', transport)).toBe('forbidden');
      expect(await handshake('https://chat.stillelijn.example.evil.example', transport)).toBe('forbidden');
      expect(await handshake('null', transport)).toBe('forbidden');
    }
    expect(await visitorKeys()).toEqual([]);
  });

  it("connects the helpline's public origin, the request's own origin and a client without Origin", async () => {
    const sockets = [
      await handshake(PUBLIC_URL),
      await handshake(t.url), // the chat page as reached at this address (development, tests, a second name)
      await handshake(t.url, 'polling'),
      await handshake(undefined), // socket.io-client in Node, outside checks
    ];
    for (const s of sockets) {
      expect(typeof s).not.toBe('string');
      const v = s as VisitorSocket;
      expect((await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' })).ok).toBe(true);
      v.disconnect();
    }
  });
});
