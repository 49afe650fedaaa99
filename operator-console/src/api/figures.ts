import {
  type AuditResponse,
  auditResponseSchema,
  type DailyFigures,
  dailyStatsResponseSchema,
  type StaffLinesResponse,
  staffLinesResponseSchema,
} from '@stille-lijn/shared/rest';
import { request } from './http.ts';
import { type ApiResult, apiRequest, failureOf, mapResult } from './rest.ts';

export type { AuditResponse, DailyFigures };
export type StaffLine = StaffLinesResponse['lines'][number];

/** `GET /api/lines`: the caller's lines (an admin's: all), ids and names. */
export async function fetchLines(): Promise<ApiResult<StaffLine[]>> {
  return mapResult(await apiRequest('/api/lines', { schema: staffLinesResponseSchema }), (b) => b.lines);
}

/** The query of the daily figures: one line, or every line of the caller when none is picked. */
export function dailyPath(line: string | undefined): string {
  return line ? `/api/stats/daily?line=${encodeURIComponent(line)}` : '/api/stats/daily';
}

/** `GET /api/stats/daily?line=`: the last 30 Amsterdam days, oldest first. */
export async function fetchDaily(line: string | undefined): Promise<ApiResult<DailyFigures[]>> {
  return mapResult(await apiRequest(dailyPath(line), { schema: dailyStatsResponseSchema }), (b) => b.days);
}

/** The same days as CSV (`Accept: text/csv`), as a file the supervisor saves. */
export async function fetchDailyCsv(line: string | undefined): Promise<ApiResult<Blob>> {
  let res: Response;
  try {
    res = await request(dailyPath(line), { headers: { accept: 'text/csv' } });
  } catch {
    return { ok: false, kind: 'unavailable', fields: [] };
  }
  if (!res.ok) return failureOf(res.status, await res.json().catch(() => undefined));
  return { ok: true, data: await res.blob() };
}

/** The filters of the audit reader; empty ones are left out. */
export interface AuditFilters {
  line: string;
  from: string;
  to: string;
  action: string;
}

/** `GET /api/audit` with the filters, newest first; `before` pages on. */
export async function fetchAudit(f: AuditFilters, before?: string): Promise<ApiResult<AuditResponse>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  if (before) q.set('before', before);
  const qs = q.toString();
  return apiRequest(`/api/audit${qs ? `?${qs}` : ''}`, { schema: auditResponseSchema });
}
