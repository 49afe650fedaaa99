import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';
import { SIGNAL_CATEGORIES } from '../domain/signals/categories.ts';
import type { StatsResponse } from '../protocol/http.ts';
import { schemaOf } from './schema.ts';

const figure = z.number().finite().min(0);

/** `GET /api/stats` → 200: live figures, "today" being the UTC day. */
export const statsResponseSchema = schemaOf<StatsResponse>()(
  z.object({
    waiting: figure,
    longestWaitSeconds: figure,
    active: figure,
    operatorsAvailable: figure,
    operatorsBusy: figure,
    answeredToday: figure,
    endedToday: figure,
    abandonedToday: figure,
    medianWaitSecondsToday: figure,
    /** Version 2: today's danger signals per category (no ids, no words). */
    signalsToday: z.partialRecord(
      z.enum(SIGNAL_CATEGORIES),
      z.object({ raised: z.number().int().min(0), dismissed: z.number().int().min(0) }),
    ),
  }),
);

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** `GET /api/stats?line=`: one line's figures; without `line`, every line the caller may see. */
export const statsQuerySchema = z.object({ line: lineIdSchema.optional() });

/**
 * `GET /api/stats/daily?line=&from=&to=`: days in Europe/Amsterdam, inclusive; `to` defaults
 * to today and `from` to 29 days before `to`; at most 400 days back (older days are gone).
 */
export const dailyStatsQuerySchema = z.object({
  line: lineIdSchema.optional(),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
});
export type DailyStatsQuery = z.infer<typeof dailyStatsQuerySchema>;

/** One Amsterdam day of one line (or of the caller's lines together): counts only, no content. */
export const dailyFiguresSchema = z.object({
  date: dateSchema,
  started: z.number().int().min(0),
  answered: z.number().int().min(0),
  abandoned: z.number().int().min(0),
  urgent: z.number().int().min(0),
  medianWaitSeconds: figure,
  p90WaitSeconds: figure,
  reports: z.number().int().min(0),
});
export type DailyFigures = z.infer<typeof dailyFiguresSchema>;

/** `GET /api/stats/daily` → 200 (JSON; with `Accept: text/csv`, the same columns as CSV). */
export const dailyStatsResponseSchema = z.object({ days: z.array(dailyFiguresSchema) });
export type DailyStatsResponse = z.infer<typeof dailyStatsResponseSchema>;

/** The CSV header of `GET /api/stats/daily`, in column order. */
export const DAILY_CSV_COLUMNS = [
  'date',
  'started',
  'answered',
  'abandoned',
  'urgent',
  'medianWaitSeconds',
  'p90WaitSeconds',
  'reports',
] as const satisfies readonly (keyof DailyFigures)[];
