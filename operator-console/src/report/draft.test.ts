import { validateReportSubmission } from '@stille-lijn/shared/domain/report';
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import { describe, expect, it } from 'vitest';
import {
  draftErrors,
  errorKey,
  formField,
  hasWithheldIdentifying,
  inFormOrder,
  initialDraft,
  isIdentifyingField,
  type ReportContext,
  type ReportDraft,
  toSubmission,
} from './draft.ts';

const ctx: ReportContext = {
  acute: false,
  risk: scoreRisk({ strangulation: 'yes' }),
  messageOrder: ['m1', 'm2', 'm3'],
};
const conversation = { role: 'victim' as const, tags: ['physical', 'stalking'] };

function complete(over: Partial<ReportDraft> = {}, c: ReportContext = ctx): ReportDraft {
  return {
    ...initialDraft(conversation, c),
    consentStatus: 'agreed',
    danger: 'structural',
    contactMethod: 'none',
    region: 'VR09',
    summary: 'Partner dreigt; slachtoffer wil hulp.',
    ...over,
  };
}

describe('a report draft', () => {
  it('is prefilled from the conversation', () => {
    const d = initialDraft(conversation, ctx);
    expect(d).toMatchObject({ reporterRole: 'victim', kinds: ['physical', 'stalking'], includeRisk: true });
    expect(d.consentStatus).toBe('');
    const acute = initialDraft(conversation, { ...ctx, acute: true, risk: undefined });
    expect(acute).toMatchObject({ danger: 'acute', consentReason: 'acute-danger', includeRisk: false });
    expect(initialDraft(conversation, ctx).idempotencyKey).not.toBe(d.idempotencyKey);
  });

  it("takes the region of the conversation's line as its default, and none without one", () => {
    expect(initialDraft(conversation, ctx).region).toBe('');
    expect(initialDraft({ ...conversation, defaultRegion: 'VR09' }, ctx).region).toBe('VR09');
  });

  it('becomes a body the shared schema accepts, excerpts in conversation order by id', () => {
    const body = toSubmission(
      complete({ excerptIds: ['m3', 'm1'], victimAge: '34', children: [{ key: 'a', age: '7', name: '' }] }),
      ctx,
    );
    const r = validateReportSubmission(body);
    expect(r.ok).toBe(true);
    expect(body).toMatchObject({
      version: 1,
      acuteDanger: false,
      consent: { status: 'agreed' },
      people: { victim: { age: 34 }, children: [{ age: 7 }] },
      excerpts: [{ messageId: 'm1' }, { messageId: 'm3' }],
      risk: { level: 'high', redFlags: ['strangulation'] },
    });
    expect(JSON.stringify(body)).not.toContain('""');
  });

  it('names what is missing: consent, region, danger, contact, summary', () => {
    const d = initialDraft(conversation, ctx);
    // In the order the form shows them.
    expect(draftErrors(d, ctx, undefined)).toEqual([
      'consent.status',
      'violence.danger',
      'contact.method',
      'region',
      'summary',
    ]);
  });

  it('needs a reason when the visitor did not agree', () => {
    expect(draftErrors(complete({ consentStatus: 'declined' }), ctx, undefined)).toEqual(['consent.reason']);
    expect(
      draftErrors(complete({ consentStatus: 'declined', consentReason: 'child-safety' }), ctx, undefined),
    ).toEqual([]);
  });

  it('sends identifying details only with consent or in acute danger', () => {
    const named = {
      reporterName: 'Sara',
      victimAddress: 'Dorpsstraat 1',
      children: [{ key: 'a', age: '', name: 'Tim' }],
    };
    const declined = complete({ ...named, consentStatus: 'declined', consentReason: 'reporter-safety' });
    expect(JSON.stringify(toSubmission(declined, ctx))).not.toMatch(/Sara|Dorpsstraat|Tim/);
    expect(hasWithheldIdentifying(declined, ctx)).toBe(true);
    expect(draftErrors(declined, ctx, undefined)).toEqual([]);

    const acute = { ...ctx, acute: true };
    const body = toSubmission({ ...declined, consentReason: 'acute-danger' }, acute) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      acuteDanger: true,
      reporter: { name: 'Sara' },
      people: { children: [{ name: 'Tim' }] },
    });
    expect(validateReportSubmission(body).ok).toBe(true);
    expect(hasWithheldIdentifying(declined, acute)).toBe(false);
  });

  it('refuses an age that is not a number, by its field', () => {
    expect(
      draftErrors(complete({ children: [{ key: 'a', age: 'zeven', name: '' }] }), ctx, undefined),
    ).toEqual(['people.children.0.age']);
    expect(draftErrors(complete({ victimAge: '200' }), ctx, undefined)).toEqual(['people.victim.age']);
  });

  it('refuses a region this helpline cannot deliver to', () => {
    expect(draftErrors(complete({ region: 'VR01' }), ctx, ['VR09'])).toEqual(['region']);
    expect(draftErrors(complete({ region: 'VR09' }), ctx, ['VR09'])).toEqual([]);
  });

  it('maps server field paths to the form', () => {
    expect(formField('excerpts.2.messageId')).toBe('excerpts');
    expect(formField('risk.level')).toBe('risk');
    expect(formField('consent')).toBe('consent.status');
    expect(errorKey('people.children.12.name')).toBe('people.children.*.name');
    expect(
      inFormOrder(['summary', 'people.children.10.age', 'people.children.2.age', 'other', 'consent.reason']),
    ).toEqual(['consent.reason', 'people.children.2.age', 'people.children.10.age', 'summary', 'other']);
    expect(isIdentifyingField('people.children.0.name')).toBe(true);
    expect(isIdentifyingField('people.children.0.age')).toBe(false);
  });
});
