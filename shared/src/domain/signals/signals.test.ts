import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as sharedIndex from '../../index.ts';
import { SIGNAL_CATEGORIES, SIGNAL_WEIGHT, type SignalCategory } from './categories.ts';
import { readSignals, SIGNAL_LANGUAGES } from './index.ts';
import { compileLexicon } from './matcher.ts';

const categories = (text: string, language?: string): SignalCategory[] =>
  readSignals(text, language).map((h) => h.category);
/** The words that raised `category`, cut from the original text by the spans. */
const words = (text: string, category: SignalCategory): string[] =>
  readSignals(text)
    .find((h) => h.category === category)
    ?.spans.map((s) => text.slice(s.start, s.end)) ?? [];

describe('the categories', () => {
  it('are the eight of the protocol, the first four high', () => {
    expect(SIGNAL_CATEGORIES).toEqual([
      'strangulation',
      'weapon',
      'threat-to-kill',
      'imminent',
      'children-at-risk',
      'suicide',
      'sexual-violence',
      'injury',
    ]);
    expect(SIGNAL_CATEGORIES.filter((c) => SIGNAL_WEIGHT[c] === 'high')).toEqual(
      SIGNAL_CATEGORIES.slice(0, 4),
    );
  });

  it('are exported from the shared index, which does not load the lexicons', () => {
    expect(sharedIndex.SIGNAL_CATEGORIES).toBe(SIGNAL_CATEGORIES);
    const index = readFileSync(new URL('../../index.ts', import.meta.url), 'utf8');
    expect(index).toContain('./domain/signals/categories.ts');
    expect(index).not.toMatch(/signals\/index|lexicon/u);
    const categoriesSource = readFileSync(new URL('./categories.ts', import.meta.url), 'utf8');
    expect(categoriesSource).not.toMatch(/^import /mu);
  });

  it('has the reader only behind the @stille-lijn/shared/signals subpath', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(pkg.exports['./signals']).toBe('./src/domain/signals/index.ts');
  });
});

describe('readSignals, Dutch as typed on a phone', () => {
  it.each([
    ['strangulation', 'hij heeft me gewurgd'],
    ['strangulation', 'wurgde me gisteren'],
    ['strangulation', 'mijn keel dichtgeknepen'],
    ['strangulation', "hij heeft me bij m'n keel gepakt"],
    ['weapon', 'hij heeft een mes'],
    ['weapon', 'hij bedreigde me met een pistool'],
    ['threat-to-kill', 'hij zegt dat hij me vermoordt'],
    ['threat-to-kill', 'hij zegt dat ie me vermoord'],
    ['imminent', 'hij staat voor de deur'],
    ['imminent', 'hij komt eraan'],
    ['children-at-risk', 'hij slaat de kinderen'],
    ['suicide', 'ik wil niet meer leven'],
    ['sexual-violence', 'hij heeft me verkracht'],
    ['injury', 'ik heb overal blauwe plekken'],
  ] as const)('reads %s in "%s"', (category, text) => {
    expect(categories(text, 'nl')).toEqual([category]);
  });

  it('finds the issue’s first message: strangulation, high', () => {
    const text = 'Mijn vriend heeft me gisteren bij mijn keel gepakt. Ik durf niet te bellen.';
    expect(readSignals(text, 'nl')).toEqual([
      { category: 'strangulation', weight: 'high', spans: [{ start: 30, end: 50 }] },
    ]);
    expect(words(text, 'strangulation')).toEqual(['bij mijn keel gepakt']);
  });

  it('tells "zo\'n" from "zoon", although both squeeze to "zon"', () => {
    expect(categories("mijn ribben doen zo'n pijn, hij slaat me")).toEqual([]);
    expect(categories('hij slaat mijn zoon')).toEqual(['children-at-risk']);
  });

  it('reads stretched letters, capitals and missing spaces around punctuation', () => {
    expect(categories('HIJ KOMT ERAAAAN!!!')).toEqual(['imminent']);
    expect(categories('hij heeft me gewurgd.hij komt eraan')).toEqual(['strangulation', 'imminent']);
  });
});

describe('readSignals, English', () => {
  it.each([
    ['strangulation', 'he strangled me'],
    ['strangulation', 'he grabbed me by the throat'],
    ['weapon', 'he held a knife to my throat'],
    ['threat-to-kill', "he said he's gonna kill me"],
    ['imminent', "he's on his way here"],
    ['children-at-risk', 'he hits the kids'],
    ['suicide', 'i want to die'],
    ['sexual-violence', 'he raped me'],
    ['injury', 'he broke my nose'],
  ] as const)('reads %s in "%s"', (category, text) => {
    expect(categories(text, 'en')).toEqual([category]);
  });
});

