/**
 * The error catalogue: every error a client can see, with a stable `code`, a short
 * human message that never echoes input, and the HTTP status used for REST answers.
 */
export const errorCatalogue = {
  invalid_payload: { status: 400, message: 'The request is not valid.' },
  unknown_event: { status: 400, message: 'This event does not exist.' },
  too_large: { status: 413, message: 'The request is too large.' },
  rate_limited: { status: 429, message: 'Too many requests. Please wait a moment.' },
  unauthorized: { status: 401, message: 'Please sign in.' },
  forbidden: { status: 403, message: 'This is not allowed.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'This has already been done or taken.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  internal: { status: 500, message: 'Something went wrong.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export interface ErrorBody<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
  /**
   * Extension: the specific cause beside the generic `code`, for clients to switch on
   * (e.g. `blocked`, `open_limit`, `waiting_messages`, `return_code_throttled`).
   */
  reason?: string;
  /** Extension: with `rate_limited`, the seconds after which a retry is looked at. */
  retryAfterSeconds?: number;
}

/** What an error may add beside its code and message. */
export interface ErrorExtra {
  reason?: string;
  retryAfterSeconds?: number;
}

/** An application error that maps to a catalogue entry. Throw it from handlers. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  /** Extra, non-sensitive detail, such as the failing field paths of a body. */
  readonly details: unknown;
  readonly extra: ErrorExtra;
  constructor(code: C, message?: string, details?: unknown, extra: ErrorExtra = {}) {
    super(message ?? errorCatalogue[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = details;
    this.extra = extra;
  }
  toBody(): ErrorBody<C> {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export function errorBody<C extends ErrorCode>(code: C, message?: string): ErrorBody<C> {
  return { code, message: message ?? errorCatalogue[code].message };
}

/** The failure half of every acknowledgement. */
export interface AckError<C extends ErrorCode = ErrorCode> {
  ok: false;
  error: ErrorBody<C>;
}
export type AckOk<T> = { ok: true } & T;
export type Ack<T> = AckOk<T> | AckError;
