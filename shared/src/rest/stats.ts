import { z } from 'zod';
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
