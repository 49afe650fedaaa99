import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** At most this many entries in one answer of `GET /api/audit`. @default 100 */
export const AUDIT_PAGE_MAX = 200;

/**
 * `GET /api/audit?line=&from=&to=&action=&before=&limit=`: the audit stream, newest first, for
 * supervisors (entries of their lines only) and admins (every entry). Days are Europe/Amsterdam,
 * inclusive; `to` defaults to today and `from` to 6 days before `to`. `before` is the `next` of
 * the previous page.
 */
export const auditQuerySchema = z.object({
  line: lineIdSchema.optional(),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z:-]{0,60}$/)
    .optional(),
  before: z
    .string()
    .regex(/^\d{1,15}-\d{1,10}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** One audit entry: who did what to which id, when, on which line. Never content. */
export const auditEntrySchema = z.object({
  /** The stream id, also the cursor. */
  id: z.string(),
  at: z.string(),
  action: z.string(),
  /** The acting account's id, or `system`. */
  actor: z.string(),
  /** The acting account's display name, when it still exists. */
  actorName: z.string().optional(),
  /** The conversation, account, block or canned response acted on ('' for none). */
  target: z.string(),
  report: z.string().optional(),
  /** The line of the conversation acted on (entries about a conversation). */
  line: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /api/audit` → 200; `next` when older entries may match. */
export const auditResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  next: z.string().optional(),
});
export type AuditResponse = z.infer<typeof auditResponseSchema>;
