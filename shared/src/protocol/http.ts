import { z } from 'zod';
import type { SignalCategory } from '../domain/signals/categories.ts';
import type { OperatorIdentity } from './operator.ts';

export const loginBodySchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  totp: z
    .string()
    .regex(/^[0-9]{6}$/)
    .optional(),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export interface LoginResponse {
  operator: OperatorIdentity;
}

/** `GET /api/stats`. "Today" is the UTC day. */
export interface StatsResponse {
  waiting: number;
  /** Seconds the longest-waiting visitor has waited; 0 when nobody waits. */
  longestWaitSeconds: number;
  active: number;
  /** Signed-in operators with status available. */
  operatorsAvailable: number;
  /** Signed-in operators with at least one active conversation. */
  operatorsBusy: number;
  /** Extension: conversations assigned today. */
  answeredToday: number;
  endedToday: number;
  /** Ended while still waiting. */
  abandonedToday: number;
  /** Extension: the median wait of today's answered conversations. */
  medianWaitSecondsToday: number;
  /**
   * Version 2: today's danger signals per category: how many conversations raised one, and
   * how many of those an operator dismissed as wrong (no ids, no words).
   */
  signalsToday: Partial<Record<SignalCategory, { raised: number; dismissed: number }>>;
}
