import { type RegionId, regionIdSchema } from '@stille-lijn/shared/domain/regions';
import { type ReportStatus, reportStatuses } from '@stille-lijn/shared/domain/report';
import { z } from 'zod';
import { type ApiResult, apiRequest, pathId } from './rest.ts';

const statusSchema = z.object({
  reportId: z.string().min(1),
  conversationId: z.string().min(1),
  region: regionIdSchema,
  status: z.enum(reportStatuses),
  attempts: z.number().int().min(0),
  lastError: z.string().optional(),
  createdAt: z.string().optional(),
  deliveredAt: z.string().optional(),
});

/** A report's status (never its content) from any answer or event; undefined when malformed. */
export function reportStatusFrom(v: unknown): ReportStatus | undefined {
  const r = statusSchema.safeParse(v);
  if (!r.success) return undefined;
  const { lastError, deliveredAt, createdAt, ...rest } = r.data;
  return {
    ...rest,
    // The core contract does not promise `createdAt`; '' sorts such a report last.
    createdAt: createdAt ?? '',
    ...(lastError !== undefined ? { lastError } : {}),
    ...(deliveredAt !== undefined ? { deliveredAt } : {}),
  };
}

const statusListFrom = (body: unknown): ReportStatus[] | undefined => {
  const list = (body as { reports?: unknown } | undefined)?.reports;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((item) => {
    const s = reportStatusFrom(item);
    return s ? [s] : [];
  });
};

export interface ConfiguredRegion {
  id: RegionId;
  name: string;
}

/** `GET /api/regions`: the regions this helpline can deliver to (those in VT_REGIONS_FILE). */
export function fetchRegions(): Promise<ApiResult<ConfiguredRegion[]>> {
  return apiRequest('/api/regions', {
    pick: (body) => {
      const list = (body as { regions?: unknown } | undefined)?.regions;
      if (!Array.isArray(list)) return undefined;
      return list.flatMap((r) => {
        const parsed = z.object({ id: regionIdSchema, name: z.string() }).safeParse(r);
        return parsed.success ? [parsed.data] : [];
      });
    },
  });
}

/**
 * `POST /api/conversations/:id/reports`. The `idempotencyKey` stays the same for every
 * attempt at one report, so a repeat after a lost answer does not make a second report.
 */
export function submitReport(
  conversationId: string,
  body: unknown,
  idempotencyKey: string,
): Promise<ApiResult<{ reportId: string }>> {
  return apiRequest(`/api/conversations/${pathId(conversationId)}/reports`, {
    method: 'POST',
    body,
    headers: { 'idempotency-key': idempotencyKey },
    pick: (b) => {
      const reportId = (b as { reportId?: unknown } | undefined)?.reportId;
      return typeof reportId === 'string' && reportId !== '' ? { reportId } : undefined;
    },
  });
}

/** `GET /api/reports/:id`. */
export function fetchReport(reportId: string): Promise<ApiResult<ReportStatus>> {
  return apiRequest(`/api/reports/${pathId(reportId)}`, { pick: reportStatusFrom });
}

/** `GET /api/conversations/:id/reports`: the conversation's reports (an operator's own, or all for supervisors). */
export function fetchConversationReports(conversationId: string): Promise<ApiResult<ReportStatus[]>> {
  return apiRequest(`/api/conversations/${pathId(conversationId)}/reports`, { pick: statusListFrom });
}

/**
 * `GET /api/reports`: every report, for supervisors. Not offered by the server yet (it
 * answers 404); the console then lists the reports it learnt of in this session.
 */
export function fetchAllReports(): Promise<ApiResult<ReportStatus[]>> {
  return apiRequest('/api/reports', { pick: statusListFrom });
}

/** `POST /api/reports/:id/retry`: a failed report gets another round of delivery attempts. */
export function retryReport(reportId: string): Promise<ApiResult<ReportStatus>> {
  return apiRequest(`/api/reports/${pathId(reportId)}/retry`, { method: 'POST', pick: reportStatusFrom });
}
