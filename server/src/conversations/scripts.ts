import { luaScript } from '../redis/scripts.ts';

const file = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);
const strings = (r: unknown) => (r as (string | null)[]).map((v) => v ?? '');

export const startScript = luaScript({
  file: file('start'),
  keys: [
    'conversation',
    'messages',
    'waiting',
    'open',
    'blocked',
    'resumeToken',
    'returnCode',
    'starts',
    'presence',
    'openNetwork',
    'startsNetwork',
  ],
  args: [
    'id',
    'now',
    'language',
    'urgent',
    'role',
    'addr',
    'openLimit',
    'sealedText',
    'textBytes',
    'socketId',
    'score',
    'openTtlMs',
    'signalTier',
    'line',
    'startLimit',
    'startWindowMs',
    'presenceUntil',
    'net',
    'netOpenLimit',
    'netStartLimit',
  ],
  decode: (r) => {
    const [status, rank, messageId = ''] = strings(r);
    if (status === 'ok') return { status, rank: Number(rank), messageId } as const;
    // The second field of 'start_limit': the ms until the address's (or network's) window ends.
    if (status === 'start_limit') return { status, retryMs: Number(rank) } as const;
    return { status: status as 'blocked' | 'limit' | 'clash' };
  },
});

export const endScript = luaScript({
  file: file('end'),
  keys: [
    'conversation',
    'messages',
    'clientMessageIds',
    'notes',
    'waiting',
    'held',
    'waitingAway',
    'active',
    'operatorConversations',
    'open',
    'endedAddress',
    'resumeToken',
    'returnCode',
    'fallback',
    'endsPending',
    'routeOperator',
    'routeAvailable',
    'openNetwork',
  ],
  args: [
    'id',
    'reason',
    'now',
    'retentionMs',
    'expectedOperatorId',
    'addressTtlMs',
    'operatorId',
    'language',
    'addr',
    'resumeKey',
    'returnKey',
    'line',
    'firstLine',
    'breakUntil',
    'net',
  ],
  decode: (r) => {
    const [status, previous, operatorId, ...rest] = strings(r);
    if (status === 'already') {
      const [pending, endedFrom, endReason, endedBy, breakUntil] = rest;
      return {
        status,
        previous: previous ?? '',
        operatorId: operatorId ?? '',
        /** Whether the first end left steps to do (end.lua). */
        pending: pending === '1',
        endedFrom: endedFrom ?? '',
        endReason: endReason ?? '',
        endedBy: endedBy ?? '',
        /** When the break the end put its holder on ends (ms); 0 for none. */
        breakUntil: Number(breakUntil) || 0,
      } as const;
    }
    return {
      status: status as 'ok' | 'not_found' | 'forbidden' | 'retry',
      previous: previous ?? '',
      operatorId: operatorId ?? '',
      /** When the break the end put its holder on ends (ms); 0 for none. */
      breakUntil: Number(rest[0]) || 0,
    };
  },
});

export const markAwayScript = luaScript({
  file: file('mark-away'),
  keys: ['conversation', 'waitingAway', 'awayUntil'],
  args: ['id', 'reason', 'now', 'returnUntil', 'socket'],
  decode: (r) => {
    const [state, operatorId] = strings(r);
    return state ? { state, operatorId: operatorId ?? '' } : null;
  },
});

/** The sweep's look at an away conversation whose return window may have closed. */
export const settleAwayScript = luaScript({
  file: file('settle-away'),
  keys: ['conversation', 'awayUntil'],
  args: ['id', 'now'],
  decode: (r) => {
    const [status, returnUntil] = strings(r);
    if (status === 'later') return { status, returnUntil: Number(returnUntil) } as const;
    return { status: status as 'due' | 'gone' };
  },
});

export const rotateTokenScript = luaScript({
  file: file('rotate-token'),
  keys: ['oldToken', 'newToken', 'conversation'],
  args: ['id', 'now', 'resumeLimit', 'resumeWindowMs'],
  decode: (r) => {
    const [status, a] = strings(r);
    if (status === 'ok') return { status, floor: a ?? '' } as const;
    // The second field of 'resume_limit': the ms until the conversation's budget allows one more.
    if (status === 'resume_limit') return { status, retryMs: Number(a) } as const;
    return null;
  },
});

export const redeemReturnCodeScript = luaScript({
  file: file('redeem-return-code'),
  keys: [
    'throttle',
    'networkThrottle',
    'globalThrottle',
    'code',
    'conversation',
    'messages',
    'oldToken',
    'newToken',
    'presence',
    '...newCodes',
  ],
  args: [
    'id',
    'now',
    'windowMs',
    'freeFailures',
    'maxDelayMs',
    'resumeKey',
    'resumeLimit',
    'resumeWindowMs',
    'networkFreeFailures',
    'globalFreeFailures',
    'globalWindowMs',
    'presenceUntil',
  ],
  decode: (r) => {
    const [status, a, b] = strings(r);
    switch (status) {
      case 'ok':
        return { status, floor: a ?? '', newCodeIndex: Number(b) } as const;
      case 'rate_limited':
      case 'resume_limit':
        return { status, retryMs: Number(a) } as const;
      default:
        return { status: status as 'not_found' | 'clash' | 'retry' };
    }
  },
});

/** A read-along counted or uncounted, on an existing conversation only. */
export const countWatcherScript = luaScript({
  file: file('count-watcher'),
  keys: ['conversation'],
  args: ['delta'],
  /** The new count; -1 when the conversation is gone. */
  decode: (r) => Number(r),
});
