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

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: null,
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

export function createLogger(level: string, stream?: DestinationStream): pino.Logger {
  return stream ? pino(loggerOptions(level), stream) : pino(loggerOptions(level));
}

export type Logger = pino.Logger;