describe('readSignals, Arabic, Turkish and Polish: the four high categories', () => {
  it.each([
    ['strangulation', 'ar', 'خنقني زوجي'],
    ['weapon', 'ar', 'هددني بالسكين'],
    ['threat-to-kill', 'ar', 'قال انه سيقتلني'],
    ['imminent', 'ar', 'هو عند الباب'],
    ['strangulation', 'tr', 'beni boğmaya çalıştı'],
    ['weapon', 'tr', 'bıçakla tehdit etti'],
    ['threat-to-kill', 'tr', 'beni öldüreceğini söyledi'],
    ['imminent', 'tr', 'kapıyı kırmaya çalışıyor'],
    ['strangulation', 'pl', 'złapał mnie za gardło'],
    ['weapon', 'pl', 'groził mi nożem'],
    ['threat-to-kill', 'pl', 'powiedział że mnie zabije'],
    ['imminent', 'pl', 'stoi pod drzwiami'],
  ] as const)('reads %s in %s: "%s"', (category, language, text) => {
    expect(categories(text, language)).toEqual([category]);
  });

  it('knows the Turkish negative suffix: "öldürmedi" is no threat', () => {
    expect(categories('beni öldürmedi ama korkuyorum', 'tr')).toEqual([]);
  });
});

describe('spans', () => {
  it('map back to the original text through homoglyphs, zero-width characters and emoji', () => {
    const text = '😱😱 hij heeft me gе\u200bwurgd!!';
    expect(words(text, 'strangulation')).toEqual(['gе\u200bwurgd']);
  });

  it('are sorted, joined where they overlap, and one hit per category holds them all', () => {
    const text = 'hij wurgde me. later wurgde hij me weer';
    const hits = readSignals(text);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.spans.map((s) => text.slice(s.start, s.end))).toEqual(['wurgde', 'wurgde']);
    const overlapping = 'hij hield een mes tegen mijn keel';
    const weapon = readSignals(overlapping).find((h) => h.category === 'weapon')!;
    expect(weapon.spans).toHaveLength(1);
    expect(overlapping.slice(weapon.spans[0]!.start, weapon.spans[0]!.end)).toBe(
      'hield een mes tegen mijn keel',
    );
  });

  it('come in SIGNAL_CATEGORIES order with the protocol weights', () => {
    const hits = readSignals('ik wil dood. hij heeft een mes en hij komt eraan. hij wurgde me');
    expect(hits.map((h) => h.category)).toEqual(['strangulation', 'weapon', 'imminent', 'suicide']);
    for (const h of hits) expect(h.weight).toBe(SIGNAL_WEIGHT[h.category]);
  });
});

describe('negation and context', () => {
  it.each([
    'hij heeft me nooit gewurgd',
    'hij heeft geen mes',
    'hij heeft nooit gedreigd me te vermoorden',
    'hij wurgde me niet, hij duwde alleen',
    'nee hij is niet onderweg',
    "he didn't choke me",
    "he doesn't have a gun",
    "i'm not suicidal",
  ])('"%s" raises nothing', (text) => {
    expect(readSignals(text)).toEqual([]);
  });

  it('reads "niet meer" and "nooit zo" as the past, not as a negation', () => {
    expect(categories('hij wurgt me niet meer sinds mei')).toEqual(['strangulation']);
    expect(categories('hij heeft me nog nooit zo hard gewurgd')).toEqual(['strangulation']);
    expect(categories('ik weet niet of hij een mes heeft')).toEqual(['weapon']);
  });

  it.each([
    'mijn keel doet pijn van het huilen',
    'in de dierentuin zagen we een slang die een geit wurgde',
    'ik sneed de groente met een scherp mes',
    'we keken een film waarin iemand werd gewurgd',
    'mijn moeder komt eraan om me te helpen',
    'i choked on my food',
    'my boss will kill me if i am late lol',
  ])('"%s" raises nothing', (text) => {
    expect(readSignals(text)).toEqual([]);
  });

  it('leaves a negation inside a condition to the condition: "als je niet ophoudt, vermoord ik je"', () => {
    expect(categories('als je niet ophoudt vermoord ik je')).toEqual(['threat-to-kill']);
    expect(categories("if you don't shut up i'll kill you")).toEqual(['threat-to-kill']);
  });

  it('stops a negation at "maar" and "but"', () => {
    expect(categories('ik wilde niet maar hij wurgde me')).toEqual(['strangulation']);
    expect(categories('i said no but he raped me')).toEqual(['sexual-violence']);
    expect(categories('hij heeft geen mes maar wel een pistool')).toEqual(['weapon']);
  });

  it('keeps a threat with a knife although the knife came from the kitchen', () => {
    expect(categories('hij pakte een keukenmes en hield het tegen mijn keel')).toContain('weapon');
  });

  it('cancels only the sentence with the fiction word', () => {
    expect(categories('we keken een film. daarna heeft hij me gewurgd')).toEqual(['strangulation']);
  });
});

