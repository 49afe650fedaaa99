import type { PublicLine } from '@stille-lijn/shared/domain/lines';
import type { MAX_TEXT_LENGTH } from '@stille-lijn/shared/protocol';

/** The protocol's text limit, typed so that it cannot drift from `common.ts` (a value import would pull in full zod). */
export const MAX_TEXT: typeof MAX_TEXT_LENGTH = 2000;
/** The character counter appears this close to the limit. */
export const COUNTER_FROM = MAX_TEXT - 200;

/** What the server tells the page (a JSON data block, `#sl-config`; no inline script). */
export interface AppConfig {
  /** Where quick exit goes (QUICK_EXIT_URL). */
  quickExitUrl: string;
  /** From this upper end of the estimate on, the alternatives are shown (WAIT_ALTERNATIVES_S). */
  waitAlternativesSeconds: number;
  /** How long a return code works after leaving (RETURN_WINDOW_MIN). */
  returnWindowMinutes: number;
  /** Origins allowed to embed the chat (EMBED_ORIGINS); the host origin must be one of them. */
  embedOrigins: string[];
  /** The line this page serves (`/chat?line=`, else the first line): its name, hours, and whether it takes conversations. */
  line: PublicLine | undefined;
}

const defaults: AppConfig = {
  quickExitUrl: 'https://www.buienradar.nl/',
  waitAlternativesSeconds: 600,
  returnWindowMinutes: 15,
  embedOrigins: [],
  line: undefined,
};

export function readConfig(): AppConfig {
  let raw: Partial<Record<keyof AppConfig, unknown>> = {};
  try {
    raw = JSON.parse(document.getElementById('sl-config')?.textContent ?? '{}');
  } catch {
    // A broken block leaves the defaults in place.
  }
  const pick = <K extends keyof AppConfig>(key: K, ok: (v: unknown) => boolean): AppConfig[K] =>
    (ok(raw[key]) ? raw[key] : defaults[key]) as AppConfig[K];
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return {
    quickExitUrl: pick('quickExitUrl', (v) => typeof v === 'string' && /^https?:\/\//.test(v)),
    waitAlternativesSeconds: pick('waitAlternativesSeconds', isNumber),
    returnWindowMinutes: pick('returnWindowMinutes', isNumber),
    embedOrigins: pick('embedOrigins', (v) => Array.isArray(v) && v.every((o) => typeof o === 'string')),
    line: pick('line', isPublicLine),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The shape the page's line must have to be used (the server built it from `lineSchema`;
 * a check here keeps full zod out of the bundle): windows are pairs of `HH:MM`.
 */
function isPublicLine(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const { id, name, languages, hours, open } = v;
  const clock = (c: unknown) => typeof c === 'string' && /^\d\d:\d\d$/.test(c);
  const hoursOk =
    hours === '24/7' ||
    (isRecord(hours) &&
      typeof hours.tz === 'string' &&
      isRecord(hours.weekly) &&
      Object.values(hours.weekly).every(
        (day) => Array.isArray(day) && day.every((w) => Array.isArray(w) && w.length === 2 && w.every(clock)),
      ));
  return (
    typeof id === 'string' &&
    typeof name === 'string' &&
    Array.isArray(languages) &&
    typeof open === 'boolean' &&
    hoursOk
  );
}
