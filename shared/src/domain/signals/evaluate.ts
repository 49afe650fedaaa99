import { SIGNAL_CATEGORIES, SIGNAL_WEIGHT, type SignalCategory, type SignalHit } from './categories.ts';

/** One labelled phrase of test/fixtures/signals. */
export interface LabelledPhrase {
  readonly language: string;
  readonly labels: readonly SignalCategory[];
  readonly text: string;
  /** 1-based line in its file, for messages. */
  readonly line: number;
}

const CATEGORY_SET: ReadonlySet<string> = new Set(SIGNAL_CATEGORIES);

/**
 * Parses a fixture file: `labels<TAB>text` a line, labels comma-separated categories or
 * `-`; `#` starts a comment line. Throws on an unknown category, so a typo cannot
 * quietly turn a positive into a negative.
 */
export function parseFixture(content: string, language: string): LabelledPhrase[] {
  const phrases: LabelledPhrase[] = [];
  content.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/u, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`${language}:${i + 1}: no tab between labels and text`);
    const labelText = line.slice(0, tab).trim();
    const text = line.slice(tab + 1);
    const labels = labelText === '-' ? [] : labelText.split(',').map((l) => l.trim());
    for (const label of labels) {
      if (!CATEGORY_SET.has(label)) throw new Error(`${language}:${i + 1}: unknown category "${label}"`);
    }
    phrases.push({ language, labels: labels as SignalCategory[], text, line: i + 1 });
  });
  return phrases;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Evaluation {
  readonly phrases: number;
  readonly negatives: number;
  readonly perCategory: Record<SignalCategory, Counts>;
  /** Rows: the labelled category (or `none`); columns: what the reader raised (or `none`). */
  readonly confusion: Record<string, Record<string, number>>;
  /** Pooled over the labels of the four high categories: found / labelled. */
  readonly highRecall: number;
  readonly highLabels: number;
  /** Phrases labelled `-` for which the reader raised a high category. */
  readonly falseHighAlarms: number;
  readonly misses: { phrase: LabelledPhrase; missed: SignalCategory[]; extra: SignalCategory[] }[];
}

const HIGH = SIGNAL_CATEGORIES.filter((c) => SIGNAL_WEIGHT[c] === 'high');

/** Compares the reader's hits with the labels: precision, recall, confusion, false high alarms. */
export function evaluate(
  phrases: readonly LabelledPhrase[],
  read: (text: string, language: string) => SignalHit[],
): Evaluation {
  const perCategory = Object.fromEntries(
    SIGNAL_CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]),
  ) as Record<SignalCategory, Counts>;
  const rows = [...SIGNAL_CATEGORIES, 'none'];
  const confusion = Object.fromEntries(
    rows.map((r) => [r, Object.fromEntries(rows.map((c) => [c, 0]))]),
  ) as Record<string, Record<string, number>>;
  let negatives = 0;
  let falseHighAlarms = 0;
  let highFound = 0;
  let highLabels = 0;
  const misses: Evaluation['misses'] = [];
  for (const phrase of phrases) {
    const raised = new Set(read(phrase.text, phrase.language).map((h) => h.category));
    const labelled = new Set(phrase.labels);
    for (const c of SIGNAL_CATEGORIES) {
      if (labelled.has(c) && raised.has(c)) perCategory[c].tp++;
      else if (labelled.has(c)) perCategory[c].fn++;
      else if (raised.has(c)) perCategory[c].fp++;
    }
    for (const c of HIGH) {
      if (!labelled.has(c)) continue;
      highLabels++;
      if (raised.has(c)) highFound++;
    }
    const from = labelled.size === 0 ? ['none'] : [...labelled];
    const to = raised.size === 0 ? ['none'] : [...raised];
    for (const r of from) for (const c of to) confusion[r]![c]!++;
    if (labelled.size === 0) {
      negatives++;
      if (HIGH.some((c) => raised.has(c))) falseHighAlarms++;
    }
    const missed = [...labelled].filter((c) => !raised.has(c));
    const extra = [...raised].filter((c) => !labelled.has(c));
    if (missed.length > 0 || extra.length > 0) misses.push({ phrase, missed, extra });
  }
  return {
    phrases: phrases.length,
    negatives,
    perCategory,
    confusion,
    highRecall: highLabels === 0 ? 1 : highFound / highLabels,
    highLabels,
    falseHighAlarms,
    misses,
  };
}

export const precision = (c: Counts): number => (c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp));
export const recall = (c: Counts): number => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));
