import type { ErrorReason } from '@stille-lijn/shared/errors';
import { apiErrorSchema } from '@stille-lijn/shared/rest';
import type { z } from 'zod';
import { readJson, request } from './http.ts';

/**
 * Why a console REST call did not succeed, from the answer's status:
 * - `invalid`: 400, with the failing field paths in `fields` when the server names them;
 * - `unauthorized` 401, `forbidden` 403, `not-found` 404, `conflict` 409, `rate-limited` 429;
 * - `unavailable`: no answer, any other status, or an answer of the wrong shape.
 */
export type ApiFailure =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'unavailable';

/** A failure also carries the server's `reason` (the specific cause) when it sent one this console knows. */
export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; kind: ApiFailure; fields: string[]; reason?: ErrorReason };

const failureByStatus: Record<number, ApiFailure> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  429: 'rate-limited',
};

/** The failure of an answer that is not 2xx, read with the shared error schema. */
export function failureOf(status: number, body: unknown): Extract<ApiResult<never>, { ok: false }> {
  const kind = failureByStatus[status] ?? 'unavailable';
  const parsed = apiErrorSchema.safeParse(body);
  if (!parsed.success) return { ok: false, kind, fields: [] };
  const { error, fields } = parsed.data;
  return { ok: false, kind, fields: fields ?? [], ...(error.reason ? { reason: error.reason } : {}) };
}

export interface ApiRequest<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON; without it no body and no content type are sent. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The shared response schema (`@stille-lijn/shared/rest`); an answer it refuses is `unavailable`. */
  schema: S;
}

/**
 * One call to the console's REST API, its answer parsed with the route's shared schema.
 * Never throws: a network error, a timeout of the browser or a malformed answer all come
 * back as a failure the screen can show.
 * @example const res = await apiRequest('/api/supervisor/overview', { schema: overviewResponseSchema });
 */
export async function apiRequest<S extends z.ZodType>(
  path: string,
  req: ApiRequest<S>,
): Promise<ApiResult<z.output<S>>> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  const init: RequestInit = { method: req.method ?? 'GET', headers };
  if (req.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(req.body);
  }
  let res: Response;
  try {
    res = await request(path, init);
  } catch {
    return { ok: false, kind: 'unavailable', fields: [] };
  }
  const body = await readJson(res);
  if (!res.ok) return failureOf(res.status, body);
  const parsed = req.schema.safeParse(body);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, kind: 'unavailable', fields: [] };
}

/** An answer's data passed through `map`; failures unchanged. */
export function mapResult<T, U>(res: ApiResult<T>, map: (data: T) => U): ApiResult<U> {
  return res.ok ? { ok: true, data: map(res.data) } : res;
}

/** An id that can go into a path segment as it is. */
export const pathId = (id: string) => encodeURIComponent(id);
