import { z } from 'zod';
import { type Language, languageSchema, languages } from '../protocol/common.ts';
import { type RegionId, regionIds } from './regions.ts';

/**
 * Lines: several helplines on one deployment (PROTOCOL.md, "Lines"). A line has its
 * languages, opening hours, embed origins, default Veilig Thuis region and an overflow
 * line. This module holds the file format (`LINES_FILE`), its checks, and the clock:
 * whether a line is open, in Europe/Amsterdam or the line's own time zone.
 */

/** A line id: lower-case letters, digits and dashes, 1–40 characters. @example 'utrecht' */
export const lineIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);
export type LineId = string;

/** The id of the one line a deployment without `LINES_FILE` has. */
export const DEFAULT_LINE_ID = 'default';
/** Days in `weekly`, Monday first (ISO order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** The zone figures and hours are kept in unless a line says otherwise. */
export const LINES_TIME_ZONE = 'Europe/Amsterdam';

const clockSchema = z.string().regex(/^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'HH:MM');
/**
 * One opening window, `['09:00', '17:00']`. An end at or before the start runs past
 * midnight into the next day (`['22:00', '02:00']`); `'24:00'` ends at midnight.
 */
const windowSchema = z.tuple([clockSchema, clockSchema]);
export type OpeningWindow = [string, string];

export const weeklyHoursSchema = z.strictObject({
  tz: z.string().refine(isTimeZone, 'unknown time zone'),
  weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(windowSchema)),
});
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>;
export const hoursSchema = z.union([z.literal('24/7'), weeklyHoursSchema]);
export type Hours = z.infer<typeof hoursSchema>;

/** An embedding page's origin, `https://example.nl` (no path); `'*'` is not allowed. */
const originSchema = z
  .string()
  .regex(/^https?:\/\/[^/\s]+$/, 'an origin such as https://example.nl, without a path');

/** One entry of `LINES_FILE`. */
export const lineSchema = z.strictObject({
  id: lineIdSchema,
  name: z.string().trim().min(1).max(80),
  languages: z.array(languageSchema).min(1),
  hours: hoursSchema,
  overflowTo: lineIdSchema.optional(),
  /** Seconds a conversation waits on this line before `overflowTo` may take it too. */
  overflowAfterS: z.number().int().min(0).max(86_400).optional(),
  embedOrigins: z.array(originSchema),
  region: z.enum(regionIds).optional(),
});
export type Line = z.infer<typeof lineSchema>;

/** The line of a deployment without `LINES_FILE`: open 24/7, every language. */
export function defaultLine(embedOrigins: readonly string[] = []): Line {
  return {
    id: DEFAULT_LINE_ID,
    name: 'Stille Lijn',
    languages: [...languages],
    hours: '24/7',
    embedOrigins: [...embedOrigins],
  };
}

/**
 * Reads the text of a `LINES_FILE`. Returns the lines, or one readable problem per fault:
 * a bad field, a duplicate id, an unknown overflow target, an overflow cycle, bad hours
 * or an unknown region (each prefixed with the line's id or position).
 * @example parseLines('[{"id":"a","name":"A","languages":["nl"],"hours":"24/7","embedOrigins":[]}]').lines[0].id // 'a'
 */
export function parseLines(text: string): { lines: Line[]; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { lines: [], problems: [`not valid JSON (${(err as Error).message})`] };
  }
  if (!Array.isArray(json)) return { lines: [], problems: ['must be a JSON array of lines'] };
  if (json.length === 0) return { lines: [], problems: ['holds no line'] };
  const problems: string[] = [];
  const lines: Line[] = [];
  json.forEach((entry, i) => {
    const label = lineLabel(entry, i);
    const r = lineSchema.safeParse(entry);
    if (r.success) {
      lines.push(r.data);
      return;
    }
    for (const issue of r.error.issues) {
      const field = issue.path.join('.') || '(line)';
      const what =
        issue.path[0] === 'region'
          ? `unknown region (VR01…VR25)`
          : issue.path[0] === 'hours'
            ? `bad hours: ${hoursProblem(issue)}`
            : issue.message;
      problems.push(`${label}: ${field}: ${what}`);
    }
  });
  const seen = new Set<string>();
  for (const entry of json) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') continue;
    if (seen.has(id)) problems.push(`line "${id}": duplicate id`);
    seen.add(id);
  }
  for (const line of lines) {
    if (line.overflowTo === undefined) continue;
    if (line.overflowTo === line.id) problems.push(`line "${line.id}": overflowTo points to itself`);
    else if (!seen.has(line.overflowTo))
      problems.push(`line "${line.id}": overflowTo "${line.overflowTo}" is not a line`);
  }
  for (const cycle of overflowCycles(lines)) {
    problems.push(`overflow cycle: ${cycle.join(' → ')}`);
  }
  return problems.length > 0 ? { lines: [], problems } : { lines, problems };
}

