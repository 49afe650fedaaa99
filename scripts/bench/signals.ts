/**
 * `npm run bench:signals`: how well and how fast the danger signal reader reads the
 * labelled phrases of test/fixtures/signals, the tuning set and the held-out set apart.
 *
 *   --misses   also list every phrase the reader got wrong (fixture text, never a visitor's)
 *   --strict   exit 1 when a target is missed on either set
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Counts,
  type Evaluation,
  evaluate,
  type LabelledPhrase,
  parseFixture,
  precision,
  recall,
} from '@stille-lijn/shared/domain/signals/evaluate';
import { readSignals, SIGNAL_CATEGORIES } from '@stille-lijn/shared/signals';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'signals');

/** Targets of issue 12. */
export const TARGET_HIGH_RECALL = 0.9;
export const TARGET_FALSE_HIGH = 0.05;

export function loadSet(dir: string): LabelledPhrase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .sort()
    .flatMap((f) => parseFixture(readFileSync(join(dir, f), 'utf8'), basename(f, '.tsv')));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const f2 = (x: number): string => x.toFixed(2);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
const padEnd = (s: string, n: number): string => s.padEnd(n);

function categoryTable(e: Evaluation, print: (l: string) => void): void {
  print(
    `  ${padEnd('category', 18)}${pad('labelled', 9)}${pad('raised', 8)}${pad('prec', 7)}${pad('recall', 8)}`,
  );
  for (const c of SIGNAL_CATEGORIES) {
    const k: Counts = e.perCategory[c];
    print(
      `  ${padEnd(c, 18)}${pad(k.tp + k.fn, 9)}${pad(k.tp + k.fp, 8)}${pad(f2(precision(k)), 7)}${pad(f2(recall(k)), 8)}`,
    );
  }
}

function sum(e: Evaluation): Counts {
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const c of SIGNAL_CATEGORIES) {
    total.tp += e.perCategory[c].tp;
    total.fp += e.perCategory[c].fp;
    total.fn += e.perCategory[c].fn;
  }
  return total;
}

