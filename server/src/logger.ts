import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Paths that may hold message text, addresses, tokens, return codes or passwords.
 * They are removed from every log line; the test in logger.int.test proves it.
 */
export const redactPaths = [
  'text',
  '*.text',
  'password',
  '*.password',
  'totp',
  '*.totp',
  'token',
  '*.token',
  'resumeToken',
  '*.resumeToken',
  'returnCode',
  '*.returnCode',
  'ip',
  '*.ip',
  'remoteAddress',
  '*.remoteAddress',
  'req.headers',
  'headers',
  '*.headers',
  'cookie',
  '*.cookie',
  'sealed',
  '*.sealed',
  // Veilig Thuis reports: nothing logs them; this is the second line of defence.
  'report',
  '*.report',
  'summary',
  '*.summary',
  'excerpts',
  '*.excerpts',
  'sensitive',
  '*.sensitive',
];

/**
 * A new instance id: the host, the process id and a few random characters (two apps in
 * one process, as in tests, differ). It is in every log line (`instance`) and names the
 * metrics leader; none of it is a visitor's data.
 */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}

export function loggerOptions(level: string, instance = newInstanceId()): LoggerOptions {
  return {
    level,
    base: { instance },
    redact: { paths: redactPaths, remove: true },
    serializers: {
      // Only method and route pattern: no URL query, no address, no headers.
      req: (req: { method?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        route: req.routeOptions?.url,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
}

export function createLogger(level: string, stream?: DestinationStream, instance?: string): pino.Logger {
  const opts = loggerOptions(level, instance);
  return stream ? pino(opts, stream) : pino(opts);
}

export type Logger = pino.Logger;
