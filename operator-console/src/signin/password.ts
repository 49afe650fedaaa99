import {
  emptyResponseSchema,
  meResponseSchema,
  type PasswordChangeBody,
  passwordChangeBodySchema,
} from '@stille-lijn/shared/rest';
import { apiRequest } from '../api/rest.ts';

/** The fields of the change-password form; `repeat` never leaves the console. */
export type PasswordField = 'currentPassword' | 'newPassword' | 'repeat';

/** Why a field is refused: each has its own sentence in the catalogue. */
export type PasswordFieldError = 'required' | 'wrong' | 'length' | 'same' | 'mismatch';
export type PasswordErrors = Partial<Record<PasswordField, PasswordFieldError>>;

export interface PasswordDraft {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

/**
 * The fields of a draft that the server would refuse (`passwordChangeBodySchema`, the same
 * rules), plus a repeat that differs; empty when it may be sent.
 * @example passwordErrors({ currentPassword: 'x', newPassword: 'kort', repeat: 'kort' }) // { newPassword: 'length' }
 */
export function passwordErrors(draft: PasswordDraft): PasswordErrors {
  const errors: PasswordErrors = {};
  const parsed = passwordChangeBodySchema.safeParse({
    currentPassword: draft.currentPassword,
    newPassword: draft.newPassword,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === 'currentPassword') errors.currentPassword ??= 'required';
      // The one custom rule of the schema: the new password must differ.
      if (field === 'newPassword') errors.newPassword ??= issue.code === 'custom' ? 'same' : 'length';
    }
  }
  if (!errors.newPassword && draft.repeat !== draft.newPassword) errors.repeat = 'mismatch';
  return errors;
}

/**
 * Whether the signed-in account's password is one-time (`passwordChangeDue` of
 * `GET /api/auth/me`), so that the console offers to replace it; read once per sign-in
 * and again after a reload.
 */
export async function fetchPasswordChangeDue(): Promise<boolean | 'unauthorized' | 'unavailable'> {
  const res = await apiRequest('/api/auth/me', { schema: meResponseSchema });
  if (res.ok) return res.data.operator.passwordChangeDue === true;
  return res.kind === 'unauthorized' ? 'unauthorized' : 'unavailable';
}

export type PasswordChangeOutcome =
  | { ok: true }
  | { ok: false; kind: 'invalid'; errors: PasswordErrors }
  | { ok: false; kind: 'throttled' | 'unauthorized' | 'failed' };

/**
 * `POST /api/auth/password`. A wrong current password is answered 401 like a wrong
 * sign-in, and so is a session that has ended: `/me` tells the two apart, so that a typo
 * is a field error and not a sign-out.
 */
export async function changePassword(body: PasswordChangeBody): Promise<PasswordChangeOutcome> {
  const res = await apiRequest('/api/auth/password', { method: 'POST', body, schema: emptyResponseSchema });
  if (res.ok) return { ok: true };
  if (res.kind === 'unauthorized') {
    const me = await apiRequest('/api/auth/me', { schema: meResponseSchema });
    if (me.ok) return { ok: false, kind: 'invalid', errors: { currentPassword: 'wrong' } };
    return { ok: false, kind: me.kind === 'unauthorized' ? 'unauthorized' : 'failed' };
  }
  if (res.kind === 'invalid') {
    const errors: PasswordErrors = {};
    for (const f of res.fields) {
      if (f === 'newPassword')
        errors.newPassword = body.newPassword === body.currentPassword ? 'same' : 'length';
      if (f === 'currentPassword') errors.currentPassword = 'required';
    }
    return Object.keys(errors).length > 0
      ? { ok: false, kind: 'invalid', errors }
      : { ok: false, kind: 'failed' };
  }
  if (res.kind === 'rate-limited') return { ok: false, kind: 'throttled' };
  return { ok: false, kind: 'failed' };
}
