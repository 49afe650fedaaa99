import { readdirSync } from 'node:fs';
import { languages } from '@stille-lijn/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import nl from './i18n/nl.ts';
import { catalogueFor, hasCatalogue, languageName, loadCatalogue } from './i18n.ts';
import { waitWords } from './wait.ts';

describe('the catalogue', () => {
  it('has Dutch at once and every other language once fetched, each named in its own words', async () => {
    expect(hasCatalogue('nl')).toBe(true);
    expect(hasCatalogue('tr')).toBe(false);
    expect(catalogueFor('tr')).toBe(nl);
    const tr = await loadCatalogue('tr');
    expect(hasCatalogue('tr')).toBe(true);
    expect(catalogueFor('tr')).toBe(tr);
    expect(tr.heading).not.toBe(nl.heading);
    for (const lang of languages) expect(languageName(lang)).toBe((await loadCatalogue(lang)).languageName);
    expect(new Set(languages.map(languageName)).size).toBe(languages.length);
  });
});

describe('the catalogues, fetched', () => {
  beforeAll(async () => {
    for (const lang of languages) await loadCatalogue(lang);
  });

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

  it('says the wait in words, as a range that never promises less than its upper end', () => {
    const nlWait = (staffed: boolean, low: number | null, high: number | null) =>
      nl.wait(waitWords({ staffed, low, high }));
    expect(nlWait(false, null, null)).toBe(
      'Er is nu niemand beschikbaar om te antwoorden. Je blijft in de rij: zodra er iemand is, krijg je antwoord.',
    );
    expect(nlWait(true, null, null)).toBe('We weten nog niet hoe lang het duurt.');
    expect(nlWait(true, 0, 30)).toBe('Verwachte wachttijd: minder dan een minuut.');
    expect(nlWait(true, 90, 225)).toBe('Verwachte wachttijd: ongeveer 1–4 minuten.');
    expect(nlWait(true, 20, 100)).toBe('Verwachte wachttijd: hooguit ongeveer 2 minuten.');
    expect(nlWait(true, 3000, 7200)).toBe('Verwachte wachttijd: meer dan een uur.');
    const range = { kind: 'range', min: 2, max: 4 } as const;
    expect(catalogueFor('en').wait(range)).toBe('Expected wait: about 2–4 minutes.');
    expect(catalogueFor('en').wait({ kind: 'about', minutes: 1 })).toBe('Expected wait: about 1 minute.');
    expect(catalogueFor('pl').wait(range)).toBe('Przewidywany czas oczekiwania: około 2–4 minut.');
    expect(catalogueFor('pl').wait({ kind: 'about', minutes: 3 })).toBe(
      'Przewidywany czas oczekiwania: około 3 minut.',
    );
    expect(catalogueFor('tr').wait(range)).toBe('Tahmini bekleme süresi: yaklaşık 2–4 dakika.');
    expect(catalogueFor('ar').wait(range)).toBe('مدة الانتظار المتوقعة: بين 2 و4 دقائق تقريباً.');
  });

  it('has the safety texts of the waiting and refusal screens in every language, each in its own words', () => {
    const safety = [
      'alternativesNowTitle',
      'alternativesNowText',
      'languageFallbackSoon',
      'languageFallbackNow',
      'openLimitText',
      'blockedText',
      'closedTitle',
      'closedText',
      'openingHours',
      'closedDay',
    ] as const;
    for (const lang of languages) {
      const t = catalogueFor(lang);
      expect(t.veiligThuis).toContain('0800-2000');
      expect(t.danger112).toContain('112');
      expect(t.blockedText).toContain('112');
      expect(t.returnThrottled(42)).toContain('42');
      for (const reason of ['waiting-messages', 'too-fast', 'conversation-full'] as const) {
        expect(t.refused[reason].length).toBeGreaterThan(20);
      }
      expect(t.wait({ kind: 'unstaffed' })).not.toMatch(/\d/);
      expect(t.hoursZone('Europe/Amsterdam')).toMatch(/Amsterdam|أمستردام/);
      expect(t.hoursZone('Europe/Brussels')).toContain('Europe/Brussels');
      if (lang === 'nl') continue;
      for (const key of safety) expect(t[key], `${lang}.${key}`).not.toBe(nl[key]);
      expect(t.refused['conversation-full']).not.toBe(nl.refused['conversation-full']);
      expect(t.wait({ kind: 'unstaffed' })).not.toBe(nl.wait({ kind: 'unstaffed' }));
    }
  });
});
