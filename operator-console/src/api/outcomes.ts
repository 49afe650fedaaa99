import type { Ack, ErrorCode } from '@stille-lijn/shared/errors';

/**
 * What the console tells the operator after a refused command, from the ack's `reason`
 * (the specific cause the server names beside the generic `error.code`). Each screen shows
 * the text of its outcome from the i18n catalogue. An ack without a reason this console
 * knows falls back to its generic code.
 */

/** `chat:accept`: `conflict` the conversation is no longer waiting; `full` the operator is at capacity. */
export type AcceptOutcome = 'ok' | 'conflict' | 'full' | 'failed';
/**
 * `chat:transfer`: `offline` the colleague is not signed in; `colleague-full` they have no
 * room; `ended` the conversation ended meanwhile; `not-found` anything else that makes the
 * hand-over impossible (no longer this operator's, not active).
 */
export type TransferOutcome = 'ok' | 'offline' | 'colleague-full' | 'ended' | 'not-found' | 'failed';
/**
 * `chat:block`: `too-late` the conversation ended too long ago; `lifted` a supervisor lifted
 * its block, and only a supervisor blocks it again; `forbidden` no longer this operator's;
 * `not-found` gone.
 */
export type BlockOutcome = 'ok' | 'too-late' | 'lifted' | 'forbidden' | 'not-found' | 'failed';
/**
 * `supervisor:reassign`: `not-found` the operator is not signed in; `colleague-full` they
 * have no room; `conflict` the conversation moved on.
 */
export type ReassignOutcome = 'ok' | 'not-found' | 'colleague-full' | 'conflict' | 'failed';

/**
 * `operator:handover`: `full` the colleague has fewer free places than there are
 * conversations (nothing moved); `not-found` the colleague is not signed in.
 */
export type HandoverOutcome =
  | { ok: true; moved: number }
  | { ok: false; failure: 'full' | 'not-found' | 'failed' };

type Refusal = Extract<Ack<object>, { ok: false }>['error'];
const refusalOf = (res: Ack<object> | undefined): Refusal =>
  res === undefined
    ? { code: 'unavailable', message: '' }
    : res.ok
      ? { code: 'internal', message: '' }
      : res.error;

export function acceptOutcome(res: Ack<object> | undefined): AcceptOutcome {
  if (res?.ok) return 'ok';
  const { code, reason } = refusalOf(res);
  if (reason === 'at_capacity') return 'full';
  return reason === 'not_waiting' || code === 'conflict' ? 'conflict' : 'failed';
}

export function transferOutcome(res: Ack<object> | undefined): TransferOutcome {
  if (res?.ok) return 'ok';
  const { code, reason } = refusalOf(res);
  if (reason === 'operator_offline') return 'offline';
  if (reason === 'colleague_full') return 'colleague-full';
  if (reason === 'conversation_ended') return 'ended';
  return code === 'not_found' || code === 'conflict' || code === 'forbidden' ? 'not-found' : 'failed';
}

export function blockOutcome(res: Ack<object> | undefined): BlockOutcome {
  if (res?.ok) return 'ok';
  const { code, reason } = refusalOf(res);
  if (reason === 'block_too_late') return 'too-late';
  if (reason === 'role_required') return 'lifted';
  if (code === 'forbidden') return 'forbidden';
  return code === 'not_found' ? 'not-found' : 'failed';
}

/**
 * `supervisor:monitor` refused: `limited` the account's looks at content for this hour are
 * used up (server/src/audit/log.ts, LOOK_BUDGET_PER_HOUR).
 */
export function monitorFailure(code: ErrorCode): 'not-found' | 'forbidden' | 'limited' | 'failed' {
  if (code === 'rate_limited') return 'limited';
  return code === 'not_found' ? 'not-found' : code === 'forbidden' ? 'forbidden' : 'failed';
}

export function reassignOutcome(res: Ack<object> | undefined): ReassignOutcome {
  if (res?.ok) return 'ok';
  const { code, reason } = refusalOf(res);
  if (reason === 'operator_offline' || code === 'not_found') return 'not-found';
  if (reason === 'colleague_full') return 'colleague-full';
  return code === 'conflict' ? 'conflict' : 'failed';
}

export function handoverOutcome(res: Ack<{ moved: number }> | undefined): HandoverOutcome {
  if (res?.ok) return { ok: true, moved: res.moved };
  const { code, reason } = refusalOf(res);
  if (reason === 'colleague_full') return { ok: false, failure: 'full' };
  if (reason === 'operator_offline' || code === 'not_found') return { ok: false, failure: 'not-found' };
  return { ok: false, failure: 'failed' };
}
