import type { FastifyBaseLogger } from 'fastify';

/** A queue's or worker's `error` events are logged at most once per this, per kind. */
export const QUEUE_ERROR_LOG_EVERY_MS = 10_000;
/** Kinds remembered per queue or worker; past it the memory starts again. */
const KINDS_KEPT = 100;

/**
 * What kind of error it is, without its message (which may quote what it read): its name,
 * and its code or, for a Redis error, the reply's leading word (`OOM`, `BUSY`, `READONLY`,
 * `NOSCRIPT`…), which says most about what went wrong.
 */
export function errorKind(err: unknown): { error?: string; code?: string } {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null | undefined;
  const name = typeof e?.name === 'string' ? e.name : undefined;
  const prefix =
    name === 'ReplyError' && typeof e?.message === 'string'
      ? /^[A-Z]{2,20}\b/.exec(e.message)?.[0]
      : undefined;
  const code = typeof e?.code === 'string' ? e.code : prefix;
  return { ...(name ? { error: name } : {}), ...(code ? { code } : {}) };
}

/**
 * Logs a BullMQ queue's or worker's `error` events as `msg`: at most once per
 * QUEUE_ERROR_LOG_EVERY_MS for each kind (`errorKind`; without a code, the start of its
 * message with numbers aside, so that "Missing lock" does not hide "Connection is closed"),
 * the next one with how many of its kind were left out (`leftOut`). BullMQ's worker asks
 * Redis again at once after an error that is not a lost connection (ours waits a second,
 * `Worker` in workers.ts): at `maxmemory` that was thousands of OOM replies a second, and
 * unbounded their lines would fill the disk and bury the one that says why.
 */
export function logErrorsOf(
  emitter: { on(event: 'error', listener: (err: Error) => void): unknown },
  log: Pick<FastifyBaseLogger, 'warn'>,
  msg: string,
  now: () => number = Date.now,
): void {
  const last = new Map<string, { at: number; leftOut: number }>();
  emitter.on('error', (err) => {
    const kind = errorKind(err);
    const key = `${kind.error ?? ''} ${kind.code ?? String(err?.message).slice(0, 40).replace(/\d+/g, '#')}`;
    const at = now();
    const seen = last.get(key);
    if (seen && at - seen.at < QUEUE_ERROR_LOG_EVERY_MS) {
      seen.leftOut += 1;
      return;
    }
    log.warn({ err, ...kind, ...(seen?.leftOut ? { leftOut: seen.leftOut } : {}) }, msg);
    if (!seen && last.size >= KINDS_KEPT) last.clear();
    last.set(key, { at, leftOut: 0 });
  });
}
