import { describe, expect, it } from 'vitest';
import { regionIds, regionName, regions } from './regions.ts';
import {
  consentIssues,
  identifyingAllowed,
  identifyingFields,
  reliesOnAcuteDanger,
  reportSchema,
  reportSubmissionSchema,
  validateReportSubmission,
  withoutEmptyFields,
} from './report.ts';
import { scoreRisk } from './risk.ts';

/** A complete, valid report without identifying details. */
function baseReport() {
  return {
    version: 1 as const,
    region: 'VR09',
    acuteDanger: false,
    consent: { status: 'not-asked', reason: 'reporter-safety' },
    reporter: { role: 'victim' },
    people: {
      victim: { age: 34, gender: 'female', municipality: 'Utrecht' },
      alleged: { relation: 'partner', livesWithVictim: true },
      children: [{ age: 7 }, { age: 4 }],
    },
    violence: { kinds: ['physical', 'coercive-control'], danger: 'structural', pattern: 'weekly' },
    risk: scoreRisk({ strangulation: 'yes', 'very-frightened': 'yes' }),
    contact: { method: 'none' },
    summary: 'She has been threatened for months.',
    excerpts: [
      { messageId: '1712345678901-0', from: 'visitor', text: 'hij slaat me', at: '2024-04-05T19:34:38.901Z' },
    ],
  } as Record<string, unknown>;
}

const withNames = () => {
  const r = baseReport();
  r.reporter = { role: 'victim', name: 'Sara', phone: '+31 6 12345678', email: 'sara@example.nl' };
  r.people = {
    victim: { age: 34, name: 'Sara', address: 'Dorpsstraat 1' },
    alleged: { relation: 'partner', name: 'Kees' },
    children: [{ age: 7, name: 'Noor' }, { age: 4 }],
  };
  return r;
};

const fieldsOf = (value: unknown) => {
  const r = validateReportSubmission(value);
  return r.ok ? [] : r.fields;
};

describe('regions', () => {
  it('lists the 25 safety regions VR01 to VR25 with their names, in order', () => {
    expect(regions).toHaveLength(25);
    expect(regionIds).toEqual(Array.from({ length: 25 }, (_, i) => `VR${String(i + 1).padStart(2, '0')}`));
    expect(regionName('VR09')).toBe('Utrecht');
    expect(regionName('VR02')).toBe('Fryslân');
    expect(regionName('VR13')).toBe('Amsterdam-Amstelland');
    expect(regionName('VR25')).toBe('Flevoland');
    expect(regionName('VR26')).toBeUndefined();
    expect(new Set(regions.map((r) => r.name)).size).toBe(25);
  });
});

describe('the report schema', () => {
  it('accepts a complete report and keeps it as given', () => {
    const r = reportSchema.safeParse(baseReport());
    expect(r.success).toBe(true);
    expect(r.data).toEqual(baseReport());
  });

  it('accepts identifying details when the visitor agreed', () => {
    const r = withNames();
    r.consent = { status: 'agreed' };
    expect(fieldsOf(r)).toEqual([]);
  });

  it('names every failing field, unknown fields by their own path', () => {
    const r = baseReport();
    r.version = 2;
    r.region = 'VR26';
    r.summary = '   ';
    r.reporter = { role: 'neighbour', address: 'x' };
    r.people = { children: [{ age: -1 }] };
    r.violence = { kinds: ['physical', 'physical'], danger: 'acute' };
    r.extra = true;
    expect(fieldsOf(r).sort()).toEqual(
      [
        'version',
        'region',
        'summary',
        'reporter.role',
        'reporter.address',
        'people.children.0.age',
        'violence.kinds',
        'extra',
      ].sort(),
    );
  });

  it('limits the summary to 5000 characters and refuses a missing one', () => {
    const r = baseReport();
    r.summary = 'x'.repeat(5000);
    expect(fieldsOf(r)).toEqual([]);
    r.summary = 'x'.repeat(5001);
    expect(fieldsOf(r)).toEqual(['summary']);
    delete r.summary;
    expect(fieldsOf(r)).toEqual(['summary']);
  });

  it('refuses a risk score the answers did not earn', () => {
    const r = baseReport();
    r.risk = { answers: {}, score: 3, level: 'standard', redFlags: [] };
    expect(fieldsOf(r)).toEqual(['risk.score']);
  });

  it('refuses malformed contact details', () => {
    const r = withNames();
    r.consent = { status: 'agreed' };
    r.reporter = { role: 'victim', phone: 'call me', email: 'not-an-address' };
    expect(fieldsOf(r).sort()).toEqual(['reporter.email', 'reporter.phone']);
  });

  it('takes excerpts by message id alone in a submission, but not in the sealed report', () => {
    const r = baseReport();
    r.excerpts = [{ messageId: '1712345678901-0' }];
    expect(reportSubmissionSchema.safeParse(r).success).toBe(true);
    expect(reportSchema.safeParse(r).success).toBe(false);
    r.excerpts = [{ messageId: '1-0' }, { messageId: '1-0' }];
    expect(fieldsOf(r)).toEqual(['excerpts']);
    r.excerpts = [{ messageId: '1-0', from: 'system' }];
    expect(fieldsOf(r)).toEqual(['excerpts.0.from']);
  });

  it('keeps the sensitive information in its own field', () => {
    const r = baseReport();
    r.sensitive = 'She is in a shelter at an address nobody may know.';
    const parsed = reportSchema.parse(r);
    expect(parsed.sensitive).toBe('She is in a shelter at an address nobody may know.');
    expect(parsed.summary).not.toContain('shelter');
  });
});

