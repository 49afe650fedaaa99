import { luaScript } from '../redis/scripts.ts';

/** One audit entry per window of a gate key (`AuditLog.recordOncePer`). */
export const recordOnceScript = luaScript({
  file: new URL('./lua/record-once.lua', import.meta.url),
  keys: ['gate', 'audit'],
  args: ['windowMs', 'auditMax', '...fields'],
  decode: (r) => Number(r) === 1,
});
