import type { Conversation, Message, Note } from '@stille-lijn/shared';
import { z } from 'zod';
import { type ApiResult, apiRequest, pathId } from './rest.ts';
import { type Overview, overviewFrom } from './supervisor.ts';

/** Version 2: the shift figures the overview adds per operator (supervisors only). */
export interface ShiftFigures {
  /** Conversations with a high risk level or acute danger that ended in their hands this shift. */
  highRiskThisShift: number;
  lastBreakAt: string | undefined;
  breakUntil: string | undefined;
}

export type OverviewWithShift = Overview & { shift: Record<string, ShiftFigures> };

const shiftSchema = z.object({
  id: z.string().min(1),
  highRiskThisShift: z.number().int().min(0).optional(),
  lastBreakAt: z.string().optional(),
  breakUntil: z.string().optional(),
});

/** The overview with each operator's shift figures, by operator id. */
export function overviewWithShiftFrom(body: unknown): OverviewWithShift | undefined {
  const overview = overviewFrom(body);
  if (!overview) return undefined;
  const list = (body as { operators?: unknown }).operators;
  const shift: Record<string, ShiftFigures> = {};
  for (const o of Array.isArray(list) ? list : []) {
    const parsed = shiftSchema.safeParse(o);
    if (!parsed.success) continue;
    const { id, highRiskThisShift, lastBreakAt, breakUntil } = parsed.data;
    shift[id] = { highRiskThisShift: highRiskThisShift ?? 0, lastBreakAt, breakUntil };
  }
  return { ...overview, shift };
}

/** `GET /api/supervisor/overview`, with the shift figures of version 2. */
export function fetchOverviewWithShift(): Promise<ApiResult<OverviewWithShift>> {
  return apiRequest('/api/supervisor/overview', { pick: overviewWithShiftFrom });
}

export interface ConversationRecord {
  conversation: Conversation;
  messages: Message[];
  notes: Note[];
}

const recordSchema = z.object({
  conversation: z.looseObject({
    conversationId: z.string().min(1),
    state: z.string(),
    role: z.string(),
    tags: z.array(z.string()),
  }),
  messages: z.array(
    z.object({
      messageId: z.string().min(1),
      from: z.enum(['visitor', 'operator', 'system']),
      text: z.string(),
      at: z.string(),
    }),
  ),
  notes: z.array(z.looseObject({ noteId: z.string().min(1), text: z.string(), at: z.string() })),
});

/**
 * `GET /api/conversations/:id`: a conversation the caller held, with its messages and
 * notes; the console reads an ended one this way after a reload.
 */
export function fetchConversationRecord(conversationId: string): Promise<ApiResult<ConversationRecord>> {
  return apiRequest(`/api/conversations/${pathId(conversationId)}`, {
    pick: (body) => {
      const parsed = recordSchema.safeParse(body);
      // The identity fields are checked; the rest is the server's typed shape.
      return parsed.success ? (body as ConversationRecord) : undefined;
    },
  });
}

const capacitiesSchema = z.object({
  operators: z.array(z.object({ id: z.string().min(1), capacity: z.number().int().min(1).optional() })),
});

/** `GET /api/admin/operators`: each account's own capacity, where an admin set one. */
export function fetchCapacities(): Promise<ApiResult<Record<string, number>>> {
  return apiRequest('/api/admin/operators', {
    pick: (body) => {
      const parsed = capacitiesSchema.safeParse(body);
      if (!parsed.success) return undefined;
      const out: Record<string, number> = {};
      for (const o of parsed.data.operators) if (o.capacity !== undefined) out[o.id] = o.capacity;
      return out;
    },
  });
}

/** `PATCH /api/admin/operators/:id { capacity }` (1–100; admins). The account's consoles reconnect with it. */
export function setAccountCapacity(id: string, capacity: number): Promise<ApiResult<number>> {
  return apiRequest(`/api/admin/operators/${pathId(id)}`, {
    method: 'PATCH',
    body: { capacity },
    pick: (body) => {
      const c = (body as { operator?: { capacity?: unknown } } | undefined)?.operator?.capacity;
      return typeof c === 'number' ? c : undefined;
    },
  });
}
