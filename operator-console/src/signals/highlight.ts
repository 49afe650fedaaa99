import type { ConversationSignal, SignalCategory } from '@stille-lijn/shared';

/** A piece of a message's text: plain, or words that raised a danger signal. */
export interface Segment {
  text: string;
  /** Set on words that raised a signal: the first category whose range covers them. */
  category?: SignalCategory;
}

/**
 * Splits a message's text into plain pieces and the ranges that raised danger signals, so
 * that the console can mark the words as text (never as HTML). Ranges come from the
 * server as UTF-16 offsets; out-of-range, empty or overlapping ones are clamped and merged,
 * never trusted.
 */
export function highlight(
  text: string,
  messageId: string | undefined,
  signals: readonly ConversationSignal[] | undefined,
): Segment[] {
  if (!messageId || !signals?.length) return [{ text }];
  const ranges: { start: number; end: number; category: SignalCategory }[] = [];
  for (const s of signals)
    for (const span of s.spans) {
      if (span.messageId !== messageId) continue;
      const start = Math.max(0, Math.min(text.length, Math.floor(span.start)));
      const end = Math.max(0, Math.min(text.length, Math.floor(span.end)));
      if (end > start) ranges.push({ start, end, category: s.category });
    }
  if (ranges.length === 0) return [{ text }];
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Segment[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.end <= at) continue;
    const start = Math.max(r.start, at);
    if (start > at) out.push({ text: text.slice(at, start) });
    out.push({ text: text.slice(start, r.end), category: r.category });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
