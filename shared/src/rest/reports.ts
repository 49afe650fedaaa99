import { z } from 'zod';
import { regionIdSchema } from '../domain/regions.ts';
import { type ReportStatus, reportStatuses } from '../domain/report.ts';
import { schemaOf } from './schema.ts';

/** A report's delivery status (`ReportStatus`); never the report's content. */
export const reportStatusSchema = schemaOf<ReportStatus>()(
  z.object({
    reportId: z.string().min(1),
    conversationId: z.string().min(1),
    region: regionIdSchema,
    status: z.enum(reportStatuses),
    attempts: z.number().int().min(0),
    lastError: z.string().optional(),
    createdAt: z.string(),
    deliveredAt: z.string().optional(),
  }),
);

/** `GET /api/conversations/:id/reports` and `GET /api/reports` → 200. */
export const reportListResponseSchema = z.object({ reports: z.array(reportStatusSchema) });

/** `GET /api/regions` → 200: where reports can go (those configured), by id. */
export const regionsResponseSchema = z.object({
  regions: z.array(z.object({ id: regionIdSchema, name: z.string() })),
});
export type ConfiguredRegion = z.output<typeof regionsResponseSchema>['regions'][number];

/** `POST /api/conversations/:id/reports` → 201. */
export const reportCreatedResponseSchema = z.object({
  reportId: z.string().min(1),
  status: z.literal('queued'),
});

/** `GET /api/reports?status=&limit=` (supervisors and admins). */
export const recentReportsQuerySchema = z.object({
  status: z.enum(reportStatuses).optional(),
  /** @default 100 */
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The optional `Idempotency-Key` header of a submission. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
  .optional();
