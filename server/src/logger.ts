import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Paths that may hold message text, addresses, tokens, return codes or passwords.
 * They are removed from every log line (logger.test.ts; test/integration/privacy.test.ts
 * runs a whole conversation and reads every line).
 */
export const redactPaths = [
  'text',
  '*.text',
  'password',
  '*.password',
  // POST /api/auth/password's body: nothing logs bodies; this is the second line of defence.
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
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
      err: serializeError,
    },
  };
}

/**
 * An error as pino writes it, without the arguments of a failed Redis command: ioredis
 * puts the command on its errors (`err.command.args`), and those arguments are sealed
 * text, keyed hashes, an Argon2id hash of a password. Only the command's name stays.
 */
export function serializeError(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  withoutCommandArgs(out, 0);
  return out;
}

function withoutCommandArgs(e: Record<string, unknown>, depth: number): void {
  const command = e.command as { name?: unknown } | undefined;
  if (command && typeof command === 'object') e.command = { name: command.name };
  // A cause or the errors of an aggregate may carry their own command.
  if (depth >= 4) return;
  const nested = [e.cause, ...(Array.isArray(e.aggregateErrors) ? e.aggregateErrors : [])];
  for (const n of nested)
    if (n && typeof n === 'object') withoutCommandArgs(n as Record<string, unknown>, depth + 1);
}

export function createLogger(level: string, stream?: DestinationStream, instance?: string): pino.Logger {
  const opts = loggerOptions(level, instance);
  return stream ? pino(opts, stream) : pino(opts);
}

export type Logger = pino.Logger;
