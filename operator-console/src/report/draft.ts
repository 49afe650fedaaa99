import type { Conversation, ViolenceKind, VisitorRole } from '@stille-lijn/shared';
import type { RegionId } from '@stille-lijn/shared/domain/regions';
import {
  type allegedRelations,
  type ConsentReason,
  type ConsentStatus,
  type contactMethods,
  type dangerLevels,
  type genders,
  identifyingAllowed,
  identifyingFieldPaths,
  validateReportSubmission,
  withoutEmptyFields,
} from '@stille-lijn/shared/domain/report';
import type { RiskResult } from '@stille-lijn/shared/domain/risk';
import { newClientMessageId } from '../lib/ids.ts';

export type Gender = (typeof genders)[number];
export type AllegedRelation = (typeof allegedRelations)[number];
export type DangerLevel = (typeof dangerLevels)[number];
export type ContactMethod = (typeof contactMethods)[number];

export interface ChildDraft {
  /** Render key only; never sent. */
  key: string;
  age: string;
  name: string;
}

/**
 * The report form as the operator fills it in: every field as typed (ages as text),
 * `''` for "not chosen". It lives in memory only, and is dropped once the report is sent.
 */
export interface ReportDraft {
  /** Sent as `Idempotency-Key`, the same for every attempt at this report. */
  idempotencyKey: string;
  consentStatus: ConsentStatus | '';
  consentReason: ConsentReason | '';
  consentReasonText: string;
  reporterRole: VisitorRole;
  reporterRelation: string;
  reporterName: string;
  reporterPhone: string;
  reporterEmail: string;
  victimAge: string;
  victimGender: Gender | '';
  victimMunicipality: string;
  victimName: string;
  victimAddress: string;
  allegedRelation: AllegedRelation | '';
  allegedLivesWithVictim: 'yes' | 'no' | '';
  allegedName: string;
  children: ChildDraft[];
  kinds: ViolenceKind[];
  danger: DangerLevel | '';
  pattern: string;
  since: string;
  includeRisk: boolean;
  contactMethod: ContactMethod | '';
  safeTimes: string;
  contactNotes: string;
  region: RegionId | '';
  summary: string;
  excerptIds: string[];
  sensitive: string;
}

/** What the report takes from the conversation rather than from the form. */
export interface ReportContext {
  /** Acute danger was marked in the conversation. */
  acute: boolean;
  /** The risk checklist as it stands in the console. */
  risk: RiskResult | undefined;
  /** The ids of the conversation's messages, in order: excerpts are sent in this order. */
  messageOrder: readonly string[];
}

/**
 * A new draft, filled in from the conversation: the visitor's role, the tags, acute
 * danger (and with it the consent reason), whether a risk checklist exists, and the
 * region of the conversation's line (the operator can still choose another).
 */
export function initialDraft(
  conversation: Pick<Conversation, 'role' | 'tags' | 'defaultRegion'>,
  ctx: ReportContext,
): ReportDraft {
  const kinds = conversation.tags as ViolenceKind[];
  return {
    idempotencyKey: newClientMessageId(),
    consentStatus: '',
    consentReason: ctx.acute ? 'acute-danger' : '',
    consentReasonText: '',
    reporterRole: conversation.role,
    reporterRelation: '',
    reporterName: '',
    reporterPhone: '',
    reporterEmail: '',
    victimAge: '',
    victimGender: '',
    victimMunicipality: '',
    victimName: '',
    victimAddress: '',
    allegedRelation: '',
    allegedLivesWithVictim: '',
    allegedName: '',
    children: [],
    kinds: [...kinds],
    danger: ctx.acute ? 'acute' : '',
    pattern: '',
    since: '',
    includeRisk: ctx.risk !== undefined && Object.keys(ctx.risk.answers).length > 0,
    contactMethod: '',
    safeTimes: '',
    contactNotes: '',
    region: conversation.defaultRegion ?? '',
    summary: '',
    excerptIds: [],
    sensitive: '',
  };
}

/** Whether the form may hold names and contact details: the visitor agreed, or acute danger. */
export function mayIdentify(
  draft: Pick<ReportDraft, 'consentStatus'>,
  ctx: Pick<ReportContext, 'acute'>,
): boolean {
  return identifyingAllowed({ consent: { status: draft.consentStatus }, acuteDanger: ctx.acute });
}

/** Whether the draft holds identifying details that would not be sent (no consent, no acute danger). */
export function hasWithheldIdentifying(draft: ReportDraft, ctx: Pick<ReportContext, 'acute'>): boolean {
  if (mayIdentify(draft, ctx)) return false;
  const filled = (s: string) => s.trim() !== '';
  return (
    [
      draft.reporterName,
      draft.reporterPhone,
      draft.reporterEmail,
      draft.victimName,
      draft.victimAddress,
      draft.allegedName,
    ].some(filled) || draft.children.some((c) => filled(c.name))
  );
}

/** An age as typed: a whole number when it is one, else the text itself so the schema names the field. */
function ageValue(value: string): number | string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^\d{1,3}$/.test(v) ? Number(v) : v;
}

