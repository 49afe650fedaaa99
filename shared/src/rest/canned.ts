import { z } from 'zod';
import { type CannedResponse, cannedResponseSchema } from '../domain/canned.ts';
import { schemaOf } from './schema.ts';

/** `GET`, `PUT /api/canned` and `DELETE /api/canned/:id/:language` → 200: the whole list. */
export const cannedListResponseSchema = z.object({
  canned: z.array(schemaOf<CannedResponse>()(cannedResponseSchema)),
});

/** `DELETE /api/canned/:id/:language`. */
export const cannedParamsSchema = z.object({
  id: cannedResponseSchema.shape.id,
  language: cannedResponseSchema.shape.language,
});

/** `PUT /api/canned`: one canned response, created or replaced by `id` + `language`. */
export const cannedBodySchema = cannedResponseSchema;
