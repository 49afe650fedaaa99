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

/**
 * The reason catalogue: the specific cause of a refusal, sent as `error.reason` beside the
 * generic `error.code` of the protocol, so that clients switch on what happened instead of
 * guessing from other fields. Each reason belongs to exactly one code. Clients show their
 * own text for it from their i18n catalogues; `message` is the server's English sentence.
 */
export const errorReasons = {
  // Visitors.
  /** `chat:start` from an address an operator blocked (BLOCK_HOURS). */
  blocked: { code: 'forbidden', message: 'This is not allowed.' },
  /** `chat:start`: too many conversations open from this address (VISITOR_OPEN_PER_ADDRESS). */
  open_limit: { code: 'rate_limited', message: 'Too many conversations are open from this connection.' },
  /** `chat:start`: this address started VISITOR_STARTS_PER_HOUR conversations this hour; see `retryAfterSeconds`. */
  start_limit: {
    code: 'rate_limited',
    message: 'Too many conversations were started from this connection. Please wait a while.',
  },
  /**
   * `chat:start` on a socket whose handshake came past the address's connection rate
   * (VISITOR_CONNECTIONS_PER_MIN). Such a socket is admitted all the same, so that a return
   * by token or code still gets in; a new socket after the minute may start.
   */
  connection_limit: {
    code: 'rate_limited',
    message: 'Too many connections were opened from here this minute. Please wait a moment.',
  },
  /** `chat:message` while waiting: WAITING_MESSAGES reached. */
  waiting_messages: { code: 'rate_limited', message: 'Please wait for a counsellor before sending more.' },
  /**
   * `chat:message`: the conversation holds CONVERSATION_MAX_KB of visitor text, or
   * CONVERSATION_MAX_MESSAGES visitor messages.
   */
  conversation_full: { code: 'too_large', message: 'This conversation has reached its size limit.' },
  /** Any event beyond the socket's budget (`SOCKET_EVENTS_PER_S`); nothing was done. */
  too_fast: { code: 'rate_limited', message: 'Too many requests. Please wait a moment.' },
  /** `chat:resume` by return code: too many wrong codes from this address; see `retryAfterSeconds`. */
  return_code_throttled: { code: 'rate_limited', message: 'Too many attempts. Please wait a moment.' },
  /**
   * `chat:resume`: the conversation was resumed too often in the last minute (by token, or
   * by return code, each counted apart); see `retryAfterSeconds`. The token or code still works.
   */
  resume_limit: { code: 'rate_limited', message: 'Too many returns. Please wait a moment.' },
  /** Version 2 (lines): `chat:start` on a line that is closed and has no open overflow. */
  line_closed: { code: 'unavailable', message: 'This line is closed now.' },
  /**
   * `chat:start` while Redis is past its high-water mark (REDIS_MEMORY_HIGH_MB): no new
   * conversation until memory is freed; conversations under way go on.
   */
  line_full: { code: 'unavailable', message: 'The chat is very busy. Please try again later.' },
  /** Version 2 (lines): `chat:start` or `/chat?line=` naming a line this deployment lacks. */
  unknown_line: { code: 'invalid_payload', message: 'There is no such line.' },
  /** `chat:start` on a socket that already has a conversation. */
  already_started: { code: 'conflict', message: 'This connection already has a conversation.' },
  /** A visitor event that needs a conversation, on a socket without one. */
  no_conversation: { code: 'not_found', message: 'There is no conversation on this connection.' },
  /** `chat:resume` with an unknown, rotated or purged token, or a code that cannot be redeemed. */
  not_resumable: { code: 'not_found', message: 'This conversation cannot be resumed.' },
  // Both sides.
  /** A message, note, transfer or other action on a conversation that has ended. */
  conversation_ended: { code: 'conflict', message: 'This conversation has ended.' },
  /** A transfer or reassignment of a conversation that is not active (waiting again, or held). */
  not_active: { code: 'conflict', message: 'This conversation is not active.' },
  // Operators.
  /** `chat:accept` (or a reassignment to oneself) while at capacity. */
  at_capacity: { code: 'conflict', message: 'You are at capacity.' },
  /** `chat:accept` of a conversation that is no longer waiting (taken, ended, held). */
  not_waiting: { code: 'conflict', message: 'This conversation is no longer waiting.' },
  /** A transfer, hand-over or reassignment to an operator who is not signed in. */
  operator_offline: { code: 'not_found', message: 'That operator is not signed in.' },
  /** A transfer, hand-over or reassignment to a colleague without room for it. */
  colleague_full: { code: 'conflict', message: 'That colleague has no room for this.' },
  /** A transfer or hand-over to oneself. */
  self_transfer: { code: 'conflict', message: 'You cannot hand a conversation to yourself.' },
  /** An action on a conversation that another operator holds (or last held). */
  not_holder: { code: 'forbidden', message: 'This conversation is not yours.' },
  /** A request or event that needs another role (supervisor or admin). */
  role_required: { code: 'forbidden', message: 'Your role does not allow this.' },
  /** A state-changing request from another origin than the helpline's own. */
  foreign_origin: { code: 'forbidden', message: 'This is not allowed.' },
  /** `chat:block` more than an hour after the conversation ended. */
  block_too_late: { code: 'conflict', message: 'This conversation ended too long ago to block.' },
  /** A report on a conversation that is still waiting. */
  conversation_waiting: { code: 'conflict', message: 'A report needs an active or ended conversation.' },
  /** `POST /api/reports/:id/retry` of a report that has not failed. */
  report_not_failed: { code: 'conflict', message: 'Only a failed report can be sent again.' },
  /** An `Idempotency-Key` used before for another conversation. */
  idempotency_key_reused: {
    code: 'conflict',
    message: 'This Idempotency-Key was used for another conversation.',
  },
  /** An admin disabling their own account. */
  own_account: { code: 'conflict', message: 'You cannot disable your own account.' },
  /** A new account with a username that exists. */
  username_taken: { code: 'conflict', message: 'This username is already taken.' },
  /**
   * An audited staff action past the account's hourly budget (`ACTION_BUDGET_PER_HOUR`); see
   * `retryAfterSeconds`. Nothing was done.
   */
  action_limit: { code: 'rate_limited', message: 'Too many actions this hour. Please wait a while.' },
  /** A report submission past the account's hourly limit (`REPORTS_PER_HOUR`); see `retryAfterSeconds`. */
  report_limit: { code: 'rate_limited', message: 'Too many reports this hour. Please wait a while.' },
  /** `chat:note` on a conversation that holds as many notes, or as much note text, as it may. */
  notes_full: { code: 'too_large', message: 'This conversation holds as many notes as it can.' },
  /** An `/operator` handshake past the consoles one session may have open (`connect_error` data). */
  too_many_consoles: {
    code: 'rate_limited',
    message: 'This session has too many consoles open. Close one, then try again.',
  },
} as const satisfies Record<string, { code: ErrorCode; message: string }>;

