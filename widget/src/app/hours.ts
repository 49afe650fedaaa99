import type { Hours, Weekday } from '@stille-lijn/shared/domain/lines';
import type { Language } from './i18n.ts';

/** Monday first, as `weekly` is written (ISO order). */
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface DayHours {
  day: Weekday;
  /** The weekday's name in the visitor's language, from the browser's own locale data. */
  name: string;
  /** Opening windows as written in the file (Europe/Amsterdam wall clock), `'09:00–17:00'`; empty when closed. */
  windows: string[];
}

/**
 * A line's week for the closed screen, Monday first; undefined for a line open day and night.
 * Times stay as the file gives them (the line's own time zone, normally Amsterdam); the screen
 * says so. A window past midnight reads `22:00–02:00` on the day it opens.
 * @example weekHours({ tz: 'Europe/Amsterdam', weekly: { mon: [['09:00', '17:00']] } }, 'nl')?.[0] // { day: 'mon', name: 'maandag', windows: ['09:00–17:00'] }
 */
export function weekHours(hours: Hours, lang: Language): DayHours[] | undefined {
  if (hours === '24/7') return undefined;
  let names: Intl.DateTimeFormat;
  try {
    names = new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' });
  } catch {
    names = new Intl.DateTimeFormat('nl', { weekday: 'long', timeZone: 'UTC' });
  }
  return WEEKDAYS.map((day, i) => ({
    day,
    // 2024-01-01 was a Monday.
    name: names.format(new Date(Date.UTC(2024, 0, 1 + i))),
    windows: (hours.weekly[day] ?? []).map(([from, to]) => `${from}–${to}`),
  }));
}
