import { luaScript } from '../redis/scripts.ts';

/** `LiveSockets.claim`: admitted (true) or refused because the group was full. */
export const claimScript = luaScript({
  file: new URL('./lua/claim.lua', import.meta.url),
  keys: ['group'],
  args: ['socketId', 'now', 'ttlMs', 'max'],
  decode: (r) => Number(r) === 1,
});

/** `LiveSockets.claimEvicting`: the socket ids taken out to make room. */
export const claimEvictingScript = luaScript({
  file: new URL('./lua/claim-evicting.lua', import.meta.url),
  keys: ['group'],
  args: ['socketId', 'now', 'ttlMs', 'max'],
  decode: (r) => r as string[],
});

/** The visitor handshake's connection rate per hashed address: the count in the window. */
export const countConnectionScript = luaScript({
  file: new URL('./lua/count-connection.lua', import.meta.url),
  keys: ['counter'],
  args: ['windowMs'],
  decode: (r) => Number(r),
});