function lineLabel(entry: unknown, i: number): string {
  const id = (entry as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 40 ? `line "${id}"` : `line #${i + 1}`;
}

function hoursProblem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    return `'24/7' or { tz, weekly: { mon…sun: [['HH:MM', 'HH:MM'], …] } }`;
  }
  return issue.message;
}

/** Each overflow cycle once, as the ids along it with the first repeated at the end. */
function overflowCycles(lines: readonly Line[]): string[][] {
  const next = new Map(lines.map((l) => [l.id, l.overflowTo]));
  const reported = new Set<string>();
  const cycles: string[][] = [];
  for (const start of next.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !path.includes(at) && next.has(at)) {
      path.push(at);
      at = next.get(at);
    }
    if (at === undefined || !path.includes(at) || at === path[path.length - 1]) continue;
    const cycle = path.slice(path.indexOf(at));
    const key = [...cycle].sort().join(',');
    if (reported.has(key) || cycle.length < 2) continue;
    reported.add(key);
    cycles.push([...cycle, at]);
  }
  return cycles;
}

/**
 * The lines a conversation of `lineId` may overflow to, nearest first; safe against
 * cycles (each line at most once, never `lineId` itself).
 * @example overflowChain(new Map([['a', { overflowTo: 'b' }], ['b', {}]]), 'a') // ['b']
 */
export function overflowChain(
  lines: ReadonlyMap<string, Pick<Line, 'overflowTo'>>,
  lineId: string,
): string[] {
  const chain: string[] = [];
  let at = lines.get(lineId)?.overflowTo;
  while (at !== undefined && at !== lineId && !chain.includes(at) && lines.has(at)) {
    chain.push(at);
    at = lines.get(at)?.overflowTo;
  }
  return chain;
}

// ---------------------------------------------------------------------------------
// The clock

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at `at`: ISO weekday, `YYYY-MM-DD` date and minutes since midnight. */
export function wallClock(
  at: Date,
  tz: string = LINES_TIME_ZONE,
): { weekday: Weekday; date: string; minutes: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(at)) parts[p.type] = p.value;
  const weekday = (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday;
  return {
    weekday,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/**
 * The day `at` falls on in Europe/Amsterdam, `YYYY-MM-DD`: the day daily figures count it on.
 * @example amsterdamDate(new Date('2026-03-28T23:30:00Z')) // '2026-03-29'
 */
export function amsterdamDate(at: Date): string {
  return wallClock(at, LINES_TIME_ZONE).date;
}

function toMinutes(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/**
 * Whether a line with these hours is open at `at`. A window whose end is at or before its
 * start runs past midnight: `sat: [['22:00', '02:00']]` is open Saturday 22:00 to Sunday
 * 02:00. Wall-clock times follow the zone's daylight-saving changes.
 * @example isOpen('24/7', new Date()) // true
 */
export function isOpen(hours: Hours, at: Date): boolean {
  if (hours === '24/7') return true;
  const { weekday, minutes } = wallClock(at, hours.tz);
  const today = WEEKDAYS.indexOf(weekday);
  const yesterday = WEEKDAYS[(today + 6) % 7] as Weekday;
  for (const [from, to] of hours.weekly[weekday] ?? []) {
    const start = toMinutes(from);
    const end = toMinutes(to);
    if (end > start ? minutes >= start && minutes < end : minutes >= start) return true;
  }
  for (const [from, to] of hours.weekly[yesterday] ?? []) {
    const start = toMinutes(from);
    const end = toMinutes(to);
    if (end <= start && minutes < end) return true;
  }
  return false;
}

/** Whether the line takes conversations in `language`. */
export function lineSpeaks(line: Pick<Line, 'languages'>, language: Language): boolean {
  return line.languages.includes(language);
}

/** A line as the widget may see it: its name and hours, never its origins or overflow. */
export interface PublicLine {
  id: string;
  name: string;
  languages: Language[];
  hours: Hours;
  /** Whether it takes conversations now, directly or through its overflow. */
  open: boolean;
}

export type { RegionId };
