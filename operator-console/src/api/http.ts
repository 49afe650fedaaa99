import type { LoginBody, OperatorIdentity, StatsResponse } from '@stille-lijn/shared';
import { loginResponseSchema, meResponseSchema, statsResponseSchema } from '@stille-lijn/shared/rest';
import type { z } from 'zod';

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
    const parsed = loginResponseSchema.safeParse(await readJson(res));
    return parsed.success ? { ok: true, operator: parsed.data.operator } : { ok: false, kind: 'unavailable' };
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

/** How long `logout` waits for the server's answer before it counts as failed. @default 10000 */
export const LOGOUT_TIMEOUT_MS = 10_000;

/**
 * `POST /api/auth/logout`: true only when the server confirmed that the session is over,
 * with a 2xx, or a 401 (it was over already). The session cookie is HttpOnly: without that
 * answer the session may live on, and a reload at the same desk would be signed in.
 */
export async function logout(): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), LOGOUT_TIMEOUT_MS);
  try {
    const res = await request('/api/auth/logout', {
      method: 'POST',
      headers: jsonHeaders,
      body: '{}',
      signal: abort.signal,
    });
    return res.ok || res.status === 401;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function getJson<S extends z.ZodType, T>(
  path: string,
  schema: S,
  pick: (body: z.output<S>) => T,
): Promise<FetchResult<T>> {
  let res: Response;
  try {
    res = await request(path, { headers: { accept: 'application/json' } });
  } catch {
    return { ok: false, kind: 'unavailable' };
  }
  if (res.status === 401) return { ok: false, kind: 'unauthorized' };
  if (res.status === 403) return { ok: false, kind: 'forbidden' };
  if (!res.ok) return { ok: false, kind: 'unavailable' };
  const parsed = schema.safeParse(await readJson(res));
  return parsed.success ? { ok: true, data: pick(parsed.data) } : { ok: false, kind: 'unavailable' };
}

/** `GET /api/auth/me`: who is signed in, if anyone. */
export function fetchMe(): Promise<FetchResult<OperatorIdentity>> {
  return getJson('/api/auth/me', meResponseSchema, ({ operator: { id, displayName, role } }) => ({
    id,
    displayName,
    role,
  }));
}

/**
 * `GET /api/auth/me`: the server's `SESSION_IDLE_MIN` (`sessionIdleMinutes`), after which
 * the console locks its screen; undefined when the server did not say.
 */
export async function fetchSessionIdleMinutes(): Promise<number | undefined> {
  const me = await getJson('/api/auth/me', meResponseSchema, (body) => body.sessionIdleMinutes);
  return me.ok ? me.data : undefined;
}

/** How long after a refused request the cookie is read again (`stillSignedIn`). */
const RENEWED_COOKIE_WAIT_MS = 1000;

/**
 * Whether the browser's cookie still names a live session of `operatorId`, after a
 * request or socket of this console was refused as signed out. A password change in
 * another tab of this browser renews the session: the old one's end reaches every tab at
 * once, and the new cookie a moment later, with that tab's answer. So a refusal is read
 * again once, a second later, before the console signs out.
 */
export async function stillSignedIn(operatorId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RENEWED_COOKIE_WAIT_MS));
    const me = await fetchMe();
    if (me.ok) return me.data.id === operatorId;
    if (me.kind !== 'unauthorized') return false;
  }
  return false;
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

/** Figures of the project's extensions, shown after the core ones. */
const optionalStatKeys = ['answeredToday', 'medianWaitSecondsToday'] as const;

export type ConsoleStats = StatsResponse;
/** The figures shown one by one (the danger signals per category are not a single figure). */
export type StatKey = Exclude<keyof ConsoleStats, 'signalsToday'>;

/** `GET /api/stats` (supervisors). */
export function fetchStats(): Promise<FetchResult<ConsoleStats>> {
  return getJson('/api/stats', statsResponseSchema, (stats) => stats);
}

export { optionalStatKeys, statKeys };
