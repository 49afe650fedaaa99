import type { FastifyBaseLogger } from 'fastify';

/**
 * How long a graceful shutdown may take before the process exits anyway: the sockets' drain
 * (5 s), a Veilig Thuis delivery under way (up to 12 s), the workers' jobs (5 s). Deployments
 * give the process at least this long between SIGTERM and SIGKILL (docker-compose.yml's
 * `stop_grace_period`).
 */
export const SHUTDOWN_LIMIT_MS = 30_000;

/**
 * On SIGTERM or SIGINT, `stop` and exit 0 (1 when it fails); past SHUTDOWN_LIMIT_MS, or on
 * a second signal, exit 1 at once. `isClosing` tells whether a signal came.
 */
export function exitOnSignals(
  log: FastifyBaseLogger,
  stop: () => Promise<unknown>,
): { isClosing(): boolean } {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return { isClosing: () => closing };
}