export type ErrorReason = keyof typeof errorReasons;
export const errorReasonList = Object.keys(errorReasons) as ErrorReason[];
/** The generic code a reason belongs to, e.g. `ReasonCode<'at_capacity'>` is `'conflict'`. */
export type ReasonCode<R extends ErrorReason> = (typeof errorReasons)[R]['code'];

/** Whether a string is a reason of this catalogue (clients drop reasons they do not know). */
export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && Object.hasOwn(errorReasons, value);
}

export interface ErrorBody<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
  /**
   * Extension: the specific cause beside the generic `code`, for clients to switch on
   * (one of `errorReasons`, e.g. `at_capacity`, `not_waiting`, `blocked`).
   */
  reason?: ErrorReason;
  /** Extension: with `rate_limited`, the seconds after which a retry is looked at. */
  retryAfterSeconds?: number;
}

/** What an error may add beside its code and message. */
export interface ErrorExtra {
  reason?: ErrorReason;
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

/**
 * The error for a known cause: the reason's generic code, its message (or `message`), and
 * the reason itself.
 * @example throw refusal('at_capacity');
 */
export function refusal<R extends ErrorReason>(
  reason: R,
  extra: { message?: string; retryAfterSeconds?: number } = {},
): AppError<ReasonCode<R>> {
  const entry = errorReasons[reason];
  return new AppError(entry.code, extra.message ?? entry.message, undefined, {
    reason,
    ...(extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {}),
  });
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
