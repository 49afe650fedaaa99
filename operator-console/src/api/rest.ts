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

export type ApiResult<T> = { ok: true; data: T } | { ok: false; kind: ApiFailure; fields: string[] };

const failureByStatus: Record<number, ApiFailure> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  429: 'rate-limited',
};

function fieldsOf(body: unknown): string[] {
  const fields = (body as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

export interface ApiRequest<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON; without it no body and no content type are sent. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Reads the answer's body; undefined means the answer had the wrong shape. */
  pick(body: unknown): T | undefined;
}

/**
 * One call to the console's REST API. Never throws: a network error, a timeout of the
 * browser or a malformed answer all come back as a failure the screen can show.
 * @example const res = await apiRequest('/api/supervisor/overview', { pick: overviewFrom });
 */
export async function apiRequest<T>(path: string, req: ApiRequest<T>): Promise<ApiResult<T>> {
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
  if (!res.ok)
    return { ok: false, kind: failureByStatus[res.status] ?? 'unavailable', fields: fieldsOf(body) };
  const data = req.pick(body);
  return data === undefined ? { ok: false, kind: 'unavailable', fields: [] } : { ok: true, data };
}

/** An id that can go into a path segment as it is. */
export const pathId = (id: string) => encodeURIComponent(id);
