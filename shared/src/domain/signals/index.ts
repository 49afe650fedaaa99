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
import type { Lexicon } from './lexicon/types.ts';
import {
  type CompiledLexicon,
  type CompiledPattern,
  compileLexicon,
  matchAt,
  PREFIX_KEY,
  testWord,
} from './matcher.ts';
import { type Token, tokenize } from './normalize.ts';

export * from './categories.ts';

/** The languages with a lexicon, Dutch first. */
export const SIGNAL_LANGUAGES = ['nl', 'en', 'ar', 'tr', 'pl'] as const;

/**
 * Every lexicon is read over every text, so each one also knows the others' negations,
 * fiction words and context words: "he doesn't have a gun" must stop the Dutch lexicon's
 * "gun" as much as the English one. Chat spellings stay with their own language.
 */
function pooled(lexicons: readonly Lexicon[]): Lexicon[] {
  const all = <K extends keyof Lexicon>(key: K): string[] => [
    ...new Set(lexicons.flatMap((l) => (l[key] as readonly string[] | undefined) ?? [])),
  ];
  const context = (category: SignalCategory): string[] => [
    ...new Set(lexicons.flatMap((l) => l.categories[category]?.context ?? [])),
  ];
  return lexicons.map((l) => ({
    ...l,
    negations: all('negations'),
    negationsAfter: all('negationsAfter'),
    negationBreakersAfter: all('negationBreakersAfter'),
    negationBreakersBefore: all('negationBreakersBefore'),
    conditionals: all('conditionals'),
    contrasts: all('contrasts'),
    negativeWords: all('negativeWords'),
    fiction: all('fiction'),
    categories: Object.fromEntries(
      Object.entries(l.categories).map(([c, words]) => [
        c,
        { ...words, context: context(c as SignalCategory) },
      ]),
    ),
  }));
}

const LEXICONS: readonly CompiledLexicon[] = pooled([nl, en, ar, tr, pl]).map(compileLexicon);

/** Spans kept per category: enough to highlight, bounded however long the text. */
const MAX_SPANS = 32;
const NEGATION_BEFORE = 3;
const NEGATION_AFTER = 2;
/** How far before a negation a condition word still claims it. */
const CONDITION_REACH = 4;
/** Matches kept per text before negation is settled: bounds memory on 2,000 characters of trigger words. */
const MAX_CANDIDATES = 2000;

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
 * readSignals("hij heeft me bij m'n keel gepakt", 'nl');
 * // → [{ category: 'strangulation', weight: 'high', spans: [{ start: 13, end: 32 }] }]
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

/**
 * The patterns tried at every word (those whose first word is a `contains` or a short
 * prefix), or none when the word has none of the letters they start with.
 */
function everywhereAt(lexicon: CompiledLexicon, word: string): readonly CompiledPattern[] | undefined {
  if (lexicon.everywhere.length === 0) return undefined;
  for (const letter of word) if (lexicon.everywhereLetters.has(letter)) return lexicon.everywhere;
  return undefined;
}

interface Candidate {
  readonly category: SignalCategory;
  readonly first: number;
  readonly last: number;
  readonly negated: boolean;
}

