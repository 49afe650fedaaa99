import { errorReasons, languages } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import nl from './i18n/nl.ts';
import { catalogueFor } from './i18n.ts';
import { messageRefusalOf, messageRefusals } from './session.ts';

describe('refused messages', () => {
  it('are reasons of the shared catalogue, and nothing else is taken for one', () => {
    for (const r of messageRefusals) expect(Object.keys(errorReasons)).toContain(r);
    expect(messageRefusalOf('conversation_full')).toBe('conversation_full');
    for (const other of ['at_capacity', 'blocked', undefined, 7, 'toString']) {
      expect(messageRefusalOf(other)).toBeUndefined();
    }
  });

  it('are explained in every language, each in its own words', () => {
    for (const lang of languages) {
      const t = catalogueFor(lang);
      expect(Object.keys(t.refused).sort()).toEqual([...messageRefusals].sort());
      for (const r of messageRefusals) {
        expect(t.refused[r].length, `${lang} ${r}`).toBeGreaterThan(10);
        if (lang !== 'nl') expect(t.refused[r], `${lang} ${r}`).not.toBe(nl.refused[r]);
      }
    }
  });
});
