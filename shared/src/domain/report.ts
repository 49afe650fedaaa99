import { z } from 'zod';
import { idSchema, isoDateSchema, violenceKindSchema, visitorRoleSchema } from '../protocol/common.ts';
import { type RegionId, regionIdSchema } from './regions.ts';
import { riskResultSchema } from './risk.ts';

/**
 * The Veilig Thuis report, version 1 (PROTOCOL.md, "The Veilig Thuis report"). Veilig
 * Thuis systems parse it, so the shape follows the protocol exactly; every object is
 * strict, so an unknown field is refused rather than silently dropped (an identifying
 * detail must never slip past the consent rules under another name).
 */

/** Free text: trimmed, 1 to `max` characters. An empty field is left out, not sent as ''. */
const text = (max: number) => z.string().trim().min(1).max(max);

/** An age in years. */
const ageSchema = z.number().int().min(0).max(120);

export const consentStatuses = ['agreed', 'declined', 'not-asked'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/**
 * Why the visitor was not informed or did not agree, from the Meldcode's list: acute
 * danger, the safety of a child, the safety of the reporter; or another reason.
 */
export const consentReasons = ['acute-danger', 'child-safety', 'reporter-safety', 'other'] as const;
export type ConsentReason = (typeof consentReasons)[number];

export const reportConsentSchema = z.strictObject({
  status: z.enum(consentStatuses),
  /** Required unless `status` is `agreed`. */
  reason: z.enum(consentReasons).optional(),
  reasonText: text(2000).optional(),
});

export const reportReporterSchema = z.strictObject({
  role: visitorRoleSchema,
  /** The reporter's relation to the victim, in words. @example 'zus' */
  relation: text(200).optional(),
  /** Identifying. */
  name: text(200).optional(),
  /** Identifying. @example '+31 6 12345678' */
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{5,30}$/, 'not a phone number')
    .optional(),
  /** Identifying. */
  email: z.email().max(254).optional(),
});

export const genders = ['female', 'male', 'other', 'unknown'] as const;
export const allegedRelations = [
  'partner',
  'ex-partner',
  'parent',
  'child',
  'family',
  'other',
  'unknown',
] as const;

export const reportPeopleSchema = z.strictObject({
  victim: z
    .strictObject({
      age: ageSchema.optional(),
      gender: z.enum(genders).optional(),
      municipality: text(100).optional(),
      /** Identifying. */
      name: text(200).optional(),
      /** Identifying. */
      address: text(300).optional(),
    })
    .optional(),
  alleged: z
    .strictObject({
      relation: z.enum(allegedRelations).optional(),
      livesWithVictim: z.boolean().optional(),
      /** Identifying. */
      name: text(200).optional(),
    })
    .optional(),
  /** May be empty. A child's name is identifying. */
  children: z.array(z.strictObject({ age: ageSchema.optional(), name: text(200).optional() })).max(20),
});

export const dangerLevels = ['acute', 'structural', 'unclear'] as const;

export const reportViolenceSchema = z.strictObject({
  kinds: z
    .array(violenceKindSchema)
    .max(violenceKindSchema.options.length)
    .refine((k) => new Set(k).size === k.length, 'duplicate kind'),
  danger: z.enum(dangerLevels),
  /** Pattern and duration, in words. */
  pattern: text(2000).optional(),
  /** Since when, in words or as a date. @example 'sinds 2021' */
  since: text(200).optional(),
});

export const contactMethods = ['phone', 'email', 'none'] as const;

export const reportContactSchema = z.strictObject({
  method: z.enum(contactMethods),
  /** When it is safe to make contact. @example 'werkdagen 9-12, niet in het weekend' */
  safeTimes: text(500).optional(),
  notes: text(2000).optional(),
});

/** @default 5000 */
export const MAX_SUMMARY_LENGTH = 5000;
/** @default 100 */
export const MAX_EXCERPTS = 100;

/** A transcript excerpt as sealed: the stored message, verbatim (never trimmed or edited). */
export const reportExcerptSchema = z.strictObject({
  messageId: idSchema,
  from: z.enum(['visitor', 'operator']),
  text: z.string().min(1).max(2000),
  at: isoDateSchema,
});
export type ReportExcerpt = z.infer<typeof reportExcerptSchema>;

/**
 * An excerpt as the console submits it: the message id, and optionally the other
 * fields. The server fills them from the stored conversation; any that are given must
 * match it exactly (an operator cannot put words in a visitor's mouth).
 */
