import { z } from 'zod';
import {
  type CannedResponse,
  cannedResponseSchema,
  type essentialCannedIds,
  SAFETY_CHECK_ID,
} from '../domain/canned.ts';
import { schemaOf } from './schema.ts';

/** `GET`, `PUT /api/canned` and `DELETE /api/canned/:id/:language` → 200: the whole list. */
export const cannedListResponseSchema = z.object({
  canned: z.array(schemaOf<CannedResponse>()(cannedResponseSchema)),
  /**
   * Whether the caller may change the list (an admin, or a supervisor of every line): only
   * the server knows the deployment's lines. Absent from a server before it: read as false.
   */
  editable: z.boolean().optional(),
});

/**
 * The safety-critical defaults, in every language: the safety check and the 112 script
 * (danger, where, may we call, help is coming). The console's safety-check and acute-danger
 * buttons insert them, so they can be edited but never deleted (`DELETE` → 409 `conflict`).
 */
export const undeletableCannedIds = [
  SAFETY_CHECK_ID,
  'emergency-112',
  'acute-location',
  'acute-consent',
  'acute-help-coming',
] as const satisfies readonly (typeof essentialCannedIds)[number][];

/** Whether `DELETE /api/canned/:id/:language` refuses this id (every language of it). */
export const isUndeletableCanned = (id: string): boolean =>
  (undeletableCannedIds as readonly string[]).includes(id);

/** `DELETE /api/canned/:id/:language`. */
export const cannedParamsSchema = z.object({
  id: cannedResponseSchema.shape.id,
  language: cannedResponseSchema.shape.language,
});

/** `PUT /api/canned`: one canned response, created or replaced by `id` + `language`. */
export const cannedBodySchema = cannedResponseSchema;
