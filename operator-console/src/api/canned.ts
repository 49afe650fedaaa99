import type { CannedResponse } from '@stille-lijn/shared/domain/canned';
import { cannedListFrom } from './http.ts';
import { type ApiResult, apiRequest, pathId } from './rest.ts';

/** `PUT /api/canned`: creates or replaces the response with this id and language; the whole new list. */
export function saveCanned(item: CannedResponse): Promise<ApiResult<CannedResponse[]>> {
  return apiRequest('/api/canned', { method: 'PUT', body: item, pick: cannedListFrom });
}

/** `DELETE /api/canned/:id/:language`: the whole new list. */
export function deleteCanned(
  id: string,
  language: CannedResponse['language'],
): Promise<ApiResult<CannedResponse[]>> {
  return apiRequest(`/api/canned/${pathId(id)}/${language}`, { method: 'DELETE', pick: cannedListFrom });
}
