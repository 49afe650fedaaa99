import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '@stille-lijn/shared/errors';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

/** HSTS for a year, subdomains included (production only: it pins the browser to https). */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * The headers every HTTP answer carries: no MIME sniffing, no referrer, and in production
 * HSTS. Route-specific headers (CSP, frame-ancestors, caching) stay with their routes.
 * @example securityHeaders({ isProduction: false }) // { 'x-content-type-options': 'nosniff', … }
 */
export function securityHeaders(config: Pick<Config, 'isProduction'>): Readonly<Record<string, string>> {
  return Object.freeze({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(config.isProduction ? { 'strict-transport-security': HSTS_VALUE } : {}),
  });
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
    const headers = securityHeaders(app.config);
    const entries = Object.entries(headers);
    app.addHook('onRequest', (_req, reply, done) => {
      reply.headers(headers);
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
