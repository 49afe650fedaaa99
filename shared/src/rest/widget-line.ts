import { z } from 'zod';
import { hoursSchema, lineIdSchema, type PublicLine } from '../domain/lines.ts';
import { languageSchema } from '../protocol/common.ts';
import { schemaOf } from './schema.ts';

/** `GET /api/lines/:id` (public): the line's id. */
export const lineParamsSchema = z.object({ id: lineIdSchema });

/** A line as the widget may see it: never its origins, its overflow or anything about staff. */
export const publicLineSchema = schemaOf<PublicLine>()(
  z.object({
    id: lineIdSchema,
    name: z.string(),
    languages: z.array(languageSchema),
    hours: hoursSchema,
    open: z.boolean(),
  }),
);

/**
 * `GET /api/lines/:id` → 200. `embeddable` is there only when the request carried an
 * `Origin` (a cross-origin fetch by the loader): whether that origin may embed the line
 * (`'self'` or one of its `embedOrigins`). It names no origin.
 * @example { line: { id: 'utrecht', name: 'Veilig Thuis Utrecht', languages: ['nl'], hours: '24/7', open: true }, embeddable: true }
 */
export const lineResponseSchema = z.object({
  line: publicLineSchema,
  embeddable: z.boolean().optional(),
});
export type LineResponse = z.infer<typeof lineResponseSchema>;
