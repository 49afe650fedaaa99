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
}

const defaults: AppConfig = {
  quickExitUrl: 'https://www.buienradar.nl/',
  waitAlternativesSeconds: 600,
  returnWindowMinutes: 15,
  embedOrigins: [],
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
  };
}
