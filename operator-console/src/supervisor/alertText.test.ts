import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { nl } from '../i18n/nl.ts';
import { alertText } from './alertText.ts';

describe('alertText', () => {
  it('names the locked account of a totp-locked alert, in both languages, and is no report failure', () => {
    const alert = {
      kind: 'totp-locked',
      operatorId: 'o1',
      operatorName: 'Anna',
      at: '2026-12-05T03:00:00Z',
    } as const;
    for (const t of [nl, en]) {
      const text = alertText(t, alert);
      expect(text).toContain('Anna');
      expect(text).not.toBe(t.announce.alertReportFailed);
    }
    const { operatorName: _, ...unnamed } = alert;
    expect(alertText(nl, unnamed)).toContain(nl.announce.someone);
  });
});
