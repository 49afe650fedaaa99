import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';
import { type Language, languageSchema, languages, operatorRoleSchema } from '../protocol/common.ts';

/** 2 to 64 characters: letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
/** @default 80 */
export const MAX_DISPLAY_NAME = 80;

export const usernameSchema = z.string().trim().regex(USERNAME_PATTERN);
export const displayNameSchema = z.string().trim().min(1).max(MAX_DISPLAY_NAME);
const accountLanguagesSchema = z.array(languageSchema).min(1);
/**
 * Version 2 (lines): the lines an operator or supervisor belongs to, `['*']` for all.
 * Accounts without lines belong to the deployment's first line.
 */
export const accountLinesSchema = z
  .array(z.union([z.literal('*'), lineIdSchema]))
  .min(1)
  .max(100)
  .refine((v) => !v.includes('*') || v.length === 1, "'*' stands alone");

/** An operator account as admins see it: never a password or a TOTP secret. */
export const accountSchema = z.object({
  id: z.string().min(1),
  username: z.string(),
  displayName: z.string(),
  role: operatorRoleSchema,
  languages: z.array(languageSchema),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  /**
   * Wrong TOTP codes after the right password locked the account's TOTP step
   * (`TOTP_FAILURE_LIMIT`): every sign-in fails with the ordinary 401 until an admin resets
   * the password or the TOTP secret. Only this tells a lock from a forgotten password.
   */
  totpLocked: z.boolean(),
  createdAt: z.string(),
  /** Version 2: set when an admin gave the account its own capacity. */
  capacity: z.number().int().min(1).optional(),
  /** Version 2 (lines): its lines, `['*']` for all (the first line when never set). */
  lines: z.array(z.string()).optional(),
});
export type Account = z.output<typeof accountSchema>;

/** `POST /api/admin/operators`. */
export const newAccountBodySchema = z.object({
  username: usernameSchema,
  displayName: displayNameSchema,
  /** @default 'operator' */
  role: operatorRoleSchema.default('operator'),
  /** @default ['nl', 'en'] */
  languages: accountLanguagesSchema.default(['nl', 'en']),
  /** Version 2 (lines): @default the first line */
  lines: accountLinesSchema.optional(),
});
export type NewAccount = z.input<typeof newAccountBodySchema>;

/** `PATCH /api/admin/operators/:id`: any of these, at least one. */
export const accountChangeBodySchema = z
  .object({
    displayName: displayNameSchema,
    role: operatorRoleSchema,
    languages: accountLanguagesSchema,
    /** Version 2: active conversations at once (1–100). */
    capacity: z.number().int().min(1).max(100),
    /** Version 2 (lines): unknown line ids → 400. */
    lines: accountLinesSchema,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type AccountChange = z.input<typeof accountChangeBodySchema>;

/** `GET /api/admin/operators` → 200. */
export const accountsResponseSchema = z.object({ operators: z.array(accountSchema) });
/** `PATCH …/:id`, `POST …/:id/disable|enable` → 200. */
export const accountResponseSchema = z.object({ operator: accountSchema });
/** `POST /api/admin/operators` → 201: the account and its one-time password, shown once. */
export const accountCreatedResponseSchema = z.object({
  operator: accountSchema,
  password: z.string().min(1),
});
/** `POST …/:id/reset-password` → 200: a new one-time password. */
export const passwordResponseSchema = z.object({ password: z.string().min(1) });

// ---------------------------------------------------------------------------------
// The same rules, for a form: which fields of a draft the server would refuse.

export type AccountField = 'username' | 'displayName' | 'role' | 'languages';
export type AccountErrors = Partial<Record<AccountField, true>>;

export interface AccountDraft {
  username: string;
  displayName: string;
  role: string;
  languages: readonly string[];
}

const draftSchema = z.object({
  displayName: displayNameSchema,
  role: operatorRoleSchema,
  languages: accountLanguagesSchema,
});
const newDraftSchema = draftSchema.extend({ username: usernameSchema });

/**
 * The fields of a draft that break the server's rules (the schemas above); `username` is
 * checked only for a new account.
 * @example accountErrors({ username: 'a', displayName: 'Anna', role: 'operator', languages: ['nl'] }, { isNew: true }) // { username: true }
 */
export function accountErrors(draft: AccountDraft, opts: { isNew: boolean }): AccountErrors {
  const r = (opts.isNew ? newDraftSchema : draftSchema).safeParse(draft);
  const errors: AccountErrors = {};
  if (r.success) return errors;
  for (const issue of r.error.issues) errors[issue.path[0] as AccountField] = true;
  return errors;
}

/** The supported languages, in the shared order, that `chosen` holds. */
export function orderedLanguages(chosen: readonly string[]): Language[] {
  return languages.filter((l) => chosen.includes(l));
}
