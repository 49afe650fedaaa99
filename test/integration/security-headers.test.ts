import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { TEST_DATA_KEY, TEST_HASH_KEY } from '../support/app.ts';

const HSTS = /^max-age=\d{7,}; includeSubDomains$/;

/** The real app on a free port, with one extra route that fails unexpectedly (a 500). */
async function start(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    DATA_KEY: TEST_DATA_KEY,
    HASH_KEY: TEST_HASH_KEY,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({ config, logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
  app.get('/t/boom', async () => {
    throw new Error('boom');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

/** Sends raw bytes and resolves with everything the server answered before it closed or went quiet. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, 3000);
    socket.on('data', (d) => {
      out += d.toString('latin1');
      // One full answer is enough.
      if (/\r\n\r\n/.test(out) && /content-length: *(\d+)/i.test(out)) {
        const length = Number(/content-length: *(\d+)/i.exec(out)?.[1]);
        if (out.length >= out.indexOf('\r\n\r\n') + 4 + length) {
          clearTimeout(timer);
          socket.destroy();
          resolve(out);
        }
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function headerOf(answer: string, name: string): string[] {
  const head = answer.split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

/**
 * Every answer: one nosniff and one no-referrer, never doubled; HSTS only in production, and
 * never on an answer a visitor's browser asks for (it would keep a dated record of the host).
 */
function expectHardened(headers: Headers, hsts: boolean, what: string): void {
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
  if (hsts) expect(headers.get('strict-transport-security'), what).toMatch(HSTS);
  else expect(headers.get('strict-transport-security'), what).toBeNull();
}

describe.each([
  { mode: 'development', production: false },
  { mode: 'production', production: true },
])('security headers on every HTTP answer ($mode)', ({ mode, production }) => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await start({ NODE_ENV: mode }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('API answers, errors (400, 401, 404, 413, 500) and static routes', async () => {
    const json = { 'content-type': 'application/json' };
    const answers: [string, Response, number][] = [
      ['healthz', await fetch(`${url}/healthz`), 200],
      ['me without a session', await fetch(`${url}/api/auth/me`), 401],
      ['unknown route', await fetch(`${url}/nowhere`), 404],
      [
        'broken JSON',
        await fetch(`${url}/api/auth/login`, { method: 'POST', headers: json, body: '{"user' }),
        400,
      ],
      [
        'a body over the limit',
        await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ username: 'x', password: 'y'.repeat(70 * 1024) }),
        }),
        413,
      ],
      ['an unexpected failure', await fetch(`${url}/t/boom`), 500],
      ['the console page', await fetch(`${url}/console/`), 200],
      ['a missing console asset', await fetch(`${url}/console/assets/missing.js`), 404],
    ];
    for (const [what, res, status] of answers) {
      expect(res.status, what).toBe(status);
      expectHardened(res.headers, production, what);
    }
    const visitors: [string, Response, number][] = [
      ['the chat favicon', await fetch(`${url}/chat/favicon.svg`), 200],
      ['a missing chat asset', await fetch(`${url}/chat/assets/missing.js`), 404],
      ["a line's public read", await fetch(`${url}/api/lines/nowhere`), 404],
    ];
    for (const [what, res, status] of visitors) {
      expect(res.status, what).toBe(status);
      expectHardened(res.headers, false, what);
    }
  });

  it("Socket.IO's long-polling answers and handshake refusals, which bypass Fastify", async () => {
    const open = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(open.status).toBe(200);
    // The path is the visitors' as well as the staff's: no HSTS.
    expectHardened(open.headers, false, 'polling handshake');
    const sid = /"sid":"([^"]+)"/.exec(await open.text())?.[1];
    expect(sid).toBeDefined();

    const post = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: '40/visitor,',
    });
    expect(post.status).toBe(200);
    expectHardened(post.headers, false, 'polling POST');
    const poll = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(poll.status).toBe(200);
    expectHardened(poll.headers, false, 'polling GET');

    for (const [what, path] of [
      ['unknown transport', '/socket.io/?EIO=4&transport=carrier-pigeon'],
      ['unknown session', '/socket.io/?EIO=4&transport=polling&sid=nope'],
      ['unsupported protocol', '/socket.io/?EIO=9&transport=polling'],
    ] as const) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, what).toBe(400);
      expectHardened(res.headers, false, what);
    }
  });

  it('an HTTP request the server cannot parse', async () => {
    const answer = await raw(url, 'GARBAGE\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(headerOf(answer, 'x-content-type-options')).toEqual(['nosniff']);
    expect(headerOf(answer, 'referrer-policy')).toEqual(['no-referrer']);
    // Whose it was cannot be told: none.
    expect(headerOf(answer, 'strict-transport-security')).toEqual([]);
  });

  it('answers built in-process (inject) carry them as well', async () => {
    for (const path of ['/nowhere', '/api/auth/me', '/chat/favicon.svg']) {
      const res = await app.inject({ url: path });
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      expect(res.headers['strict-transport-security'] !== undefined, path).toBe(
        production && !path.startsWith('/chat/'),
      );
    }
  });

  it('sends each header once, even where a route sets it too', async () => {
    const answer = await raw(url, 'GET /chat/favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(answer, 'x-content-type-options')).toEqual(['nosniff']);
    expect(headerOf(answer, 'referrer-policy')).toEqual(['no-referrer']);
    expect(headerOf(answer, 'strict-transport-security')).toEqual([]);
    const console = await raw(url, 'GET /console/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(console).toMatch(/^HTTP\/1\.1 200 /);
    expect(headerOf(console, 'strict-transport-security')).toHaveLength(production ? 1 : 0);
  });
});