function readWith(
  lexicon: CompiledLexicon,
  tokens: readonly Token[],
  found: Map<SignalCategory, SignalSpan[]>,
): void {
  const words = tokens.map((t) => lexicon.rawChat.get(t.raw) ?? lexicon.chat.get(t.norm) ?? t.norm);
  // Made at the first match: most messages match nothing in most of the five lexicons, and
  // these were a large part of what reading a message allocated (--heap-prof of the bench).
  let fictionBySentence: Map<number, boolean> | undefined;
  /** Keyed by sentence and category index: no string is built per hit. */
  let contextBySentence: Map<number, boolean> | undefined;
  // Tokens come in sentence order, so each sentence is one run of them: scanning only that
  // run keeps the fiction and context checks linear however many sentences there are.
  const inSentence = (at: number, test: (w: string) => boolean): boolean => {
    const sentence = tokens[at]!.sentence;
    for (let i = at; i >= 0 && tokens[i]!.sentence === sentence; i--) if (test(words[i]!)) return true;
    for (let i = at + 1; i < tokens.length && tokens[i]!.sentence === sentence; i++)
      if (test(words[i]!)) return true;
    return false;
  };
  const candidates: Candidate[] = [];
  /**
   * Tries the patterns that may start at word `at`; false once MAX_CANDIDATES are kept.
   * The candidates of a word are the patterns by the word, by its first letters, then
   * those tried everywhere, in that order: three plain lists rather than a generator,
   * which was the largest cost of a message's reading (--cpu-prof).
   */
  const tryAt = (patterns: readonly CompiledPattern[] | undefined, at: number): boolean => {
    if (patterns === undefined) return true;
    for (const pattern of patterns) {
      if (candidates.length >= MAX_CANDIDATES) return false;
      const last = matchAt(pattern.steps, words, tokens, at);
      if (last < 0) continue;
      const sentence = tokens[at]!.sentence;
      fictionBySentence ??= new Map();
      let fiction = fictionBySentence.get(sentence);
      if (fiction === undefined) {
        fiction = inSentence(at, (w) => testWord(lexicon.fiction, w));
        fictionBySentence.set(sentence, fiction);
      }
      if (fiction) continue;
      if (pattern.weak) {
        const key = sentence * SIGNAL_CATEGORIES.length + SIGNAL_CATEGORIES.indexOf(pattern.category);
        contextBySentence ??= new Map();
        let blocked = contextBySentence.get(key);
        if (blocked === undefined) {
          const context = lexicon.context.get(pattern.category);
          blocked = context !== undefined && inSentence(at, (w) => testWord(context, w));
          contextBySentence.set(key, blocked);
        }
        if (blocked) continue;
      }
      const negated = isNegated(lexicon, pattern, words, tokens, at, last);
      candidates.push({ category: pattern.category, first: at, last, negated });
    }
    return true;
  };
  for (let at = 0; at < tokens.length; at++) {
    const word = words[at]!;
    // A word shorter than a prefix key cannot be one.
    const byPrefix = word.length >= PREFIX_KEY ? lexicon.byPrefix.get(word.slice(0, PREFIX_KEY)) : undefined;
    if (
      !tryAt(lexicon.exact.get(word), at) ||
      !tryAt(byPrefix, at) ||
      !tryAt(everywhereAt(lexicon, word), at)
    )
      break;
  }
  if (candidates.length > 0) finish(candidates, tokens, found);
}

/**
 * Keeps the hits that are not negated. A hit that lies inside a negated hit of the same
 * category goes too: in "hij heeft nooit gedreigd me te vermoorden" the whole reading is
 * negated, so the bare "vermoorden" inside it is as well.
 */
function finish(
  candidates: readonly Candidate[],
  tokens: readonly Token[],
  found: Map<SignalCategory, SignalSpan[]>,
): void {
  const negated = candidates.filter((c) => c.negated);
  for (const c of candidates) {
    if (c.negated) continue;
    const inside = negated.some((n) => n.category === c.category && n.first <= c.first && n.last >= c.last);
    if (inside) continue;
    const span = { start: tokens[c.first]!.start, end: tokens[c.last]!.end };
    const spans = found.get(c.category);
    if (!spans) found.set(c.category, [span]);
    else if (spans.length < MAX_SPANS * 4) spans.push(span);
  }
}

function isNegated(
  lexicon: CompiledLexicon,
  pattern: CompiledPattern,
  words: readonly string[],
  tokens: readonly Token[],
  first: number,
  last: number,
): boolean {
  // "niet meer" tells of the past for what happened, but of the future for who is coming.
  const pastMatters = pattern.category !== 'imminent';
  const counts = (i: number): boolean => {
    const next = words[i + 1];
    const previous = words[i - 1];
    if (pastMatters && next !== undefined && testWord(lexicon.breakersAfter, next)) return false;
    if (previous !== undefined && testWord(lexicon.breakersBefore, previous)) return false;
    for (let j = i - 1; j >= Math.max(0, i - CONDITION_REACH); j--) {
      if (tokens[j]!.clause !== tokens[i]!.clause) break;
      if (testWord(lexicon.conditionals, words[j]!)) return false;
    }
    return true;
  };
  for (let i = first; i <= last; i++) {
    const word = words[i]!;
    if (testWord(lexicon.negativeWords, word)) return true;
    // A negation the pattern asks for ("niet meer leven", "geen lucht") is part of the signal.
    if (i > first && testWord(lexicon.negations, word) && !mentions(pattern, word) && counts(i)) return true;
  }
  const clause = tokens[first]!.clause;
  for (let i = first - 1; i >= Math.max(0, first - NEGATION_BEFORE); i--) {
    if (tokens[i]!.clause !== clause || testWord(lexicon.contrasts, words[i]!)) break;
    if (testWord(lexicon.negations, words[i]!) && counts(i)) return true;
  }
  const lastClause = tokens[last]!.clause;
  for (let i = last + 1; i <= Math.min(tokens.length - 1, last + NEGATION_AFTER); i++) {
    if (tokens[i]!.clause !== lastClause || testWord(lexicon.contrasts, words[i]!)) break;
    if (testWord(lexicon.negationsAfter, words[i]!) && counts(i)) return true;
  }
  return false;
}

function mentions(pattern: CompiledPattern, word: string): boolean {
  return pattern.steps.some((step) => step.kind === 'word' && testWord(step.test, word));
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