export const reportExcerptRefSchema = z.strictObject({
  messageId: idSchema,
  from: z.enum(['visitor', 'operator']).optional(),
  text: z.string().min(1).max(2000).optional(),
  at: isoDateSchema.optional(),
});

const uniqueMessageIds = (excerpts: { messageId: string }[]) =>
  new Set(excerpts.map((e) => e.messageId)).size === excerpts.length;

const reportShape = {
  version: z.literal(1),
  region: regionIdSchema,
  acuteDanger: z.boolean(),
  consent: reportConsentSchema,
  reporter: reportReporterSchema,
  people: reportPeopleSchema,
  violence: reportViolenceSchema,
  risk: riskResultSchema.optional(),
  contact: reportContactSchema,
  /** 1 to 5000 characters. */
  summary: text(MAX_SUMMARY_LENGTH),
  excerpts: z.array(reportExcerptSchema).max(MAX_EXCERPTS).refine(uniqueMessageIds, 'duplicate messageId'),
  /** Sensitive information, kept apart from the rest of the report. */
  sensitive: text(5000).optional(),
};

// `when: () => true`: the consent rules run even when another field is wrong, so one
// 400 names every failing field.
const always = { when: () => true };

/**
 * The report as sealed and delivered (PROTOCOL.md), consent rules included.
 * @example reportSchema.parse(body) // throws on a bad field or a consent violation
 */
export const reportSchema = z.strictObject(reportShape).superRefine((value, ctx) => {
  for (const issue of consentIssues(value)) ctx.addIssue({ code: 'custom', ...issue });
}, always);
export type VeiligThuisReport = z.infer<typeof reportSchema>;

/**
 * The body of `POST /api/conversations/:id/reports`: the report, except that excerpts
 * may be given by `messageId` alone (see `reportExcerptRefSchema`).
 */
export const reportSubmissionSchema = z
  .strictObject({
    ...reportShape,
    excerpts: z
      .array(reportExcerptRefSchema)
      .max(MAX_EXCERPTS)
      .refine(uniqueMessageIds, 'duplicate messageId'),
  })
  .superRefine((value, ctx) => {
    for (const issue of consentIssues(value)) ctx.addIssue({ code: 'custom', ...issue });
  }, always);
export type ReportSubmission = z.input<typeof reportSubmissionSchema>;
export type ParsedReportSubmission = z.infer<typeof reportSubmissionSchema>;

// ---------------------------------------------------------------------------------
// Consent rules (pure). They accept any value, so the console can run them on a draft.

/** The identifying fields, as field paths (`*` is any child index). */
export const identifyingFieldPaths = [
  'reporter.name',
  'reporter.phone',
  'reporter.email',
  'people.victim.name',
  'people.victim.address',
  'people.alleged.name',
  'people.children.*.name',
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
const at = (v: unknown, key: string): unknown => (isRecord(v) ? v[key] : undefined);

/**
 * The identifying details a report (or draft) holds, as paths.
 * @example identifyingFields({ reporter: { role: 'victim', name: 'Sara' }, people: { children: [] } }) // [['reporter', 'name']]
 */
export function identifyingFields(report: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const path of identifyingFieldPaths) {
    const parts = path.split('.');
    const star = parts.indexOf('*');
    if (star === -1) {
      if (present(parts.reduce<unknown>(at, report))) out.push(parts);
      continue;
    }
    const list = parts.slice(0, star).reduce<unknown>(at, report);
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (present(parts.slice(star + 1).reduce<unknown>(at, item)))
        out.push([...parts.slice(0, star), i, ...parts.slice(star + 1)]);
    });
  }
  return out;
}

/**
 * Whether identifying details may be included: only when the visitor agreed, or in
 * acute danger.
 */
export function identifyingAllowed(report: unknown): boolean {
  return at(at(report, 'consent'), 'status') === 'agreed' || at(report, 'acuteDanger') === true;
}

/** Whether the report carries identifying details on the strength of acute danger alone. */
export function reliesOnAcuteDanger(report: unknown): boolean {
  return (
    at(at(report, 'consent'), 'status') !== 'agreed' &&
    at(report, 'acuteDanger') === true &&
    identifyingFields(report).length > 0
  );
}