function report(
  name: string,
  phrases: LabelledPhrase[],
  showMisses: boolean,
  print: (l: string) => void,
): boolean {
  const all = evaluate(phrases, readSignals);
  const languages = [...new Set(phrases.map((p) => p.language))];
  print(`\n== ${name}: ${all.phrases} phrases (${all.negatives} without a signal) ==`);
  print('\nPer category, all languages:');
  categoryTable(all, print);
  print('\nPer language (labels pooled over categories):');
  print(
    `  ${padEnd('lang', 6)}${pad('phrases', 8)}${pad('prec', 7)}${pad('recall', 8)}${pad('high recall', 13)}${pad('false high', 12)}`,
  );
  for (const language of languages) {
    const e = evaluate(
      phrases.filter((p) => p.language === language),
      readSignals,
    );
    const t = sum(e);
    const fh = e.negatives === 0 ? 'n/a' : `${e.falseHighAlarms}/${e.negatives}`;
    print(
      `  ${padEnd(language, 6)}${pad(e.phrases, 8)}${pad(f2(precision(t)), 7)}${pad(f2(recall(t)), 8)}${pad(`${f2(e.highRecall)} (${e.highLabels})`, 13)}${pad(fh, 12)}`,
    );
  }
  for (const language of languages) {
    print(`\nPer category, ${language}:`);
    categoryTable(
      evaluate(
        phrases.filter((p) => p.language === language),
        readSignals,
      ),
      print,
    );
  }
  print('\nConfusion (rows: labelled, columns: raised; a phrase with two labels counts in both rows):');
  const cols = [...SIGNAL_CATEGORIES, 'none'];
  const short = (c: string): string => c.slice(0, 6);
  print(`  ${padEnd('', 18)}${cols.map((c) => pad(short(c), 7)).join('')}`);
  for (const r of cols) print(`  ${padEnd(r, 18)}${cols.map((c) => pad(all.confusion[r]![c]!, 7)).join('')}`);
  const falseHigh = all.negatives === 0 ? 0 : all.falseHighAlarms / all.negatives;
  const recallOk = all.highRecall >= TARGET_HIGH_RECALL;
  const falseOk = falseHigh <= TARGET_FALSE_HIGH;
  print(
    `\nHigh categories together: recall ${f2(all.highRecall)} over ${all.highLabels} labels (target >= ${TARGET_HIGH_RECALL}) ${recallOk ? 'met' : 'MISSED'}`,
  );
  print(
    `False high alarms: ${all.falseHighAlarms} of ${all.negatives} phrases without a signal = ${pct(falseHigh)} (target <= ${pct(TARGET_FALSE_HIGH)}) ${falseOk ? 'met' : 'MISSED'}`,
  );
  if (showMisses && all.misses.length > 0) {
    print('\nWrong:');
    for (const m of all.misses) {
      const what = [
        m.missed.length ? `missed ${m.missed.join(',')}` : '',
        m.extra.length ? `raised ${m.extra.join(',')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      print(`  ${m.phrase.language}:${m.phrase.line}  ${what}  | ${m.phrase.text}`);
    }
  }
  return recallOk && falseOk;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Microseconds per call, each message timed alone over several rounds. */
function timePerMessage(texts: string[], rounds: number): number[] {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const start = process.hrtime.bigint();
      readSignals(t);
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  return times.sort((a, b) => a - b);
}

/** 2,000-character texts of repeated trigger words: the worst the reader meets. */
export function worstCases(): Record<string, string> {
  const fill = (unit: string): string => unit.repeat(Math.ceil(2000 / unit.length)).slice(0, 2000);
  return {
    'wurg wurg …': fill('wurg '),
    'hij heeft me gewurgd …': fill('hij heeft me gewurgd '),
    'mes mes …': fill('mes '),
    'hij me hij me …': fill('hij me '),
    'keel keel …': fill('keel '),
    'niet niet …': fill('niet '),
    'kinderen slaat …': fill('kinderen slaat '),
    'kill me kill me …': fill('kill me '),
    'سيقتلني …': fill('سيقتلني '),
    'one 2,000-letter word': fill('a'),
    'emoji 🔪🔫 …': fill('🔪🔫 '),
    'mixed five languages': fill("hij komt eraan he's coming زوجي خنقني beni öldürecek zabiję cię "),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { misses: { type: 'boolean' }, strict: { type: 'boolean' } } });
  const print = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  const tuning = loadSet(fixtures);
  const heldOut = loadSet(join(fixtures, 'heldout'));
  const okTuning = report('Tuning set (test/fixtures/signals/*.tsv)', tuning, values.misses ?? false, print);
  const okHeld = report(
    'Held-out set (test/fixtures/signals/heldout/*.tsv, never tuned on)',
    heldOut,
    values.misses ?? false,
    print,
  );

  const texts = [...tuning, ...heldOut].map((p) => p.text);
  timePerMessage(texts, 20); // warm-up: JIT and the fold cache
  const times = timePerMessage(texts, 50);
  print(
    `\nTime per message (${texts.length} phrases x 50 rounds, one call timed at a time, Node ${process.version}):`,
  );
  print(
    `  median ${quantile(times, 0.5).toFixed(1)} µs, p99 ${quantile(times, 0.99).toFixed(1)} µs, max ${times[times.length - 1]!.toFixed(1)} µs`,
  );
  print('2,000-character worst cases (median of 50 calls each):');
  let worst = 0;
  for (const [name, text] of Object.entries(worstCases())) {
    timePerMessage([text], 10);
    const t = quantile(timePerMessage([text], 50), 0.5);
    worst = Math.max(worst, t);
    print(`  ${padEnd(name, 26)} ${pad(t.toFixed(0), 6)} µs`);
  }
  print(`  worst: ${worst.toFixed(0)} µs`);
  return values.strict && !(okTuning && okHeld) ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
