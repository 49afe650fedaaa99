import { readdirSync } from 'node:fs';
import { languages } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import nl from './i18n/nl.ts';
import { catalogueFor } from './i18n.ts';

describe('the catalogue', () => {
  it('has one file per protocol language, and nothing else', () => {
    const files = readdirSync(new URL('./i18n/', import.meta.url)).map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual([...languages].sort());
  });

  it('gives every language every string, in its own words (only the helpline name is shared)', () => {
    for (const lang of languages) {
      const t = catalogueFor(lang);
      expect(Object.keys(t).sort()).toEqual(Object.keys(nl).sort());
      if (lang === 'nl') continue;
      for (const key of ['heading', 'urgentText', 'exitNotice', 'offline', 'returnCodeAdvice'] as const) {
        expect(t[key]).not.toBe(nl[key]);
      }
    }
    expect(catalogueFor('ar').dir).toBe('rtl');
  });

  it('says the wait in words', () => {
    expect(nl.wait(null)).toBe('We weten nog niet hoe lang het duurt.');
    expect(nl.wait(30)).toBe('Verwachte wachttijd: minder dan een minuut.');
    expect(nl.wait(180)).toBe('Verwachte wachttijd: ongeveer 3 minuten.');
    expect(catalogueFor('en').wait(60)).toBe('Expected wait: about 1 minute.');
    expect(catalogueFor('pl').wait(180)).toBe('Przewidywany czas oczekiwania: około 3 minuty.');
    expect(catalogueFor('pl').wait(300)).toBe('Przewidywany czas oczekiwania: około 5 minut.');
  });
});
