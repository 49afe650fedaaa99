import type { LoginBody, OperatorIdentity, StatsResponse } from '@stille-lijn/shared';
import { type CannedResponse, cannedResponseSchema } from '@stille-lijn/shared/domain/canned';

/** Seconds to wait when a 429 carries no usable Retry-After. @default 60 */
export const DEFAULT_RETRY_AFTER_S = 60;

/**
 * Reads a Retry-After header: either delta-seconds or an HTTP date. Returns whole
 * seconds (at least 1), or the default when the header is missing or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_AFTER_S;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.max(1, Number.parseInt(value, 10));
  const at = Date.parse(value);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_S;
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export type LoginResult =
  | { ok: true; operator: OperatorIdentity }
  /** Any wrong credential, or a malformed one: the console shows one generic error. */
  | { ok: false; kind: 'invalid' }
  | { ok: false; kind: 'throttled'; retryAfterSeconds: number }
  | { ok: false; kind: 'unavailable' };

export type FetchResult<T> =
  | { ok: true; data: T }
  | { ok: false; kind: 'unauthorized' | 'forbidden' | 'unavailable' };

const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json' };

/** A same-origin request that never uses the HTTP cache (every operator answer is `no-store`). */
export function request(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store' });
}

/** The body as JSON, or undefined when it is not JSON. */
export async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

function operatorFrom(body: unknown): OperatorIdentity | undefined {
  if (typeof body !== 'object' || body === null || !('operator' in body)) return undefined;
  const op = (body as { operator: unknown }).operator;
  if (typeof op !== 'object' || op === null) return undefined;
  const { id, displayName, role } = op as Record<string, unknown>;
  if (typeof id !== 'string' || typeof displayName !== 'string') return undefined;
  if (role !== 'operator' && role !== 'supervisor' && role !== 'admin') return undefined;
  return { id, displayName, role };
}

/** `POST /api/auth/login`. The TOTP code is sent only when one was typed. */
export async function login(body: LoginBody): Promise<LoginResult> {
  let res: Response;
  try {
    res = await request('/api/auth/login', {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, kind: 'unavailable' };
  }
  if (res.ok) {
    const operator = operatorFrom(await readJson(res));
    return operator ? { ok: true, operator } : { ok: false, kind: 'unavailable' };
  }
  if (res.status === 429) {
    return {
      ok: false,
      kind: 'throttled',
      retryAfterSeconds: parseRetryAfter(res.headers.get('retry-after')),
    };
  }
  // 400 (a malformed credential) and 401 look the same to the operator; 403 (a foreign origin) is not their doing.
  if (res.status === 400 || res.status === 401) return { ok: false, kind: 'invalid' };
  return { ok: false, kind: 'unavailable' };
}

/** `POST /api/auth/logout`. Failure is ignored: the console forgets the session either way. */
export async function logout(): Promise<void> {
  try {
    await request('/api/auth/logout', { method: 'POST', headers: jsonHeaders, body: '{}' });
  } catch {
    // The session cookie is HttpOnly; the server's idle timeout ends it if this never arrived.
  }
}

async function getJson<T>(path: string, pick: (body: unknown) => T | undefined): Promise<FetchResult<T>> {
  let res: Response;
  try {
    res = await request(path, { headers: { accept: 'application/json' } });
  } catch {
    return { ok: false, kind: 'unavailable' };
  }
  if (res.status === 401) return { ok: false, kind: 'unauthorized' };
  if (res.status === 403) return { ok: false, kind: 'forbidden' };
  if (!res.ok) return { ok: false, kind: 'unavailable' };
  const data = pick(await readJson(res));
  return data === undefined ? { ok: false, kind: 'unavailable' } : { ok: true, data };
}

/** `GET /api/auth/me`: who is signed in, if anyone. */
export function fetchMe(): Promise<FetchResult<OperatorIdentity>> {
  return getJson('/api/auth/me', operatorFrom);
}

const statKeys = [
  'waiting',
  'longestWaitSeconds',
  'active',
  'operatorsAvailable',
  'operatorsBusy',
  'endedToday',
  'abandonedToday',
] as const satisfies readonly (keyof StatsResponse)[];

/** Figures the server may add to the required ones (docs/protocol.md extensions). */
const optionalStatKeys = ['answeredToday', 'medianWaitSecondsToday'] as const;

export type ConsoleStats = StatsResponse & Partial<Record<(typeof optionalStatKeys)[number], number>>;
export type StatKey = Exclude<keyof ConsoleStats, 'signalsToday'>;

function statsFrom(body: unknown): ConsoleStats | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const source = body as Record<string, unknown>;
  const isFigure = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const out: Partial<ConsoleStats> = {};
  for (const key of statKeys) {
    const v = source[key];
    if (!isFigure(v)) return undefined;
    out[key] = v;
  }
  for (const key of optionalStatKeys) {
    const v = source[key];
    if (isFigure(v)) out[key] = v;
  }
  return out as ConsoleStats;
}

/** `GET /api/stats` (supervisors). */
export function fetchStats(): Promise<FetchResult<ConsoleStats>> {
  return getJson('/api/stats', statsFrom);
}

/** The `canned` list of an answer of `/api/canned`; invalid entries are left out. */
export function cannedListFrom(body: unknown): CannedResponse[] | undefined {
  const list = (body as { canned?: unknown } | undefined)?.canned;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((item) => {
    const parsed = cannedResponseSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** `GET /api/canned`: the live canned responses; invalid entries are left out. */
export function fetchCanned(): Promise<FetchResult<CannedResponse[]>> {
  return getJson('/api/canned', cannedListFrom);
}

export { optionalStatKeys, statKeys };
