import { z } from 'zod';
import { type ErrorCode, type ErrorReason, errorCodes, isErrorReason } from '../errors.ts';
import { idSchema } from '../protocol/common.ts';

/** `:id` in a path. */
export const idParamsSchema = z.object({ id: idSchema });

/** `{}`: an answer that only says it worked. */
export const emptyResponseSchema = z.object({});

/**
 * The body of every REST error: `{ error: { code, message, reason?, retryAfterSeconds? },
 * fields? }`. A `reason` this client does not know is dropped, so that a newer server's
 * reasons never turn an answer into "malformed".
 */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    reason: z
      .unknown()
      .transform((r): ErrorReason | undefined => (isErrorReason(r) ? r : undefined))
      .optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  }),
  /** With 400 `invalid_payload`: the failing field paths, e.g. `people.children.0.name`. */
  fields: z.array(z.string()).optional(),
});
export type ApiError = z.output<typeof apiErrorSchema>;
