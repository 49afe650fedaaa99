import { luaScript } from '../redis/scripts.ts';

const file = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);

export const createReportScript = luaScript({
  file: file('create'),
  keys: ['report', 'queued', 'conversation', 'all', '...claim'],
  args: [
    'reportId',
    'createdAt',
    'retention',
    'indexTtl',
    'forgetBefore',
    'claimValue',
    'claimTtl',
    '...fields',
  ],
  decode: (r) => (r === null ? null : String(r)),
});

export const beginAttemptScript = luaScript({
  file: file('begin-attempt'),
  keys: ['report'],
  args: [],
  decode: (r) => (r ? { status: String((r as string[])[0]), attempts: Number((r as string[])[1]) } : null),
});

export const failScript = luaScript({
  file: file('fail'),
  keys: ['report', 'queued', 'conversation'],
  args: ['error', 'retention', 'reportId'],
  decode: (r) => Number(r) === 1,
});

export const requeueReportScript = luaScript({
  file: file('requeue'),
  keys: ['report', 'queued', 'conversation'],
  args: ['now', 'retention', 'reportId'],
  decode: (r) => Number(r),
});

export const undoRequeueScript = luaScript({
  file: file('undo-requeue'),
  keys: ['report', 'queued'],
  args: ['round', 'reportId'],
  decode: (r) => Number(r) === 1,
});