/**
 * The body of `POST /api/conversations/:id/reports`. Identifying details are sent only
 * when the visitor agreed or in acute danger; excerpts go by message id, in conversation
 * order (the server quotes them from the stored conversation). Empty fields are left out.
 */
export function toSubmission(draft: ReportDraft, ctx: ReportContext): unknown {
  const identify = mayIdentify(draft, ctx);
  const agreed = draft.consentStatus === 'agreed';
  const chosen = new Set(draft.excerptIds);
  const children = draft.children.filter((c) => c.age.trim() !== '' || (identify && c.name.trim() !== ''));
  return withoutEmptyFields({
    version: 1,
    region: draft.region,
    acuteDanger: ctx.acute,
    consent: {
      status: draft.consentStatus,
      ...(agreed ? {} : { reason: draft.consentReason, reasonText: draft.consentReasonText }),
    },
    reporter: {
      role: draft.reporterRole,
      relation: draft.reporterRelation,
      ...(identify
        ? { name: draft.reporterName, phone: draft.reporterPhone, email: draft.reporterEmail }
        : {}),
    },
    people: {
      victim: {
        age: ageValue(draft.victimAge),
        gender: draft.victimGender,
        municipality: draft.victimMunicipality,
        ...(identify ? { name: draft.victimName, address: draft.victimAddress } : {}),
      },
      alleged: {
        relation: draft.allegedRelation,
        livesWithVictim:
          draft.allegedLivesWithVictim === '' ? undefined : draft.allegedLivesWithVictim === 'yes',
        ...(identify ? { name: draft.allegedName } : {}),
      },
      children: children.map((c) => ({ age: ageValue(c.age), ...(identify ? { name: c.name } : {}) })),
    },
    violence: { kinds: draft.kinds, danger: draft.danger, pattern: draft.pattern, since: draft.since },
    risk: draft.includeRisk ? ctx.risk : undefined,
    contact: { method: draft.contactMethod, safeTimes: draft.safeTimes, notes: draft.contactNotes },
    summary: draft.summary,
    excerpts: ctx.messageOrder.filter((id) => chosen.has(id)).map((messageId) => ({ messageId })),
    sensitive: draft.sensitive,
  });
}

/**
 * A failing field path as the form shows it: a missing object is named by the field
 * one chooses it with, and anything under `excerpts` or `risk` by that section.
 * @example formField('consent') // 'consent.status'
 */
export function formField(path: string): string {
  if (path === 'consent') return 'consent.status';
  if (path === 'reporter') return 'reporter.role';
  if (path === 'violence') return 'violence.danger';
  if (path === 'contact') return 'contact.method';
  if (path === 'people') return 'people.children';
  if (path === 'excerpts' || path.startsWith('excerpts.')) return 'excerpts';
  if (path === 'risk' || path.startsWith('risk.')) return 'risk';
  return path;
}

/** The catalogue key of a form field: child indexes become `*`. */
export const errorKey = (field: string) => field.replace(/\.\d+(?=\.|$)/g, '.*');

/** Whether a field path is one of the identifying ones (names, address, phone, e-mail). */
export function isIdentifyingField(field: string): boolean {
  return (identifyingFieldPaths as readonly string[]).includes(errorKey(field));
}

/** The fields in the order the form shows them, so errors are listed top to bottom. */
const formOrder = [
  'acuteDanger',
  'consent.status',
  'consent.reason',
  'consent.reasonText',
  'reporter.role',
  'reporter.relation',
  'reporter.name',
  'reporter.phone',
  'reporter.email',
  'people.victim.age',
  'people.victim.gender',
  'people.victim.municipality',
  'people.victim.name',
  'people.victim.address',
  'people.alleged.relation',
  'people.alleged.livesWithVictim',
  'people.alleged.name',
  'people.children',
  'people.children.*.age',
  'people.children.*.name',
  'violence.kinds',
  'violence.danger',
  'violence.pattern',
  'violence.since',
  'risk',
  'contact.method',
  'contact.safeTimes',
  'contact.notes',
  'region',
  'summary',
  'excerpts',
  'sensitive',
];

/** Form fields in the order they appear on screen; children by index; anything unknown last. */
export function inFormOrder(fields: readonly string[]): string[] {
  const rank = (f: string) => {
    const i = formOrder.indexOf(errorKey(f));
    return i === -1 ? formOrder.length : i;
  };
  const child = (f: string) => Number(/\.(\d+)\./.exec(f)?.[1] ?? 0);
  return [...fields].sort((a, b) => rank(a) - rank(b) || child(a) - child(b));
}

/**
 * The form fields that are wrong, in form order: the shared schema and consent rules,
 * plus a region this helpline cannot deliver to.
 */
export function draftErrors(
  draft: ReportDraft,
  ctx: ReportContext,
  configuredRegions: readonly string[] | undefined,
): string[] {
  const result = validateReportSubmission(toSubmission(draft, ctx));
  const fields = result.ok ? [] : result.fields.map(formField);
  if (draft.region !== '' && configuredRegions !== undefined && !configuredRegions.includes(draft.region)) {
    fields.push('region');
  }
  return inFormOrder([...new Set(fields)]);
}
