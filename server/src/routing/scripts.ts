import { luaScript } from '../redis/scripts.ts';

const file = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);
const strings = (r: unknown) => (r as (string | null)[]).map((v) => v ?? '');

export const assignScript = luaScript({
  file: file('assign'),
  keys: [
    'conversation',
    'waiting',
    'held',
    'waitingAway',
    'operatorConversations',
    'active',
    'routeOperator',
    'stats',
    'statsDay',
    'statsDayWaits',
    'fallback',
  ],
  args: [
    'id',
    'operatorId',
    'operatorName',
    'capacity',
    'now',
    'language',
    'requireAvailable',
    'ewmaAlpha',
    'statsTtlMs',
    'line',
    'servedLine',
    'firstLine',
    'movedBy',
    'retryWindowMs',
  ],
  decode: (r) => {
    const [status, waitingSince, third] = strings(r);
    if (status === 'ok') return { status, waitingSince: Number(waitingSince), load: Number(third) } as const;
    if (status === 'held')
      return { status, waitingSince: Number(waitingSince), assignedAt: Number(third) } as const;
    return { status: status as 'not_found' | 'conflict' | 'full' | 'unavailable' | 'retry' };
  },
});

export const requeueScript = luaScript({
  file: file('requeue'),
  keys: ['conversation', 'notes', 'operatorConversations', 'waiting', 'active', 'waitingAway', 'fallback'],
  args: [
    'id',
    'operatorId',
    'sealedNote',
    'language',
    'urgentOffset',
    'fallbackShift',
    'signalOffset',
    'line',
    'toLine',
    'firstLine',
    'movedBy',
    'now',
    'retryWindowMs',
  ],
  decode: (r) => {
    const [status, noteId, movedAt, urgent] = strings(r);
    return {
      status: status as 'ok' | 'moved' | 'conflict' | 'forbidden' | 'retry',
      /** The note the move stored ('ok', 'moved'); '' for none. */
      noteId: noteId ?? '',
      /** When the move was made ('ok', 'moved'): with the conversation, it names the move. */
      movedAt: movedAt ?? '',
      urgent: urgent === '1',
    };
  },
});

export const transferScript = luaScript({
  file: file('transfer'),
  keys: ['conversation', 'notes', 'fromConversations', 'toConversations'],
  args: [
    'id',
    'fromOperatorId',
    'toOperatorId',
    'toName',
    'toCapacity',
    'now',
    'sealedNote',
    'movedBy',
    'retryWindowMs',
  ],
  decode: (r) => {
    const [status, noteId, assignedAt] = strings(r);
    return {
      status: status as 'ok' | 'moved' | 'conflict' | 'forbidden' | 'full',
      /** The note the move stored ('ok', 'moved'); '' for none. */
      noteId: noteId ?? '',
      /** When the move was made ('ok', 'moved'): with the conversation, it names the move. */
      assignedAt: assignedAt ?? '',
    };
  },
});

export const holdWaiterScript = luaScript({
  file: file('hold-waiter'),
  keys: ['conversation', 'waiting', 'held', 'waitingAway', 'fallback'],
  args: ['id', 'language', 'line', 'firstLine'],
  decode: (r) => strings(r)[0] === 'held',
});

export const unholdWaiterScript = luaScript({
  file: file('unhold-waiter'),
  keys: ['conversation', 'waiting', 'held', 'waitingAway', 'fallback'],
  args: ['id', 'language', 'fallbackShift', 'line', 'firstLine'],
  decode: (r) => strings(r)[0] as 'back' | 'not_held' | 'retry',
});

export const moveWaitingScript = luaScript({
  file: file('move-waiting'),
  keys: ['legacyWaiting', 'conversation', 'waiting'],
  args: ['id', 'language', 'line', 'firstLine'],
  decode: (r) => Number(r) === 1,
});

export const fallbackScript = luaScript({
  file: file('fallback'),
  keys: ['conversation', 'waiting', 'fallback'],
  args: ['id', 'language', 'fallbackShift', 'line', 'firstLine'],
  decode: (r) => Number(r) === 1,
});
