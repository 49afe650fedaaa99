import {
  SIGNAL_CATEGORIES,
  SIGNAL_WEIGHT,
  type SignalCategory,
  type SignalHit,
  type SignalSpan,
} from './categories.ts';
import { ar } from './lexicon/ar.ts';
import { en } from './lexicon/en.ts';
import { nl } from './lexicon/nl.ts';
import { pl } from './lexicon/pl.ts';
import { tr } from './lexicon/tr.ts';
import { type CompiledLexicon, compileLexicon, matchAt, testWord } from './matcher.ts';
import { type Token, tokenize } from './normalize.ts';

export * from './categories.ts';

/** The languages with a lexicon, Dutch first. */
export const SIGNAL_LANGUAGES = ['nl', 'en', 'ar', 'tr', 'pl'] as const;

const LEXICONS: readonly CompiledLexicon[] = [nl, en, ar, tr, pl].map(compileLexicon);

/** Spans kept per category: enough to highlight, bounded however long the text. */
const MAX_SPANS = 32;
const NEGATION_BEFORE = 3;
const NEGATION_AFTER = 2;

/**
 * Reads a visitor's text for danger signals: one hit per category, in the order of
 * SIGNAL_CATEGORIES, each with the spans of the words that raised it (UTF-16 offsets
 * into `text`). Pure and synchronous; time is linear in the text.
 *
 * Every lexicon is read, whatever `language` says, so that a message that mixes Dutch
 * and English, or a visitor whose widget language is not the language they type in, is
 * still read. `language` is accepted as a hint and changes nothing today; an unknown
 * language is no error.
 *
 * @example
 * readSignals('hij heeft me bij m\'n keel gepakt', 'nl');
 * // → [{ category: 'strangulation', weight: 'high', spans: [{ start: 0, end: 31 }] }]
 */
export function readSignals(text: string, _language?: string): SignalHit[] {
  if (typeof text !== 'string' || text === '') return [];
  const tokens = tokenize(text);
  if (tokens.length === 0) return [];
  const found = new Map<SignalCategory, SignalSpan[]>();
  for (const lexicon of LEXICONS) readWith(lexicon, tokens, found);
  const hits: SignalHit[] = [];
  for (const category of SIGNAL_CATEGORIES) {
    const spans = found.get(category);
    if (spans && spans.length > 0)
      hits.push({ category, weight: SIGNAL_WEIGHT[category], spans: merge(spans) });
  }
  return hits;
}

function readWith(
  lexicon: CompiledLexicon,
  tokens: readonly Token[],
  found: Map<SignalCategory, SignalSpan[]>,
): void {
  const words = tokens.map((t) => lexicon.chat.get(t.norm) ?? t.norm);
  const fictionBySentence = new Map<number, boolean>();
  const contextBySentence = new Map<string, boolean>();
  const inSentence = (sentence: number, test: (w: string) => boolean): boolean => {
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.sentence === sentence && test(words[i]!)) return true;
    }
    return false;
  };
  for (let at = 0; at < tokens.length; at++) {
    const word = words[at]!;
    const candidates = [
      ...(lexicon.exact.get(word) ?? []),
      ...(lexicon.byPrefix.get(word.slice(0, 3)) ?? []),
      ...lexicon.everywhere,
    ];
    for (const pattern of candidates) {
      const spans = found.get(pattern.category);
      if (spans && spans.length >= MAX_SPANS) continue;
      const last = matchAt(pattern.steps, words, tokens, at);
      if (last < 0) continue;
      const sentence = tokens[at]!.sentence;
      if (isNegated(lexicon, words, tokens, at, last)) continue;
      let fiction = fictionBySentence.get(sentence);
      if (fiction === undefined) {
        fiction = inSentence(sentence, (w) => testWord(lexicon.fiction, w));
        fictionBySentence.set(sentence, fiction);
      }
      if (fiction) continue;
      if (pattern.weak) {
        const key = `${pattern.category}:${sentence}`;
        let blocked = contextBySentence.get(key);
        if (blocked === undefined) {
          const context = lexicon.context.get(pattern.category);
          blocked = context !== undefined && inSentence(sentence, (w) => testWord(context, w));
          contextBySentence.set(key, blocked);
        }
        if (blocked) continue;
      }
      const span = { start: tokens[at]!.start, end: tokens[last]!.end };
      if (spans) spans.push(span);
      else found.set(pattern.category, [span]);
    }
  }
}

function isNegated(
  lexicon: CompiledLexicon,
  words: readonly string[],
  tokens: readonly Token[],
  first: number,
  last: number,
): boolean {
  for (let i = first; i <= last; i++) if (testWord(lexicon.negativeWords, words[i]!)) return true;
  const clause = tokens[first]!.clause;
  const counts = (i: number): boolean => {
    const next = words[i + 1];
    const previous = words[i - 1];
    if (next !== undefined && i + 1 < first && testWord(lexicon.breakersAfter, next)) return false;
    if (next !== undefined && i > last && testWord(lexicon.breakersAfter, next)) return false;
    return !(previous !== undefined && testWord(lexicon.breakersBefore, previous));
  };
  for (let i = first - 1; i >= Math.max(0, first - NEGATION_BEFORE); i--) {
    if (tokens[i]!.clause !== clause) break;
    if (testWord(lexicon.negations, words[i]!) && counts(i)) return true;
  }
  const lastClause = tokens[last]!.clause;
  for (let i = last + 1; i <= Math.min(tokens.length - 1, last + NEGATION_AFTER); i++) {
    if (tokens[i]!.clause !== lastClause) break;
    if (testWord(lexicon.negationsAfter, words[i]!) && counts(i)) return true;
  }
  return false;
}

/** Sorted, with overlapping or touching spans joined. */
function merge(spans: SignalSpan[]): SignalSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: SignalSpan[] = [];
  for (const span of sorted) {
    const previous = out[out.length - 1];
    if (previous && span.start <= previous.end) previous.end = Math.max(previous.end, span.end);
    else out.push({ ...span });
  }
  return out.slice(0, MAX_SPANS);
}
