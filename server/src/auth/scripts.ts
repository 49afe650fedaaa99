import { luaScript } from '../redis/scripts.ts';

const file = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);
const LOGIN_KEYS = ['pair', 'user', 'address', 'known'] as const;

export const loginBeginScript = luaScript({
  file: file('login-begin'),
  keys: LOGIN_KEYS,
  args: [
    'now',
    'baseDelayMs',
    'maxDelayMs',
    'pairFree',
    'pairWindowMs',
    'usernameFree',
    'addressFree',
    'windowMs',
  ],
  decode: (r) => {
    const [waitMs, known] = r as [number, number];
    return { waitMs: Number(waitMs), known: Number(known) === 1 };
  },
});

export const loginSucceedScript = luaScript({
  file: file('login-succeed'),
  keys: LOGIN_KEYS,
  args: ['knownForMs'],
  decode: () => undefined,
});

export const totpAttemptScript = luaScript({
  file: file('totp-attempt'),
  keys: ['account'],
  args: ['field', 'limit'],
  /** The attempt's number (1…limit); 0 locked; -1 unknown account. */
  decode: (r) => Number(r),
});
