import { describe, expect, it } from 'vitest';
import { MAX_STORED_SPANS, newestSpans } from './service.ts';

const spansOf = (messageId: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ messageId, start: i * 4, end: i * 4 + 3 }));

describe('newestSpans', () => {
  it('keeps everything up to the cap', () => {
    const spans = [...spansOf('1-0', 30), ...spansOf('2-0', 34)];
    expect(newestSpans(spans)).toBe(spans);
  });

  it('drops the oldest messages whole, never half of one', () => {
    const spans = [...spansOf('1-0', 10), ...spansOf('2-0', 30), ...spansOf('3-0', 30), ...spansOf('4-0', 5)];
    const kept = newestSpans(spans);
    expect(kept.length).toBeLessThanOrEqual(MAX_STORED_SPANS);
    expect([...new Set(kept.map((s) => s.messageId))]).toEqual(['3-0', '4-0']);
    expect(kept).toHaveLength(35);
  });

  it('keeps the first spans of a newest message that alone exceeds the cap', () => {
    const kept = newestSpans([...spansOf('1-0', 3), ...spansOf('2-0', MAX_STORED_SPANS + 5)]);
    expect(kept).toEqual(spansOf('2-0', MAX_STORED_SPANS));
  });
});
