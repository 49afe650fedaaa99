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
 * An error as the log writes it: its type, message, stack and a few known fields, from an
 * allow-list, never everything enumerable on it. Libraries hang what they were given on
 * their errors: ioredis the failed command's arguments (`command.args`: sealed text, keyed
 * hashes, an Argon2id hash) and, for a failed MULTI, the earlier errors with theirs
 * (`previousErrors`); Node's ERR_INVALID_URL the whole URL (`input`); HTTP clients the
 * request and the body. Of a Redis command only its name stays. IP addresses in a message
 * (Node's `connect ECONNREFUSED 10.0.0.5:6379`, ioredis' Sentinel errors) are written as
 * `<address>`. A cause, the errors of an
 * aggregate and a MULTI's earlier errors are written the same way, nested, to a depth of 4.
 * A value thrown that is not an Error is written as its type only.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  return serializeErrorAt(err, 0);
}

/** Fields of an error kept as they are when they are a string or a number. */
const PLAIN_FIELDS = ['code', 'errno', 'syscall', 'status', 'statusCode'] as const;
const MAX_ERROR_DEPTH = 4;

function serializeErrorAt(err: unknown, depth: number): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: err === null ? 'null' : typeof err };
  const e = err as Error & Record<string, unknown>;
  const message = withoutAddresses(withoutQuotedInput(e));
  const out: Record<string, unknown> = {
    type: e.constructor?.name ?? e.name,
    message,
    // A function, so that a `$&` in the message is not read as a pattern (which would put
    // the original back).
    stack: typeof e.stack === 'string' ? e.stack.replace(e.message, () => message) : undefined,
  };
  if (e.name !== out.type) out.name = e.name;
  for (const field of PLAIN_FIELDS) {
    const v = e[field];
    if (typeof v === 'string' || typeof v === 'number') out[field] = v;
  }
  const command = e.command as { name?: unknown } | undefined;
  if (command && typeof command === 'object' && typeof command.name === 'string')
    out.command = { name: command.name };
  if (depth >= MAX_ERROR_DEPTH) return out;
  if (e.cause !== undefined) out.cause = serializeErrorAt(e.cause, depth + 1);
  for (const list of ['errors', 'previousErrors'] as const) {
    const errors = e[list];
    if (Array.isArray(errors))
      out[list === 'errors' ? 'aggregateErrors' : list] = errors.map((n) => serializeErrorAt(n, depth + 1));
  }
  return out;
}

/**
 * The message, without what V8 quotes of a failed `JSON.parse`'s input
 * (`Unexpected token 'h', "hij slaat…" is not valid JSON`): that input may be a decrypted
 * field. Other messages are kept as they are.
 */
function withoutQuotedInput(e: Error): string {
  const message = String(e.message);
  if (!(e instanceof SyntaxError)) return message;
  return message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'[^']*'/g, "'…'");
}

/**
 * IPv6 (or IPv4-mapped) candidates: a run of hex digits, colons and dots, an optional zone.
 * One quantifier over one class, so that a long run costs linear time, not quadratic.
 */
const IPV6_LIKE = /(?<![\w:.])[0-9a-fA-F:.]+(?:%[\w.]+)?/g;
/** Four dotted numbers, also before a full stop or after `_`; not inside a longer dotted run. */
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/g;

/**
 * The text with every IP address as `<address>`: a network error names the address it
 * tried, which may be the deployment's Redis or, through a proxy, anyone's. An IPv6 address
 * is a run of hex digits and colons with `::` or eight groups (Node appends the port to it
 * with one more colon, which goes too); a time (`12:30:45`) or a script's line stays.
 */
function withoutAddresses(text: string): string {
  return text
    .replace(IPV6_LIKE, (m) => (/::|(?:[^:]*:){7}/.test(m) ? '<address>' : m))
    .replace(IPV4, '<address>');
}

export function createLogger(level: string, stream?: DestinationStream, instance?: string): pino.Logger {
  const opts = loggerOptions(level, instance);
  return stream ? pino(opts, stream) : pino(opts);
}

export type Logger = pino.Logger;
