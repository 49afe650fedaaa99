import type { ConversationSignal } from '@stille-lijn/shared';
import { describe, expect, it } from 'vitest';
import { highlight } from './highlight.ts';

const sig = (
  category: ConversationSignal['category'],
  spans: [string, number, number][],
): ConversationSignal => ({
  category,
  weight: 'high',
  spans: spans.map(([messageId, start, end]) => ({ messageId, start, end })),
});

describe('highlight', () => {
  const text = 'hij heeft me bij mijn keel gepakt en hij heeft een mes';

  it('marks the ranges of this message only, keeping every character once and in order', () => {
    const s = highlight(text, 'm1', [sig('strangulation', [['m1', 22, 26]]), sig('weapon', [['m2', 0, 3]])]);
    expect(s).toEqual([
      { text: 'hij heeft me bij mijn ' },
      { text: 'keel', category: 'strangulation' },
      { text: ' gepakt en hij heeft een mes' },
    ]);
    expect(s.map((x) => x.text).join('')).toBe(text);
  });

  it('merges overlapping ranges and clamps ranges outside the text', () => {
    const s = highlight('abcdef', 'm', [
      sig('weapon', [
        ['m', 1, 4],
        ['m', 2, 5],
        ['m', 4, 99],
        ['m', -5, 0],
        ['m', 3, 3],
      ]),
    ]);
    expect(s).toEqual([
      { text: 'a' },
      { text: 'bcd', category: 'weapon' },
      { text: 'e', category: 'weapon' },
      { text: 'f', category: 'weapon' },
    ]);
    expect(s.map((x) => x.text).join('')).toBe('abcdef');
  });

  it('leaves text without signals, or a message not yet acknowledged, as one plain piece', () => {
    expect(highlight(text, 'm1', undefined)).toEqual([{ text }]);
    expect(highlight(text, undefined, [sig('weapon', [['m1', 0, 3]])])).toEqual([{ text }]);
  });

  it('keeps markup as text: a range inside "<b>" is only characters', () => {
    const s = highlight('<b>mes</b>', 'm', [sig('weapon', [['m', 3, 6]])]);
    expect(s).toEqual([{ text: '<b>' }, { text: 'mes', category: 'weapon' }, { text: '</b>' }]);
  });
});
