import { luaScript } from '../redis/scripts.ts';

export const leadScript = luaScript({
  file: new URL('./lua/lead.lua', import.meta.url),
  keys: ['leader'],
  args: ['instance', 'ttlMs'],
  decode: (r) => Number(r) === 1,
});
