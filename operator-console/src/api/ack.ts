import {
  type Ack,
  type AckError,
  type ErrorCode,
  type ErrorReason,
  isErrorReason,
} from '@stille-lijn/shared';

/** How long the console waits for an acknowledgement. @default 10000 */
export const ACK_TIMEOUT_MS = 10_000;

const knownCodes: readonly ErrorCode[] = [
  'invalid_payload',
  'unknown_event',
  'too_large',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unavailable',
  'internal',
];

export function ackError(code: ErrorCode, reason?: ErrorReason): AckError {
  return { ok: false, error: { code, message: code, ...(reason ? { reason } : {}) } };
}

/**
 * Checks that an acknowledgement has the protocol's shape. Anything else counts as
 * `internal`: the console never trusts a payload just because it arrived. A refusal keeps
 * its `reason` when it is one of the shared catalogue's; an unknown one is dropped. It keeps
 * `retryAfterSeconds` (in the error, or at the top level) when it is a positive number.
 */
export function normaliseAck<T>(res: unknown): Ack<T> {
  if (typeof res !== 'object' || res === null || !('ok' in res)) return ackError('internal');
  const r = res as { ok: unknown; error?: unknown; retryAfterSeconds?: unknown };
  if (r.ok === true) return res as Ack<T>;
  if (r.ok === false && typeof r.error === 'object' && r.error !== null) {
    const { code, reason, retryAfterSeconds } = r.error as {
      code?: unknown;
      reason?: unknown;
      retryAfterSeconds?: unknown;
    };
    if (typeof code === 'string' && (knownCodes as readonly string[]).includes(code)) {
      const refused = ackError(code as ErrorCode, isErrorReason(reason) ? reason : undefined);
      const seconds = retryAfterSeconds ?? r.retryAfterSeconds;
      if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)
        refused.error.retryAfterSeconds = Math.ceil(seconds);
      return refused;
    }
  }
  return ackError('internal');
}

/** Awaits an emit with a timeout; a timeout or a broken connection becomes `unavailable`. */
export async function settle<T>(pending: Promise<unknown>): Promise<Ack<T>> {
  try {
    return normaliseAck<T>(await pending);
  } catch {
    return ackError('unavailable');
  }
}

/**
 * The outcome of saving console-only state (tags, risk, acute danger) through an
 * event the server may not know yet:
 * - `saved`: the server stored it;
 * - `local-only`: the server answered `unknown_event`, so it lives in this tab only;
 * - `failed`: any other error; the operator can try again.
 */
export type SyncResult = 'saved' | 'local-only' | 'failed';

export function syncResultOf(res: Ack<object>): SyncResult {
  if (res.ok) return 'saved';
  return res.error.code === 'unknown_event' ? 'local-only' : 'failed';
}
