import type { Conversation, Message, Note } from '@stille-lijn/shared';
import {
  accountResponseSchema,
  accountsResponseSchema,
  conversationViewResponseSchema,
  overviewResponseSchema,
} from '@stille-lijn/shared/rest';
import type { z } from 'zod';
import { type ApiResult, apiRequest, mapResult, pathId } from './rest.ts';
import { type Overview, overviewFrom } from './supervisor.ts';

/** Version 2: the shift figures the overview adds per operator (supervisors only). */
export interface ShiftFigures {
  /** Conversations with a high risk level or acute danger that ended in their hands this shift. */
  highRiskThisShift: number;
  lastBreakAt: string | undefined;
  breakUntil: string | undefined;
}

export type OverviewWithShift = Overview & { shift: Record<string, ShiftFigures> };

/** The overview with each operator's shift figures, by operator id. */
export function overviewWithShiftFrom(body: z.output<typeof overviewResponseSchema>): OverviewWithShift {
  const shift: Record<string, ShiftFigures> = {};
  for (const { id, highRiskThisShift, lastBreakAt, breakUntil } of body.operators) {
    shift[id] = { highRiskThisShift, lastBreakAt, breakUntil };
  }
  return { ...overviewFrom(body), shift };
}

/** `GET /api/supervisor/overview`, with the shift figures of version 2. */
export async function fetchOverviewWithShift(): Promise<ApiResult<OverviewWithShift>> {
  const res = await apiRequest('/api/supervisor/overview', { schema: overviewResponseSchema });
  return mapResult(res, overviewWithShiftFrom);
}

export interface ConversationRecord {
  conversation: Conversation;
  messages: Message[];
  notes: Note[];
}

/**
 * `GET /api/conversations/:id`: a conversation the caller held, with its messages and
 * notes; the console reads an ended one this way after a reload.
 */
export function fetchConversationRecord(conversationId: string): Promise<ApiResult<ConversationRecord>> {
  return apiRequest(`/api/conversations/${pathId(conversationId)}`, {
    schema: conversationViewResponseSchema,
  });
}

/** `GET /api/admin/operators`: each account's own capacity, where an admin set one. */
export async function fetchCapacities(): Promise<ApiResult<Record<string, number>>> {
  const res = await apiRequest('/api/admin/operators', { schema: accountsResponseSchema });
  return mapResult(res, ({ operators }) => {
    const out: Record<string, number> = {};
    for (const o of operators) if (o.capacity !== undefined) out[o.id] = o.capacity;
    return out;
  });
}

/** `PATCH /api/admin/operators/:id { capacity }` (1–100; admins). The account's consoles reconnect with it. */
export async function setAccountCapacity(id: string, capacity: number): Promise<ApiResult<number>> {
  const res = await apiRequest(`/api/admin/operators/${pathId(id)}`, {
    method: 'PATCH',
    body: { capacity },
    schema: accountResponseSchema,
  });
  if (!res.ok) return res;
  const saved = res.data.operator.capacity;
  return saved === undefined ? { ok: false, kind: 'unavailable', fields: [] } : { ok: true, data: saved };
}
