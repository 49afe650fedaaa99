import { type RedisKeys, redisKeys } from '../redis/keys.ts';

/** The key layout of operator accounts and their sessions (a part of `redis/keys.ts`). */
export type OperatorKeys = RedisKeys['accounts'];

/** Builds the key names under `prefix` (the `REDIS_PREFIX`). */
export function operatorKeys(prefix: string): OperatorKeys {
  return redisKeys(prefix).accounts;
}
