import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '@stille-lijn/shared/errors';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

/** HSTS for a year, subdomains included (production only: it pins the browser to https). */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * The headers every HTTP answer carries: no MIME sniffing, no referrer. Route-specific
 * headers (CSP, frame-ancestors, caching) stay with their routes; HSTS is `staffHeaders`'.
 * @example securityHeaders() // { 'x-content-type-options': 'nosniff', … }
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  return Object.freeze({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
}

/**
 * The headers of an answer a visitor's browser never asks for: those of `securityHeaders`
 * and, in production, HSTS.
 *
 * A visitor's answers carry no HSTS: a browser keeps a host's HSTS in its profile, with the
 * time it was last seen (Chromium shows it at chrome://net-internals/#hsts), after the
 * history is cleared and for a year. On a phone the abuser checks, that is a dated record of
 * the helpline, which the widget must not leave ("nothing stays on the device"). A visitor
 * never types this host's address (the widget is loaded from the host page over https), so
 * HSTS would protect little there; the HSTS preload list is the way to pin the host without
 * a record per device. Staff browsers get it on everything else.
 */
export function staffHeaders(config: Pick<Config, 'isProduction'>): Readonly<Record<string, string>> {
  return Object.freeze({
    ...securityHeaders(),
    ...(config.isProduction ? { 'strict-transport-security': HSTS_VALUE } : {}),
  });
}

/**
 * Whether a request path is one a visitor's browser asks for: the loader, the widget's page
 * and assets, the public read of a line, and Socket.IO (whose one path serves the visitors'
 * namespace as well as the staff's).
 */
export function isVisitorPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return (
    path === '/widget.js' ||
    path === '/chat' ||
    path.startsWith('/chat/') ||
    path.startsWith('/socket.io/') ||
    /^\/api\/lines\/[^/]+$/.test(path)
  );
}

/**
 * Fastify's `clientErrorHandler` (a request line or headers Node cannot parse): the same
 * answers Fastify gives by default, with the security headers.
 */
export function clientErrorHandler(headers: Readonly<Record<string, string>>) {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, label] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : [400, 'Bad Request'];
    const body = JSON.stringify({ error: errorBody('invalid_payload') });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${label}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json\r\n${extra}Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/**
 * The security headers on every answer, in one place:
 * - an `onRequest` hook for everything Fastify answers (routes, 404, errors, static files,
 *   and `inject()` in tests);
 * - a raw `request` listener, first in line, for what never reaches Fastify: Socket.IO's
 *   long-polling answers and its handshake refusals. Socket.IO wraps the listeners it finds
 *   when it attaches, so this one is put in front once every plugin is registered.
 * Malformed requests are answered by `clientErrorHandler` (given to Fastify in `buildApp`).
 */
export default fp(
  async (app) => {
    const visitor = securityHeaders();
    const staff = staffHeaders(app.config);
    // Socket.IO's own answers: its path is a visitor's too.
    const entries = Object.entries(visitor);
    app.addHook('onRequest', (req, reply, done) => {
      reply.headers(isVisitorPath(req.url) ? visitor : staff);
      done();
    });
    app.addHook('onReady', (done) => {
      app.server.prependListener('request', (_req, res: ServerResponse) => {
        for (const [name, value] of entries) res.setHeader(name, value);
      });
      done();
    });
  },
  { name: 'security-headers', dependencies: ['config'] },
);
