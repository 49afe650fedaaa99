import { z } from 'zod';
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

export interface StatsResponse {
  waiting: number;
  longestWaitSeconds: number;
  active: number;
  operatorsAvailable: number;
  operatorsBusy: number;
  endedToday: number;
  abandonedToday: number;
}
