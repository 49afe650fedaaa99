import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import {
  type ConfiguredRegion,
  regionsResponseSchema,
  reportCreatedResponseSchema,
  reportListResponseSchema,
  reportStatusSchema,
} from '@stille-lijn/shared/rest';
import { type ApiResult, apiRequest, mapResult, pathId } from './rest.ts';

export type { ConfiguredRegion };

/** A report's status (never its content) from an answer or an event; undefined when malformed. */
export function reportStatusFrom(v: unknown): ReportStatus | undefined {
  const r = reportStatusSchema.safeParse(v);
  return r.success ? r.data : undefined;
}

/** `GET /api/regions`: the regions this helpline can deliver to (those in VT_REGIONS_FILE). */
export async function fetchRegions(): Promise<ApiResult<ConfiguredRegion[]>> {
  return mapResult(await apiRequest('/api/regions', { schema: regionsResponseSchema }), (b) => b.regions);
}

/**
 * `POST /api/conversations/:id/reports`. The `idempotencyKey` stays the same for every
 * attempt at one report, so a repeat after a lost answer does not make a second report.
 */
export async function submitReport(
  conversationId: string,
  body: unknown,
  idempotencyKey: string,
): Promise<ApiResult<{ reportId: string }>> {
  const res = await apiRequest(`/api/conversations/${pathId(conversationId)}/reports`, {
    method: 'POST',
    body,
    headers: { 'idempotency-key': idempotencyKey },
    schema: reportCreatedResponseSchema,
  });
  return mapResult(res, (b) => ({ reportId: b.reportId }));
}

/** `GET /api/reports/:id`. */
export function fetchReport(reportId: string): Promise<ApiResult<ReportStatus>> {
  return apiRequest(`/api/reports/${pathId(reportId)}`, { schema: reportStatusSchema });
}

/** `GET /api/conversations/:id/reports`: the conversation's reports (an operator's own, or all for supervisors). */
export async function fetchConversationReports(conversationId: string): Promise<ApiResult<ReportStatus[]>> {
  const res = await apiRequest(`/api/conversations/${pathId(conversationId)}/reports`, {
    schema: reportListResponseSchema,
  });
  return mapResult(res, (b) => b.reports);
}

/** `GET /api/reports`: the newest reports, for supervisors. */
export async function fetchAllReports(): Promise<ApiResult<ReportStatus[]>> {
  return mapResult(await apiRequest('/api/reports', { schema: reportListResponseSchema }), (b) => b.reports);
}

/** `POST /api/reports/:id/retry`: a failed report gets another round of delivery attempts. */
export function retryReport(reportId: string): Promise<ApiResult<ReportStatus>> {
  return apiRequest(`/api/reports/${pathId(reportId)}/retry`, { method: 'POST', schema: reportStatusSchema });
}
