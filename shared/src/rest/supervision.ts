import { z } from 'zod';
import { operatorStatuses } from '../protocol/operator.ts';
import { conversationSchema } from './conversations.ts';

const count = z.number().int().min(0);

/** A colleague signed in to the console (`GET /api/colleagues`). */
export const colleagueSchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  status: z.enum(operatorStatuses),
  load: count,
  capacity: count,
  /** Whether a console of theirs is connected right now. */
  connected: z.boolean(),
});
export type Colleague = z.output<typeof colleagueSchema>;

/** An operator in the supervisor overview: a colleague, with how their shift went. */
export const overviewOperatorSchema = colleagueSchema.extend({
  /** Version 2: high-risk or acute conversations that ended in their hands this shift. */
  highRiskThisShift: count,
  /** Version 2: when their last break began (ISO). */
  lastBreakAt: z.string().optional(),
  /** Version 2: while on a break after a high-risk conversation, when it ends (ISO). */
  breakUntil: z.string().optional(),
});
export type OverviewOperator = z.output<typeof overviewOperatorSchema>;

/** `GET /api/supervisor/overview` → 200 (supervisors and admins). */
export const overviewResponseSchema = z.object({
  conversations: z.array(conversationSchema),
  operators: z.array(overviewOperatorSchema),
});

/** `GET /api/colleagues` → 200: who a conversation can be handed to. */
export const colleaguesResponseSchema = z.object({ colleagues: z.array(colleagueSchema) });
