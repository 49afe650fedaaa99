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

/**
 * The failing field paths of a zod type provider validation error, as `parseOrThrow`
 * names them: dotted paths, an unknown field by its own path.
 */
export function validationFields(
  validation: readonly { instancePath: string; keyword: string; params: Record<string, unknown> }[],
): string[] {
  const fields: string[] = [];
  for (const v of validation) {
    const path = v.instancePath.split('/').filter((s) => s !== '');
    const keys = v.params.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      for (const key of keys) fields.push([...path, String(key)].join('.'));
    } else {
      fields.push(path.join('.'));
    }
  }
  return [...new Set(fields)];
}
