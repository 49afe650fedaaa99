import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';

/**
 * `GET /api/lines` → 200, for signed-in staff: the lines the caller belongs to (an admin:
 * every line of the deployment), in the order of `LINES_FILE`. Only ids and names: the
 * console's line picker and the admin's account editor.
 */
export const staffLinesResponseSchema = z.object({
  lines: z.array(z.object({ id: lineIdSchema, name: z.string() })),
});
export type StaffLinesResponse = z.infer<typeof staffLinesResponseSchema>;
