import type { Conversation } from '@stille-lijn/shared';
import {
  type Colleague,
  colleaguesResponseSchema,
  myConversationsResponseSchema,
  type OverviewOperator,
  overviewResponseSchema,
} from '@stille-lijn/shared/rest';
import type { z } from 'zod';
import { type ApiResult, apiRequest, mapResult } from './rest.ts';

export type { Colleague, OverviewOperator };

export interface Overview {
  /** The active conversations, whoever holds them. */
  conversations: Conversation[];
  /** Sorted by name. */
  operators: OverviewOperator[];
}

const byName = <T extends { displayName: string }>(list: readonly T[]): T[] =>
  [...list].sort((a, b) => a.displayName.localeCompare(b.displayName));

/** The overview as the console shows it: operators sorted by name. */
export function overviewFrom(body: z.output<typeof overviewResponseSchema>): Overview {
  return { conversations: body.conversations, operators: byName(body.operators) };
}

/** `GET /api/supervisor/overview` (supervisors and admins). */
export async function fetchOverview(): Promise<ApiResult<Overview>> {
  return mapResult(
    await apiRequest('/api/supervisor/overview', { schema: overviewResponseSchema }),
    overviewFrom,
  );
}

/** `GET /api/colleagues`: the colleagues signed in now, to hand a conversation to. */
export async function fetchColleagues(): Promise<ApiResult<Colleague[]>> {
  return mapResult(
    await apiRequest('/api/colleagues', { schema: colleaguesResponseSchema }),
    (b) => b.colleagues,
  );
}

/** `GET /api/conversations`: the caller's active conversations and those recently ended in their hands. */
export async function fetchMyConversations(): Promise<ApiResult<Conversation[]>> {
  const res = await apiRequest('/api/conversations', { schema: myConversationsResponseSchema });
  return mapResult(res, (b) => b.conversations);
}
