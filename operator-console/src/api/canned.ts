import type { CannedResponse } from '@stille-lijn/shared/domain/canned';
import { cannedListResponseSchema } from '@stille-lijn/shared/rest';
import { type ApiResult, apiRequest, mapResult, pathId } from './rest.ts';

/** `PUT /api/canned`: creates or replaces the response with this id and language; the whole new list. */
export async function saveCanned(item: CannedResponse): Promise<ApiResult<CannedResponse[]>> {
  const res = await apiRequest('/api/canned', {
    method: 'PUT',
    body: item,
    schema: cannedListResponseSchema,
  });
  return mapResult(res, (b) => b.canned);
}

/** `DELETE /api/canned/:id/:language`: the whole new list. */
export async function deleteCanned(
  id: string,
  language: CannedResponse['language'],
): Promise<ApiResult<CannedResponse[]>> {
  const res = await apiRequest(`/api/canned/${pathId(id)}/${language}`, {
    method: 'DELETE',
    schema: cannedListResponseSchema,
  });
  return mapResult(res, (b) => b.canned);
}
