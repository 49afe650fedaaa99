import { z } from 'zod';
import { idSchema, isoDateSchema } from '../protocol/common.ts';

/** A block in force: when, until when, by whom. Never an address or its hash. */
export const blockEntrySchema = z.object({
  blockId: z.string().min(1),
  createdAt: isoDateSchema,
  expiresAt: isoDateSchema,
  operatorName: z.string(),
});
export type BlockEntry = z.output<typeof blockEntrySchema>;

/** `GET /api/blocks` and `DELETE /api/blocks/:blockId` → 200, newest first. */
export const blocksResponseSchema = z.object({ blocks: z.array(blockEntrySchema) });

/** `DELETE /api/blocks/:blockId`. */
export const blockParamsSchema = z.object({ blockId: idSchema });
