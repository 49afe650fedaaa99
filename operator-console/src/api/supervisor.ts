import { type Conversation, type OperatorStatus, operatorStatuses } from '@stille-lijn/shared';
import { type ApiResult, apiRequest } from './rest.ts';

/** An operator as the supervisor overview shows them. */
export interface OverviewOperator {
  id: string;
  displayName: string;
  status: OperatorStatus;
  load: number;
  capacity: number;
  /** Whether a console of theirs is connected right now. */
  connected: boolean;
}

export interface Overview {
  /** The active conversations, whoever holds them. */
  conversations: Conversation[];
  operators: OverviewOperator[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Conversations are taken as the server's typed shape once their identity fields check out. */
function conversationsFrom(list: unknown): Conversation[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.filter(
    (c): c is Conversation =>
      isRecord(c) &&
      typeof c.conversationId === 'string' &&
      typeof c.state === 'string' &&
      typeof c.role === 'string' &&
      Array.isArray(c.tags),
  );
}

export function operatorFrom(v: unknown): OverviewOperator | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.displayName !== 'string') return undefined;
  if (!isCount(v.load) || !isCount(v.capacity) || typeof v.connected !== 'boolean') return undefined;
  const status = (operatorStatuses as readonly unknown[]).includes(v.status)
    ? (v.status as OperatorStatus)
    : 'away';
  return {
    id: v.id,
    displayName: v.displayName,
    status,
    load: v.load,
    capacity: v.capacity,
    connected: v.connected,
  };
}

export function overviewFrom(body: unknown): Overview | undefined {
  if (!isRecord(body) || !Array.isArray(body.operators)) return undefined;
  const conversations = conversationsFrom(body.conversations);
  if (!conversations) return undefined;
  const operators = body.operators.flatMap((o) => {
    const op = operatorFrom(o);
    return op ? [op] : [];
  });
  operators.sort((a, b) => a.displayName.localeCompare(b.displayName));
  return { conversations, operators };
}

/** `GET /api/supervisor/overview` (supervisors and admins). */
export function fetchOverview(): Promise<ApiResult<Overview>> {
  return apiRequest('/api/supervisor/overview', { pick: overviewFrom });
}

/** `GET /api/colleagues`: the colleagues signed in now, to hand a conversation to. */
export function fetchColleagues(): Promise<ApiResult<OverviewOperator[]>> {
  return apiRequest('/api/colleagues', {
    pick: (body) =>
      isRecord(body) && Array.isArray(body.colleagues)
        ? body.colleagues.flatMap((o) => {
            const op = operatorFrom(o);
            return op ? [op] : [];
          })
        : undefined,
  });
}

/** `GET /api/conversations`: the caller's active conversations and those recently ended in their hands. */
export function fetchMyConversations(): Promise<ApiResult<Conversation[]>> {
  return apiRequest('/api/conversations', {
    pick: (body) => (isRecord(body) ? conversationsFrom(body.conversations) : undefined),
  });
}
