import { type CannedResponse, SAFETY_CHECK_ID } from './catalogue.ts';

/** Lower case, without accents, single spaces: "Ingesteld Één" → "ingesteld een". */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** @default 8 */
export const MAX_CANNED_RESULTS = 8;

/**
 * Canned responses matching every word of `query` (in title, text, keywords or id),
 * title matches first, the visitor's language before the other, the safety check first
 * among equals.
 */
export function searchCanned(
  catalogue: readonly CannedResponse[],
  query: string,
  preferredLanguage: string,
  limit: number = MAX_CANNED_RESULTS,
): CannedResponse[] {
  const words = normalise(query).split(' ').filter(Boolean);
  const scored: { item: CannedResponse; rank: number; index: number }[] = [];
  catalogue.forEach((item, index) => {
    const title = normalise(item.title);
    const haystack = `${title} ${normalise(item.text)} ${normalise(item.keywords.join(' '))} ${item.id}`;
    if (!words.every((w) => haystack.includes(w))) return;
    let rank = 0;
    if (item.language !== preferredLanguage) rank += 10;
    if (words.length > 0 && !words.every((w) => title.includes(w))) rank += 1;
    if (words.length > 0 && words[0] !== undefined && title.startsWith(words[0])) rank -= 1;
    // The opening safety check is what operators reach for most.
    if (item.id === SAFETY_CHECK_ID) rank -= 0.5;
    scored.push({ item, rank, index });
  });
  scored.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return scored.slice(0, limit).map((s) => s.item);
}

export interface SlashQuery {
  /** Index of the `/` in the text. */
  start: number;
  /** What follows the slash, up to the caret. */
  query: string;
}

/**
 * The `/query` being typed at the caret, if any. The slash must start the text or
 * follow whitespace, so "en/of" or a URL does not open the list.
 */
export function findSlashQuery(value: string, caret: number): SlashQuery | undefined {
  const before = value.slice(0, caret);
  const match = /(^|\s)\/([^\n/]{0,40})$/.exec(before);
  if (!match) return undefined;
  const start = match.index + (match[1] ?? '').length;
  return { start, query: match[2] ?? '' };
}

/** Replaces the `/query` token (from `start` to `caret`) with `text`; returns the new caret too. */
export function replaceSlashQuery(
  value: string,
  start: number,
  caret: number,
  text: string,
): { value: string; caret: number } {
  const next = value.slice(0, start) + text + value.slice(caret);
  return { value: next, caret: start + text.length };
}