describe('consent rules', () => {
  it('lists every identifying detail with its path', () => {
    expect(identifyingFields(withNames())).toEqual([
      ['reporter', 'name'],
      ['reporter', 'phone'],
      ['reporter', 'email'],
      ['people', 'victim', 'name'],
      ['people', 'victim', 'address'],
      ['people', 'alleged', 'name'],
      ['people', 'children', 0, 'name'],
    ]);
    expect(identifyingFields(baseReport())).toEqual([]);
    // Blank values are not details.
    expect(identifyingFields({ reporter: { name: '  ' }, people: { children: [{ name: '' }] } })).toEqual([]);
  });

  it('refuses each identifying detail without consent or acute danger', () => {
    const r = withNames();
    expect(fieldsOf(r).sort()).toEqual(
      [
        'reporter.name',
        'reporter.phone',
        'reporter.email',
        'people.victim.name',
        'people.victim.address',
        'people.alleged.name',
        'people.children.0.name',
      ].sort(),
    );
    r.consent = { status: 'declined', reason: 'child-safety' };
    expect(fieldsOf(r)).toHaveLength(7);
  });

  it('allows identifying details in acute danger, and says the report relies on it', () => {
    const r = withNames();
    r.acuteDanger = true;
    r.consent = { status: 'not-asked', reason: 'acute-danger' };
    expect(fieldsOf(r)).toEqual([]);
    expect(identifyingAllowed(r)).toBe(true);
    expect(reliesOnAcuteDanger(r)).toBe(true);
    r.consent = { status: 'agreed' };
    expect(reliesOnAcuteDanger(r)).toBe(false);
    expect(reliesOnAcuteDanger({ ...baseReport(), acuteDanger: true })).toBe(false);
  });

  it.each(['declined', 'not-asked'])('needs a reason from the Meldcode list when consent is %s', (status) => {
    const r = baseReport();
    r.consent = { status };
    expect(fieldsOf(r)).toEqual(['consent.reason']);
    r.consent = { status, reason: 'because' };
    expect(fieldsOf(r)).toEqual(['consent.reason']);
    for (const reason of ['acute-danger', 'child-safety', 'reporter-safety', 'other']) {
      r.consent = { status, reason };
      expect(fieldsOf(r)).toEqual([]);
    }
  });

  it('needs no reason when the visitor agreed', () => {
    expect(consentIssues({ ...baseReport(), consent: { status: 'agreed' } })).toEqual([]);
  });

  it('also runs on a report with other errors, so one answer names everything', () => {
    const r = withNames();
    r.summary = '';
    expect(fieldsOf(r)).toContain('summary');
    expect(fieldsOf(r)).toContain('reporter.name');
  });

  it('works on any value without throwing', () => {
    for (const v of [null, undefined, 1, 'x', [], { consent: 5 }, { people: { children: 'no' } }]) {
      expect(() => consentIssues(v)).not.toThrow();
    }
  });
});

describe('withoutEmptyFields', () => {
  it('drops blank fields and objects left empty, keeping arrays and the top level', () => {
    const draft = {
      reporter: { role: 'victim', name: '  ', phone: '' },
      people: { victim: { name: '', age: undefined }, children: [{ name: '' }] },
      contact: { method: 'none', notes: null },
      summary: 'ok',
    };
    expect(withoutEmptyFields(draft)).toEqual({
      reporter: { role: 'victim' },
      people: { children: [{}] },
      contact: { method: 'none' },
      summary: 'ok',
    });
  });
});
