import { type Language, languages, type OperatorRole, operatorRoles } from '@stille-lijn/shared';

/**
 * The account rules of `npm run operator` and the server (server/src/operators/store.ts),
 * checked here first so an administrator sees what is wrong before anything is sent.
 */

/** 2 to 64 characters: letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
/** @default 80 */
export const MAX_DISPLAY_NAME = 80;

export type AccountField = 'username' | 'displayName' | 'role' | 'languages';
export type AccountErrors = Partial<Record<AccountField, true>>;

export interface AccountDraft {
  username: string;
  displayName: string;
  role: OperatorRole | '';
  languages: readonly string[];
}

/** The fields that break the rules; `username` is checked only for a new account. */
export function accountErrors(draft: AccountDraft, opts: { isNew: boolean }): AccountErrors {
  const errors: AccountErrors = {};
  if (opts.isNew && !USERNAME_PATTERN.test(draft.username.trim())) errors.username = true;
  const name = draft.displayName.trim();
  if (name.length < 1 || name.length > MAX_DISPLAY_NAME) errors.displayName = true;
  if (!(operatorRoles as readonly string[]).includes(draft.role)) errors.role = true;
  if (
    draft.languages.length === 0 ||
    !draft.languages.every((l) => (languages as readonly string[]).includes(l))
  ) {
    errors.languages = true;
  }
  return errors;
}

/** The supported languages, in the shared order, that `chosen` holds. */
export function orderedLanguages(chosen: readonly string[]): Language[] {
  return languages.filter((l) => chosen.includes(l));
}
