import type { SignalCategory } from '../categories.ts';

/**
 * The words of one category in one language. A pattern is a sequence of elements
 * separated by spaces, each matching one token of the folded text:
 * - `mes|messen|pistool`: any of these words;
 * - `wurg*`: a word that starts with `wurg`; `*قتل*`: a word that contains `قتل`;
 * - `me?`: an element that may be missing;
 * - `~3`: up to 3 tokens of anything (never across a sentence).
 * Words are folded as the text is (case, accents, lookalikes, doubled letters), so
 * write them as a dictionary does. A pattern never starts with a gap or an optional element.
 */
export interface CategoryLexicon {
  /** Patterns that stand on their own: only negation and fiction cancel them. */
  readonly strong?: readonly string[];
  /** Patterns that a `context` word in the same sentence also cancels (a knife for cooking). */
  readonly weak?: readonly string[];
  /** Word elements that, anywhere in the sentence, cancel a `weak` hit. */
  readonly context?: readonly string[];
}

export interface Lexicon {
  readonly language: string;
  /**
   * Chat spellings, word for word: `{ mn: 'mijn', ie: 'hij' }`. Keys and values are folded
   * too. A key with an apostrophe is matched before squeezing ("zo'n" is not "zoon").
   */
  readonly chat?: Readonly<Record<string, string>>;
  /** Word elements that negate a hit when they stand up to 3 tokens before it, in its clause. */
  readonly negations: readonly string[];
  /** Word elements that negate a hit when they follow it within 2 tokens, in its clause. */
  readonly negationsAfter?: readonly string[];
  /** A negation followed by one of these is none: "niet meer", "not anymore" tell of the past. */
  readonly negationBreakersAfter?: readonly string[];
  /** A negation preceded by one of these is none: "ik weet niet of hij een mes heeft". */
  readonly negationBreakersBefore?: readonly string[];
  /** Words that turn a sentence around ("maar", "but"): a negation does not reach past them. */
  readonly contrasts?: readonly string[];
  /**
   * Words that open a condition: a negation after one of them, in its clause, belongs to
   * the condition ("als je niet ophoudt, vermoord ik je"), not to the hit.
   */
  readonly conditionals?: readonly string[];
  /** Word elements that are negative in themselves (Turkish "öldürmedi"): a hit holding one is negated. */
  readonly negativeWords?: readonly string[];
  /** Word elements of fiction and play (film, game, book): every hit in their sentence is cancelled. */
  readonly fiction: readonly string[];
  readonly categories: Readonly<Partial<Record<SignalCategory, CategoryLexicon>>>;
}
