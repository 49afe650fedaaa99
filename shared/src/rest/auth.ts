import { z } from 'zod';
import { languageSchema, operatorRoleSchema } from '../protocol/common.ts';

export { loginBodySchema } from '../protocol/http.ts';

/** Shortest password a person may choose (generated one-time passwords are 24 characters). @default 12 */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted anywhere, sign-in included. @default 256 */
export const PASSWORD_MAX_LENGTH = 256;

/** The signed-in operator as `POST /api/auth/login` answers it. */
export const operatorIdentitySchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  role: operatorRoleSchema,
});

/**
 * `POST /api/auth/password`: the signed-in operator replaces their own password. The new one
 * follows the account rules (12 to 256 characters) and differs from the current one.
 * @example passwordChangeBodySchema.parse({ currentPassword: 'k7mq-xr4t-bn2w-p9ha-d3fz', newPassword: 'my own passphrase' })
 */
export const passwordChangeBodySchema = z
  .object({
    currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    newPassword: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
  })
  .refine((b) => b.newPassword !== b.currentPassword, {
    path: ['newPassword'],
    message: 'The new password must differ from the current one.',
  });
export type PasswordChangeBody = z.input<typeof passwordChangeBodySchema>;

/** `POST /api/auth/login` → 200. */
export const loginResponseSchema = z.object({ operator: operatorIdentitySchema });

/** `GET /api/auth/me` → 200: the identity, with the languages and whether TOTP is set up. */
export const meResponseSchema = z.object({
  operator: operatorIdentitySchema.extend({
    languages: z.array(languageSchema),
    totpEnabled: z.boolean(),
    /** Version 2 (lines): the lines the account belongs to, `['*']` for all. */
    lines: z.array(z.string()).optional(),
    /**
     * Extension: `true` while the account's password is a one-time password (made by an
     * admin, `npm run operator` or the demo); it stops working after
     * `ONE_TIME_PASSWORD_HOURS`, so the console asks the operator to choose their own.
     * Absent otherwise, and never in the sign-in's answer (PROTOCOL.md's shape).
     */
    passwordChangeDue: z.boolean().optional(),
  }),
  /**
   * Extension: the server's `SESSION_IDLE_MIN`, the minutes without input after which the
   * console locks its screen (the session itself stays alive while a console is connected).
   * Absent from an older server; the console then locks after the default.
   * @default 30
   * @example { operator: { … }, sessionIdleMinutes: 30 }
   */
  sessionIdleMinutes: z.number().positive().optional(),
});
export type MeResponse = z.output<typeof meResponseSchema>;
