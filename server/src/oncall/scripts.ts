import { luaScript } from '../redis/scripts.ts';

/** Keeps (after a sent page) or releases (after a failed one) a page's claim, if still ours. */
export const settleClaimScript = luaScript({
  file: new URL('./lua/settle.lua', import.meta.url),
  keys: ['claim'],
  args: ['token', 'keepMs'],
  decode: (r) => Number(r) === 1,
});