export interface ConsentIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The consent rules:
 * - identifying details of the reporter and the people involved only when
 *   `consent.status` is `agreed` or `acuteDanger` is true;
 * - any other `consent.status` (the visitor declined, or was not informed) needs a
 *   `consent.reason` from the Meldcode's list.
 * @returns one issue per offending field; empty when the rules hold.
 */
export function consentIssues(report: unknown): ConsentIssue[] {
  const issues: ConsentIssue[] = [];
  const consent = at(report, 'consent');
  const status = at(consent, 'status');
  if (typeof status === 'string' && status !== 'agreed' && !present(at(consent, 'reason'))) {
    issues.push({
      path: ['consent', 'reason'],
      message: 'a reason is required when the visitor did not agree or was not informed',
    });
  }
  if (!identifyingAllowed(report)) {
    for (const path of identifyingFields(report)) {
      issues.push({ path, message: 'identifying details need the visitor’s consent or acute danger' });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------
// Validation results as the console and the server show them.

/**
 * The failing field paths of a zod error, one per field, e.g. `people.children.0.name`;
 * an unknown field is named by its own path.
 */
export function issueFields(error: z.ZodError): string[] {
  const fields: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.push([...issue.path, key].join('.'));
    } else {
      fields.push(issue.path.join('.'));
    }
  }
  return [...new Set(fields)];
}

/**
 * Validates a submission as the server will (apart from the checks that need the
 * stored conversation: excerpts, the acute-danger record and the configured regions).
 * @example const r = validateReportSubmission(draft); if (!r.ok) highlight(r.fields);
 */
export function validateReportSubmission(
  value: unknown,
): { ok: true; report: ParsedReportSubmission } | { ok: false; fields: string[] } {
  const r = reportSubmissionSchema.safeParse(value);
  return r.success ? { ok: true, report: r.data } : { ok: false, fields: issueFields(r.error) };
}

/**
 * Drops empty strings (after trimming), `undefined` and `null` from a form draft, and
 * objects left empty by that, except at the top level and in arrays; the schema refuses
 * '' for free text, so a console sends its draft through this first.
 */
export function withoutEmptyFields<T>(draft: T): T {
  const clean = (v: unknown, keepEmpty: boolean): unknown => {
    if (Array.isArray(v)) return v.map((item) => clean(item, true)).filter((item) => item !== undefined);
    if (!isRecord(v)) return present(v) ? v : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      const c = clean(child, false);
      if (c !== undefined) out[k] = c;
    }
    return keepEmpty || Object.keys(out).length > 0 ? out : undefined;
  };
  return clean(draft, true) as T;
}

// ---------------------------------------------------------------------------------
// Around the report: what is sealed, what is delivered, what the console sees.

/** The plaintext inside the sealed box (PROTOCOL.md). */
export interface SealedReportContent {
  reportId: string;
  conversationId: string;
  createdAt: string;
  helpline: { operatorId: string; operatorName: string };
  report: VeiligThuisReport;
}

/** The sealed content, as a receiver validates it once opened. */
export const sealedReportContentSchema = z.strictObject({
  reportId: idSchema,
  conversationId: idSchema,
  createdAt: isoDateSchema,
  helpline: z.strictObject({ operatorId: z.string().min(1), operatorName: z.string() }),
  report: reportSchema,
});

/** What the delivery worker POSTs to a region's endpoint, with `Idempotency-Key: <reportId>`. */
export const reportDeliverySchema = z.strictObject({
  reportId: idSchema,
  region: regionIdSchema,
  /** The sealed box (`crypto_box_seal`), base64. */
  sealed: z.base64().min(1),
});
export type ReportDelivery = z.infer<typeof reportDeliverySchema>;

export const reportStatuses = ['queued', 'delivered', 'failed'] as const;
export type ReportStatusValue = (typeof reportStatuses)[number];

/**
 * A report's delivery status, never its content: `GET /api/reports/:id`, the listing,
 * and the live `report:status` event.
 */
export interface ReportStatus {
  reportId: string;
  conversationId: string;
  region: RegionId;
  status: ReportStatusValue;
  /** Delivery attempts made so far. */
  attempts: number;
  /** Why the last attempt failed, e.g. `HTTP 503`, `timeout`; never content. */
  lastError?: string;
  /** Extension: when the report was submitted. */
  createdAt: string;
  /** Extension: when the region acknowledged it. */
  deliveredAt?: string;
}

/** `201` answer of `POST /api/conversations/:id/reports`. */
export interface ReportCreated {
  reportId: string;
  status: 'queued';
}
