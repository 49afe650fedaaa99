import type { SignalCategory } from './categories.ts';
import type { Lexicon } from './lexicon/types.ts';
import { foldRaw, foldWord, type Token } from './normalize.ts';

const APOSTROPHES = /['’‘`´ʼ]/u;

/** One pattern element, compiled: a word test or a bounded gap. */
type Step =
  | { readonly kind: 'word'; readonly test: WordTest; readonly optional: boolean }
  | { readonly kind: 'gap'; readonly max: number };

export interface WordTest {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
  readonly contains: readonly string[];
}

export interface CompiledPattern {
  readonly category: SignalCategory;
  readonly weak: boolean;
  readonly source: string;
  readonly steps: readonly Step[];
}

/** A lexicon compiled for lookup by a pattern's first word. */
export interface CompiledLexicon {
  readonly language: string;
  readonly chat: ReadonlyMap<string, string>;
  /** Chat spellings written with an apostrophe, keyed by the unsqueezed word. */
  readonly rawChat: ReadonlyMap<string, string>;
  readonly exact: ReadonlyMap<string, CompiledPattern[]>;
  readonly byPrefix: ReadonlyMap<string, CompiledPattern[]>;
  /** Patterns whose first word is a `contains` or a prefix shorter than 3: tried at every token. */
  readonly everywhere: readonly CompiledPattern[];
  /** Every letter an `everywhere` pattern's first word needs: a word with none of them skips those patterns. */
  readonly everywhereLetters: ReadonlySet<string>;
  readonly negations: WordTest;
  readonly negationsAfter: WordTest;
  readonly breakersAfter: WordTest;
  readonly breakersBefore: WordTest;
  readonly conditionals: WordTest;
  readonly contrasts: WordTest;
  readonly negativeWords: WordTest;
  readonly fiction: WordTest;
  readonly context: ReadonlyMap<SignalCategory, WordTest>;
}

const MAX_GAP = 6;
export const PREFIX_KEY = 3;

/** Compiles `a|b*|*c*` into one word test. */
export function compileWord(element: string): WordTest {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const contains: string[] = [];
  for (const alt of element.split('|')) {
    if (alt === '') throw new Error(`empty alternative in "${element}"`);
    if (alt.length > 2 && alt.startsWith('*') && alt.endsWith('*')) contains.push(foldWord(alt.slice(1, -1)));
    else if (alt.endsWith('*')) prefixes.push(foldWord(alt.slice(0, -1)));
    else exact.add(foldWord(alt));
  }
  return { exact, prefixes, contains };
}

export function compileWords(elements: readonly string[] | undefined): WordTest {
  return compileWord((elements ?? []).join('|') || '\u0000');
}

export function testWord(test: WordTest, word: string): boolean {
  if (test.exact.has(word)) return true;
  for (const p of test.prefixes) if (word.startsWith(p)) return true;
  for (const c of test.contains) if (word.includes(c)) return true;
  return false;
}

function compilePattern(source: string, category: SignalCategory, weak: boolean): CompiledPattern {
  const steps: Step[] = source
    .trim()
    .split(/\s+/u)
    .map((element): Step => {
      const gap = /^~(\d)$/u.exec(element);
      if (gap) {
        const max = Number(gap[1]);
        if (max < 1 || max > MAX_GAP) throw new Error(`gap out of range in "${source}"`);
        return { kind: 'gap', max };
      }
      const optional = element.endsWith('?');
      return { kind: 'word', test: compileWord(optional ? element.slice(0, -1) : element), optional };
    });
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first?.kind !== 'word' || first.optional || last?.kind !== 'word') {
    throw new Error(`a pattern starts and ends with a required word: "${source}"`);
  }
  return { category, weak, source, steps };
}

function push<K>(map: Map<K, CompiledPattern[]>, key: K, pattern: CompiledPattern): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(pattern)) list.push(pattern);
  } else map.set(key, [pattern]);
}

