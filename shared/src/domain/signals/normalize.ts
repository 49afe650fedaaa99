import confusables from 'unhomoglyph/data.json' with { type: 'json' };

/**
 * Folding and tokenising for the danger signal reader. Every token keeps the UTF-16
 * range of the original text it came from, so that whatever the folding does (accents,
 * case, homoglyphs, zero-width characters, stretched letters), a hit still points at
 * the visitor's own words.
 */
export interface Token {
  /** Folded and squeezed: lower case, no accents, homoglyphs replaced, no letter twice in a row. */
  readonly norm: string;
  /** Folded but not squeezed, apostrophes dropped: tells "zo'n" (zon) from "zoon" (also zon once squeezed). */
  readonly raw: string;
  /** UTF-16 offsets into the original text, `end` exclusive. */
  readonly start: number;
  readonly end: number;
  /** Index of the sentence (split at . ! ? ; and line breaks). */
  readonly sentence: number;
  /** Index of the clause (sentences split further at , : and the like). */
  readonly clause: number;
}

const ARABIC = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/u;

/**
 * Lookalikes from Unicode's confusables list (through unhomoglyph), narrowed to what is
 * safe here: a non-ASCII, non-Arabic character that looks like one Latin letter, such as
 * Cyrillic "а" or Greek "ο". The full list would also turn Arabic "ه" into "o" and
 * "m" into "rn".
 */
const HOMOGLYPHS: ReadonlyMap<string, string> = new Map(
  Object.entries(confusables as Record<string, string>).flatMap(([from, to]): [string, string][] => {
    const target = to.toLowerCase();
    if (from.length > 2 || from.charCodeAt(0) < 0x80 || ARABIC.test(from)) return [];
    return /^[a-z]$/u.test(target) ? [[from, target]] : [];
  }),
);

/** Letters that Unicode does not decompose, or that chat writes otherwise. */
const SPECIAL: Readonly<Record<string, string>> = {
  ł: 'l',
  ı: 'i',
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  đ: 'd',
  œ: 'oe',
  // Arabic: tā' marbūṭa, alif maqṣūra, hamza seats and tatweel, as Arabic search engines fold them.
  ة: 'ه',
  ى: 'ي',
  ؤ: 'و',
  ئ: 'ي',
  ـ: '',
};

/** Invisible characters that split or disguise words: zero-width, joiners, soft hyphen, direction marks. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/u;
const APOSTROPHE = /['’‘`´ʼ]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const SENTENCE_END = /[.!?;\n\r…。؟؛]/u;
const CLAUSE_END = /[,:()"“”«»\-–—/|،]/u;

const foldCache = new Map<string, string>();

/** One code point, folded: decomposed, marks dropped, lower case, lookalikes replaced. */
export function foldCodePoint(cp: string): string {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  let out = '';
  if (!INVISIBLE.test(cp)) {
    for (const ch of cp.normalize('NFKD').replace(/\p{M}/gu, '')) {
      const lower = ch.toLowerCase();
      // Some lookalikes are listed in one case only (Cyrillic "М" but not "м").
      out +=
        SPECIAL[lower] ??
        HOMOGLYPHS.get(ch) ??
        HOMOGLYPHS.get(lower) ??
        HOMOGLYPHS.get(ch.toUpperCase()) ??
        lower;
    }
  }
  if (foldCache.size < 4096) foldCache.set(cp, out);
  return out;
}

/** A folded word with every run of one letter squeezed to one ("keeeel" and "keel" both give "kel"). */
export function squeeze(word: string): string {
  // Most words have no letter twice in a row: return them as they are, no new string.
  // A surrogate sends the word the slow way, where a doubled emoji is one code point twice.
  let i = 1;
  for (; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === word.charCodeAt(i - 1) || (c >= 0xd800 && c <= 0xdfff)) break;
  }
  if (i >= word.length) return word;
  let out = '';
  let last = '';
  for (const ch of word) {
    if (ch !== last) out += ch;
    last = ch;
  }
  return out;
}

/** Folds one lexicon word the way the text is folded, apostrophes dropped, without squeezing. */
export function foldRaw(word: string): string {
  let out = '';
  for (const cp of word) out += foldCodePoint(cp);
  return out.replace(/['’‘`´ʼ]/gu, '');
}

/** Folds and squeezes one lexicon word the way the text is folded, so both sides meet. */
export function foldWord(word: string): string {
  return squeeze(foldRaw(word));
}

/**
 * Splits a text into folded tokens in one pass. Letters and digits make words; an
 * apostrophe between two letters is dropped ("m'n" → "mn", "didn't" → "didnt"); each
 * emoji is a token of its own; anything else separates. Time and memory are linear in
 * the text.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let sentence = 0;
  let clause = 0;
  /** The word so far, once it is more than a plain run of the text (see `runEnd`). */
  let word = '';
  /**
   * While the word is a run of plain ASCII letters and digits with nothing dropped, it is
   * `text.slice(start, runEnd)` in lower case, and no string is built per letter (the
   * letter-by-letter string was the largest allocation of a relayed message). -1 otherwise.
   */
  let runEnd = -1;
  let start = -1;
  let end = -1;
  let pendingApostrophe = false;
  const inWord = (): boolean => runEnd >= 0 || word !== '';
  /** Turns the plain run into `word`, before a letter that the run cannot hold. */
  const spell = (): void => {
    if (runEnd >= 0) word = text.slice(start, runEnd).toLowerCase();
    runEnd = -1;
  };
  const flush = (): void => {
    spell();
    if (word !== '') tokens.push({ norm: squeeze(word), raw: word, start, end, sentence, clause });
    word = '';
    pendingApostrophe = false;
  };
  let i = 0;
  for (const cp of text) {
    const at = i;
    i += cp.length;
    const code = cp.charCodeAt(0);
    // Fast path for plain ASCII letters and digits, most of any message (compared by
    // code: a regular expression per character was a tenth of the reading's time).
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) {
      if (runEnd === at) runEnd = i;
      else if (!inWord()) {
        start = at;
        runEnd = i;
      } else {
        // Something was dropped since the run began (an apostrophe, a mark, a zero-width).
        spell();
        word += code < 0x5b && code > 0x40 ? String.fromCharCode(code + 32) : cp;
      }
      end = i;
      pendingApostrophe = false;
      continue;
    }
    if (code === 0x20) {
      // A plain space, the commonest separator: no test below would make it more.
      flush();
      continue;
    }
    if (INVISIBLE.test(cp)) continue;
    const folded = foldCodePoint(cp);
    if (folded === '' && !PICTOGRAPH.test(cp) && !SENTENCE_END.test(cp) && !CLAUSE_END.test(cp)) {
      // A mark, a harakah or a tatweel: part of the word it follows, never a break.
      if (inWord()) end = i;
      continue;
    }
    if (folded !== '' && WORD_CHAR.test(folded)) {
      if (!inWord()) start = at;
      spell();
      word += folded;
      end = i;
      pendingApostrophe = false;
      continue;
    }
    if (APOSTROPHE.test(cp) && inWord() && !pendingApostrophe) {
      pendingApostrophe = true;
      continue;
    }
    flush();
    if (PICTOGRAPH.test(cp)) {
      tokens.push({ norm: cp, raw: cp, start: at, end: i, sentence, clause });
    } else if (SENTENCE_END.test(cp)) {
      sentence++;
      clause++;
    } else if (CLAUSE_END.test(cp)) {
      clause++;
    }
  }
  flush();
  return tokens;
}
