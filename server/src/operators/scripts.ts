import { luaScript } from '../redis/scripts.ts';

const file = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);

export const createAccountScript = luaScript({
  file: file('create-account'),
  keys: ['byUsername', 'account'],
  args: ['username', 'id', '...fields'],
  decode: (r) => Number(r) === 1,
});

export const updateAccountScript = luaScript({
  file: file('update-account'),
  keys: ['account'],
  args: ['...fields'],
  decode: (r) => Number(r) === 1,
});

export const updateAccessScript = luaScript({
  file: file('update-access'),
  keys: ['account'],
  args: ['channel', 'revokedChannel', 'operatorId', '...fields'],
  /** `accessRev`: -1 unknown account, 0 nothing changed; `raised`: the sessions ended. */
  decode: (r) => {
    const [rev, raised] = r as [number, number];
    return { accessRev: Number(rev), raised: Number(raised) === 1 };
  },
});

export const endSessionsScript = luaScript({
  file: file('end-sessions'),
  keys: ['account', 'sessions', '...sessionKeys'],
  args: ['channel', 'operatorId'],
  /** The session keys deleted; -1 for an unknown account. */
  decode: (r) => Number(r),
});

export const replaceFieldScript = luaScript({
  file: file('replace-field'),
  keys: ['hash'],
  args: ['field', 'expected', 'value'],
  decode: (r) => Number(r) === 1,
});

export const totpReplayScript = luaScript({
  file: file('totp-replay'),
  keys: ['totpLast'],
  args: ['counter', 'keepMs'],
  decode: (r) => Number(r) === 1,
});

export const changePasswordScript = luaScript({
  file: file('change-password'),
  keys: ['account', 'session', 'sessions', 'renewed', '...others'],
  args: [
    'channel',
    'operatorId',
    'sessionId',
    'renewedId',
    'checkedHash',
    'passwordHash',
    'setAt',
    'revokedChannel',
    '...otherIds',
  ],
  /** The other sessions ended; -1 the calling session is not live; -2 the password changed meanwhile. */
  decode: (r) => Number(r),
});
