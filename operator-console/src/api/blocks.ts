import { z } from 'zod';
import { type ApiResult, apiRequest, pathId } from './rest.ts';

const blockSchema = z.object({
  blockId: z.string().min(1),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  operatorName: z.string(),
});

/** A block in force as supervisors see it: when, until when, by whom. Never an address. */
export type BlockEntry = z.infer<typeof blockSchema>;

/** The `blocks` of an answer of `/api/blocks`, newest first; malformed entries are left out. */
export function blocksFrom(body: unknown): BlockEntry[] | undefined {
  const list = (body as { blocks?: unknown } | undefined)?.blocks;
  if (!Array.isArray(list)) return undefined;
  return list
    .flatMap((item) => {
      const parsed = blockSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** `GET /api/blocks` (supervisors and admins; 403 for operators). */
export function fetchBlocks(): Promise<ApiResult<BlockEntry[]>> {
  return apiRequest('/api/blocks', { pick: blocksFrom });
}

/** `DELETE /api/blocks/:blockId`: lifts a block; answers the list after lifting, 404 when unknown. */
export function liftBlock(blockId: string): Promise<ApiResult<BlockEntry[]>> {
  return apiRequest(`/api/blocks/${pathId(blockId)}`, { method: 'DELETE', pick: blocksFrom });
}
