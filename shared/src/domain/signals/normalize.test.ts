import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCodePoint, foldWord, squeeze, tokenize } from './normalize.ts';

const norms = (text: string): string[] => tokenize(text).map((t) => t.norm);
const originals = (text: string): string[] => tokenize(text).map((t) => text.slice(t.start, t.end));

describe('folding', () => {
  it('lowers case and drops accents, Dutch, Turkish and Polish alike', () => {
    expect(norms('Één KEEL gewürgd')).toEqual(['en', 'kel', 'gewurgd']);
    expect(norms('Öldürecek bıçak İstanbul')).toEqual(['oldurecek', 'bicak', 'istanbul']);
    expect(norms('Zabiję żółć łódź')).toEqual(['zabije', 'zolc', 'lodz']);
  });

  it('squeezes stretched letters so "keeeel", "keel" and "kel" meet', () => {
    expect(norms('keeeeel keel kel')).toEqual(['kel', 'kel', 'kel']);
    expect(squeeze('hellllp')).toBe('help');
    expect(foldWord('vermoord')).toBe(foldWord('VERMOOOORD'));
  });

  it('replaces Cyrillic and Greek lookalikes with the Latin letter', () => {
    // Cyrillic м, е, р, о, К and Т; Greek ο
    expect(norms('\u043c\u0435s \u0440ist\u043eol n\u03bfoit \u041a\u0415\u0415L')).toEqual([
      'mes',
      'pistol',
      'noit',
      'kel',
    ]);
  });

  it('leaves Arabic letters Arabic (the full confusables list would turn ه into o)', () => {
    expect(foldCodePoint('ه')).toBe('ه');
    expect(norms('خنقني')).toEqual(['خنقني']);
  });

  it('folds Arabic hamza seats, tā’ marbūṭa and harakat', () => {
    expect(norms('أَنا خائفة')).toEqual(['انا', 'خايفه']);
  });

  it('drops zero-width characters and soft hyphens inside a word', () => {
    expect(norms('ge\u200bwurgd ke\u00adel w\u200durg')).toEqual(['gewurgd', 'kel', 'wurg']);
  });

  it('gives a plain word the same token whether or not a dropped character splits it (property)', () => {
    // The tokeniser keeps a plain run as a slice of the text and spells the word out only
    // once something is dropped inside it: both ways must give one token.
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.nat(), (word, n) => {
        const at = n % (word.length + 1);
        const split = `${word.slice(0, at)}\u200b${word.slice(at)}`;
        const fold = (text: string) => tokenize(text).map((t) => [t.norm, t.raw]);
        expect(fold(split)).toEqual(fold(word));
      }),
    );
  });

  it('squeezes a doubled emoji as one code point twice, and returns a word with nothing doubled as it is', () => {
    expect(squeeze('🔪🔪')).toBe('🔪');
    expect(squeeze('abab')).toBe('abab');
  });

  it('folds fullwidth and mathematical letters (NFKD)', () => {
    expect(norms('ｍｅｓ 𝐦𝐞𝐬')).toEqual(['mes', 'mes']);
  });

  it("joins a word around an apostrophe: m'n, didn't, he's", () => {
    expect(norms("bij m'n keel, he didn’t, he's")).toEqual(['bij', 'mn', 'kel', 'he', 'didnt', 'hes']);
  });

  it('makes each emoji a token of its own and splits words at other symbols', () => {
    expect(norms('mes🔪pistool,bijl')).toEqual(['mes', '🔪', 'pistol', 'bijl']);
  });
});

describe('token offsets', () => {
  it('point at the original text, whatever the folding changed', () => {
    const text = 'Hij heeft m\u0435 bij m’n KEEEEL ge\u200bpakt 🔪!';
    expect(originals(text)).toEqual([
      'Hij',
      'heeft',
      'm\u0435',
      'bij',
      'm’n',
      'KEEEEL',
      'ge\u200bpakt',
      '🔪',
    ]);
  });

  it('count UTF-16 units, so astral characters before a word do not shift it', () => {
    const text = '😢😢 𝐦𝐞𝐬';
    const [, , mes] = tokenize(text);
    expect(mes && text.slice(mes.start, mes.end)).toBe('𝐦𝐞𝐬');
    expect(mes?.start).toBe(5);
  });

  it('split sentences at . ! ? and line breaks, clauses also at commas', () => {
    const tokens = tokenize('a b, c. d\ne');
    expect(tokens.map((t) => t.sentence)).toEqual([0, 0, 0, 1, 2]);
    expect(tokens.map((t) => t.clause)).toEqual([0, 0, 1, 2, 3]);
  });

  it('always lie inside the text, in order, and never overlap (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        let previousEnd = 0;
        for (const t of tokenize(text)) {
          expect(t.start).toBeGreaterThanOrEqual(previousEnd);
          expect(t.end).toBeGreaterThan(t.start);
          expect(t.end).toBeLessThanOrEqual(text.length);
          previousEnd = t.end;
        }
      }),
    );
  });
});
