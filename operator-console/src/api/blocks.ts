import { type BlockEntry, blocksResponseSchema } from '@stille-lijn/shared/rest';
import { type ApiResult, apiRequest, mapResult, pathId } from './rest.ts';

export type { BlockEntry };

const newestFirst = (b: { blocks: BlockEntry[] }) =>
  [...b.blocks].sort((x, y) => y.createdAt.localeCompare(x.createdAt));

/** `GET /api/blocks` (supervisors and admins; 403 for operators), newest first. */
export async function fetchBlocks(): Promise<ApiResult<BlockEntry[]>> {
  return mapResult(await apiRequest('/api/blocks', { schema: blocksResponseSchema }), newestFirst);
}

/** `DELETE /api/blocks/:blockId`: lifts a block; answers the list after lifting, 404 when unknown. */
export async function liftBlock(blockId: string): Promise<ApiResult<BlockEntry[]>> {
  const res = await apiRequest(`/api/blocks/${pathId(blockId)}`, {
    method: 'DELETE',
    schema: blocksResponseSchema,
  });
  return mapResult(res, newestFirst);
}
