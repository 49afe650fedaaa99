import { issueFields } from '@stille-lijn/shared/domain/report';
import { AppError } from '@stille-lijn/shared/errors';
import type { z } from 'zod';

/**
 * Parses a body or params with a shared schema; throws 400 `invalid_payload` whose
 * `fields` are the failing field paths (an unknown field named by its own path).
 * @example const { id } = parseOrThrow(idParams, req.params);
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('invalid_payload', undefined, issueFields(r.error));
  return r.data;
}
