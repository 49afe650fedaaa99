import { z } from 'zod';
import { languageSchema, operatorRoleSchema } from '../protocol/common.ts';

export { loginBodySchema } from '../protocol/http.ts';

/** The signed-in operator as `POST /api/auth/login` answers it. */
export const operatorIdentitySchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  role: operatorRoleSchema,
});

/** `POST /api/auth/login` → 200. */
export const loginResponseSchema = z.object({ operator: operatorIdentitySchema });

/** `GET /api/auth/me` → 200: the identity, with the languages and whether TOTP is set up. */
export const meResponseSchema = z.object({
  operator: operatorIdentitySchema.extend({
    languages: z.array(languageSchema),
    totpEnabled: z.boolean(),
    /** Version 2 (lines): the lines the account belongs to, `['*']` for all. */
    lines: z.array(z.string()).optional(),
  }),
});
export type MeResponse = z.output<typeof meResponseSchema>;