describe('languages', () => {
  it('reads a message that mixes Dutch and English, whatever the hint', () => {
    const text = 'hij heeft me gewurgd and now he is outside my door';
    for (const hint of ['nl', 'en', undefined]) {
      expect(categories(text, hint)).toEqual(['strangulation', 'imminent']);
    }
  });

  it('reads Dutch when the widget language was English, and Arabic inside a Dutch message', () => {
    expect(categories('hij komt eraan', 'en')).toEqual(['imminent']);
    expect(categories('mijn man zei سيقتلني', 'nl')).toEqual(['threat-to-kill']);
  });

  it('gives no signal and no error for a language without a lexicon', () => {
    for (const hint of ['de', 'xx', '', 'not a language']) {
      expect(() => readSignals('Er hat mich gewürgt und hat ein Messer.', hint)).not.toThrow();
    }
    expect(readSignals('Он сказал, что убьёт меня', 'ru')).toEqual([]);
    expect(readSignals('彼は私を殺すと言った', 'ja')).toEqual([]);
    expect(SIGNAL_LANGUAGES).toEqual(['nl', 'en', 'ar', 'tr', 'pl']);
  });

  it('gives nothing for empty or signal-free input', () => {
    expect(readSignals('')).toEqual([]);
    expect(readSignals('   \n\t ')).toEqual([]);
    expect(readSignals('hallo, is daar iemand?')).toEqual([]);
  });
});

describe('bounded time', () => {
  const fill = (unit: string): string => unit.repeat(Math.ceil(2000 / unit.length)).slice(0, 2000);

  it.each([
    'wurg ',
    'mes. ',
    'blauwe plek.\n',
    'hij heeft me gewurgd ',
    'hij me ',
    'mes ',
    'niet ',
    'kill me ',
    'سيقتلني ',
    '🔪🔫 ',
    'a',
    "hij komt eraan he's coming beni öldürecek zabiję cię ",
  ])('reads 2,000 characters of "%s" fast, with bounded output', (unit) => {
    const text = fill(unit);
    let hits = readSignals(text);
    let ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      hits = readSignals(text);
      ms = Math.min(ms, performance.now() - start);
    }
    // Measured at 0.5–3 ms on a busy 2-core machine; 100 ms would mean a blow-up, not noise.
    expect(ms).toBeLessThan(100);
    for (const h of hits) {
      expect(h.spans.length).toBeLessThanOrEqual(32);
      for (const s of h.spans) expect(s.end).toBeLessThanOrEqual(text.length);
    }
  });

  it('grows linearly: ten times the text takes nowhere near a hundred times as long', () => {
    const short = 'hij heeft me gewurgd en hij komt eraan met een mes. '.repeat(40);
    const long = short.repeat(10);
    // The fastest of several runs: other processes on the machine only ever add time.
    const fastest = (text: string): number => {
      readSignals(text);
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 7; i++) {
        const start = performance.now();
        readSignals(text);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    // Linear is about 10×; a quadratic step would be about 100×.
    expect(fastest(long)).toBeLessThan(fastest(short) * 30 + 50);
  });
});

describe('any input', () => {
  const trigger = fc.constantFrom(
    'hij',
    'me',
    'gewurgd',
    'keel',
    'mes',
    'niet',
    'nooit',
    'film',
    'komt',
    'eraan',
    'kill',
    "didn't",
    'سيقتلني',
    'öldürecek',
    'zabiję',
    '🔪',
    '\u200b',
    '.',
    ',',
    '\n',
  );
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(trigger, { maxLength: 80 }).map((ws) => ws.join(' ')),
  );

  it('never throws, and gives sorted, disjoint spans inside the text, one hit per category (property)', () => {
    fc.assert(
      fc.property(text, fc.option(fc.string({ maxLength: 5 }), { nil: undefined }), (t, language) => {
        const hits = readSignals(t, language);
        expect(new Set(hits.map((h) => h.category)).size).toBe(hits.length);
        expect(hits.map((h) => h.category)).toEqual(
          SIGNAL_CATEGORIES.filter((c) => hits.some((h) => h.category === c)),
        );
        for (const h of hits) {
          expect(h.spans.length).toBeGreaterThan(0);
          let previousEnd = -1;
          for (const s of h.spans) {
            expect(s.start).toBeGreaterThan(previousEnd);
            expect(s.end).toBeGreaterThan(s.start);
            expect(s.end).toBeLessThanOrEqual(t.length);
            previousEnd = s.end;
          }
        }
      }),
    );
  });
});

describe('lexicon patterns', () => {
  it('refuse a pattern that starts with a gap or an optional word, or a gap too wide', () => {
    const lexicon = (pattern: string) => ({
      language: 'xx',
      negations: [],
      fiction: [],
      categories: { weapon: { strong: [pattern] } },
    });
    expect(() => compileLexicon(lexicon('~2 mes'))).toThrow(/starts and ends/u);
    expect(() => compileLexicon(lexicon('mes? hij'))).toThrow(/starts and ends/u);
    expect(() => compileLexicon(lexicon('mes ~2'))).toThrow(/starts and ends/u);
    expect(() => compileLexicon(lexicon('hij ~9 mes'))).toThrow(/gap out of range/u);
    expect(() => compileLexicon(lexicon('hij ~3 mes'))).not.toThrow();
  });
});