export function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  const exact = new Map<string, CompiledPattern[]>();
  const byPrefix = new Map<string, CompiledPattern[]>();
  const everywhere: CompiledPattern[] = [];
  const context = new Map<SignalCategory, WordTest>();
  for (const [category, words] of Object.entries(lexicon.categories) as [
    SignalCategory,
    NonNullable<Lexicon['categories'][SignalCategory]>,
  ][]) {
    context.set(category, compileWords(words.context));
    const patterns = [
      ...(words.strong ?? []).map((p) => compilePattern(p, category, false)),
      ...(words.weak ?? []).map((p) => compilePattern(p, category, true)),
    ];
    for (const pattern of patterns) {
      const first = pattern.steps[0] as Extract<Step, { kind: 'word' }>;
      for (const word of first.test.exact) push(exact, word, pattern);
      for (const prefix of first.test.prefixes) {
        if (prefix.length >= PREFIX_KEY) push(byPrefix, prefix.slice(0, PREFIX_KEY), pattern);
        else if (!everywhere.includes(pattern)) everywhere.push(pattern);
      }
      if (first.test.contains.length > 0 && !everywhere.includes(pattern)) everywhere.push(pattern);
    }
  }
  const everywhereLetters = new Set<string>();
  for (const pattern of everywhere) {
    const first = pattern.steps[0] as Extract<Step, { kind: 'word' }>;
    for (const needle of [...first.test.contains, ...first.test.prefixes])
      everywhereLetters.add(needle.slice(0, 1));
  }
  return {
    language: lexicon.language,
    everywhereLetters,
    chat: new Map(
      Object.entries(lexicon.chat ?? {})
        .filter(([k]) => !APOSTROPHES.test(k))
        .map(([k, v]) => [foldWord(k), foldWord(v)]),
    ),
    rawChat: new Map(
      Object.entries(lexicon.chat ?? {})
        .filter(([k]) => APOSTROPHES.test(k))
        .map(([k, v]) => [foldRaw(k), foldWord(v)]),
    ),
    exact,
    byPrefix,
    everywhere,
    negations: compileWords(lexicon.negations),
    negationsAfter: compileWords(lexicon.negationsAfter),
    breakersAfter: compileWords(lexicon.negationBreakersAfter),
    breakersBefore: compileWords(lexicon.negationBreakersBefore),
    conditionals: compileWords(lexicon.conditionals),
    contrasts: compileWords(lexicon.contrasts),
    negativeWords: compileWords(lexicon.negativeWords),
    fiction: compileWords(lexicon.fiction),
    context,
  };
}

/**
 * Matches a pattern at token `at`; returns the index of its last token, or -1. Gaps are
 * at most 6 tokens and patterns a handful of elements, so the work per start is bounded
 * by a small constant whatever the text: no backtracking blow-up.
 */
export function matchAt(
  steps: readonly Step[],
  words: readonly string[],
  tokens: readonly Token[],
  at: number,
): number {
  const first = steps[0];
  // Most starts fail on the first word: check it before any recursion.
  if (first?.kind === 'word' && !first.optional && !testWord(first.test, words[at] ?? '')) return -1;
  return matchFrom(steps, words, tokens, tokens[at]?.sentence ?? -1, 0, at);
}

function matchFrom(
  steps: readonly Step[],
  words: readonly string[],
  tokens: readonly Token[],
  sentence: number,
  si: number,
  ti: number,
): number {
  const step = steps[si];
  if (!step) return ti - 1;
  if (step.kind === 'gap') {
    for (let g = 0; g <= step.max; g++) {
      const end = matchFrom(steps, words, tokens, sentence, si + 1, ti + g);
      if (end >= 0) return end;
    }
    return -1;
  }
  const word = words[ti];
  if (word !== undefined && tokens[ti]?.sentence === sentence && testWord(step.test, word)) {
    const end = matchFrom(steps, words, tokens, sentence, si + 1, ti + 1);
    if (end >= 0) return end;
  }
  return step.optional ? matchFrom(steps, words, tokens, sentence, si + 1, ti) : -1;
}
