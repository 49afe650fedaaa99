import { describe, expect, it } from 'vitest';
import { defaultCannedResponses as cannedResponses, cannedText, SAFETY_CHECK_ID } from './catalogue.ts';
import { findSlashQuery, normalise, replaceSlashQuery, searchCanned } from './search.ts';

describe('the canned catalogue', () => {
  it('has every response in all five visitor languages, with unique ids per language', () => {
    const ids = (lang: string) =>
      cannedResponses
        .filter((c) => c.language === lang)
        .map((c) => c.id)
        .sort();
    for (const lang of ['en', 'ar', 'tr', 'pl']) expect(ids(lang)).toEqual(ids('nl'));
    expect(new Set(ids('nl')).size).toBe(ids('nl').length);
  });

  it('holds the opening safety check', () => {
    expect(cannedText(cannedResponses, SAFETY_CHECK_ID, 'nl')).toBe(
      'Is het nu veilig om te chatten? Kan iemand meelezen? Hoeveel tijd heb je?',
    );
    expect(cannedText(cannedResponses, SAFETY_CHECK_ID, 'en')).toMatch(/safe to chat/);
    expect(cannedText(cannedResponses, SAFETY_CHECK_ID, 'tr')).toMatch(/güvenli/);
    // A language a supervisor removed falls back to Dutch.
    const withoutTurkish = cannedResponses.filter((c) => c.language !== 'tr');
    expect(cannedText(withoutTurkish, SAFETY_CHECK_ID, 'tr')).toBe(
      cannedText(cannedResponses, SAFETY_CHECK_ID, 'nl'),
    );
  });
});

describe('searchCanned', () => {
  it('finds by words in any order, ignoring case and accents', () => {
    const hits = searchCanned(cannedResponses, 'MEELEZEN veilig', 'nl');
    expect(hits[0]?.id).toBe(SAFETY_CHECK_ID);
    expect(normalise('  Één  Café ')).toBe('een cafe');
  });

  it("puts the visitor's language first", () => {
    const nlFirst = searchCanned(cannedResponses, '112', 'nl');
    const enFirst = searchCanned(cannedResponses, '112', 'en');
    expect(nlFirst[0]?.language).toBe('nl');
    expect(enFirst[0]?.language).toBe('en');
  });

  it('offers the safety check first when nothing has been typed yet, whatever the list order', () => {
    const sorted = [...cannedResponses].sort((a, b) => a.id.localeCompare(b.id));
    expect(searchCanned(sorted, '', 'nl')[0]?.id).toBe(SAFETY_CHECK_ID);
    expect(searchCanned(sorted, '', 'en')[0]).toMatchObject({ id: SAFETY_CHECK_ID, language: 'en' });
  });

  it('returns nothing for a query that matches nothing, and at most the limit', () => {
    expect(searchCanned(cannedResponses, 'xyzzy', 'nl')).toEqual([]);
    expect(searchCanned(cannedResponses, '', 'nl', 5)).toHaveLength(5);
  });
});

describe('slash queries in the composer', () => {
  it('finds a slash at the start or after whitespace, up to the caret', () => {
    expect(findSlashQuery('/veil', 5)).toEqual({ start: 0, query: 'veil' });
    expect(findSlashQuery('Hoi /kan iem', 12)).toEqual({ start: 4, query: 'kan iem' });
    expect(findSlashQuery('regel\n/', 7)).toEqual({ start: 6, query: '' });
  });

  it('ignores slashes inside words and text after the caret', () => {
    expect(findSlashQuery('en/of', 5)).toBeUndefined();
    expect(findSlashQuery('https://x.nl', 12)).toBeUndefined();
    expect(findSlashQuery('/veil', 0)).toBeUndefined();
  });

  it('replaces the slash query with the chosen text and puts the caret after it', () => {
    expect(replaceSlashQuery('Hoi /vei rest', 4, 8, 'Is het veilig?')).toEqual({
      value: 'Hoi Is het veilig? rest',
      caret: 18,
    });
  });
});
