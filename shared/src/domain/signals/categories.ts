/**
 * The danger signal categories of PROTOCOL.md ("Danger signals in the visitor's words").
 * Kept apart from the reader so that the widget and the console can name the categories
 * without carrying the lexicons.
 */
export const SIGNAL_CATEGORIES = [
  'strangulation',
  'weapon',
  'threat-to-kill',
  'imminent',
  'children-at-risk',
  'suicide',
  'sexual-violence',
  'injury',
] as const;

export type SignalCategory = (typeof SIGNAL_CATEGORIES)[number];

/** `high` routes a waiting conversation right after the urgent ones; `medium` changes no order. */
export type SignalWeight = 'high' | 'medium';

/** The four predictors of intimate-partner homicide are `high`; the rest `medium`. */
export const SIGNAL_WEIGHT: Record<SignalCategory, SignalWeight> = {
  strangulation: 'high',
  weapon: 'high',
  'threat-to-kill': 'high',
  imminent: 'high',
  'children-at-risk': 'medium',
  suicide: 'medium',
  'sexual-violence': 'medium',
  injury: 'medium',
};

/** UTF-16 offsets into the original text (JS string indices); `end` is exclusive. */
export interface SignalSpan {
  start: number;
  end: number;
}

/** One category found in a text, with the words that raised it. */
export interface SignalHit {
  category: SignalCategory;
  weight: SignalWeight;
  spans: SignalSpan[];
}
