/**
 * Bench operator accounts: created straight in Redis through OperatorStore, then
 * logged in over HTTP (POST /api/auth/login) for their `sl_session` cookies.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PasswordHasher } from '../../server/src/auth/password.ts';
import { DataCipher } from '../../server/src/crypto/cipher.ts';
import { parseDataKeys } from '../../server/src/crypto/data-keys.ts';
import { OperatorStore } from '../../server/src/operators/store.ts';

export interface BenchOperatorAccount {
  username: string;
  password: string;
  /** Its first word is what visitors see in `chat:assigned` (`op7`). */
  displayName: string;
}

/** The visitor-facing name of bench operator `i`. */
export const benchOperatorName = (i: number) => `op${i}`;

/**
 * Creates `count` operator accounts. Their Argon2id hashes use the minimum cost
 * (1 pass, 8 KiB): the server verifies with the parameters stored in the hash, so
 * logging in 50 bench operators takes well under a second instead of ~250 ms each
 * through the server's single hashing worker. Login speed is not what the bench measures.
 */
export async function createBenchOperators(opts: {
  redisUrl: string;
  prefix: string;
  dataKey: string;
  count: number;
}): Promise<BenchOperatorAccount[]> {
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const hasher = new PasswordHasher({ opsLimit: 1, memLimit: 8192, maxQueue: 1024 });
  const store = new OperatorStore({
    redis,
    prefix: opts.prefix,
    // The store seals TOTP secrets only; it makes no keyed hash, so any hash key does.
    cipher: await DataCipher.create({ data: parseDataKeys(opts.dataKey), hash: new Uint8Array(32) }),
    hasher,
  });
  try {
    const accounts: BenchOperatorAccount[] = [];
    for (let i = 0; i < opts.count; i++) {
      accounts.push({
        username: `bench-op-${i}`,
        password: randomBytes(18).toString('base64url'),
        displayName: `${benchOperatorName(i)} Bench`,
      });
    }
    await Promise.all(
      accounts.map((a) =>
        store.create({
          username: a.username,
          password: a.password,
          displayName: a.displayName,
          languages: ['nl', 'en'],
        }),
      ),
    );
    return accounts;
  } finally {
    await store.close();
    await hasher.close();
    redis.disconnect();
  }
}

/** Logs one operator in; returns the `name=value` session cookie. */
export async function login(url: string, username: string, password: string): Promise<string> {
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    // The server checks at most LOGIN_CHECKS_PER_ADDRESS passwords at once per address;
    // on a loaded machine a check can outlast its neighbour's release: wait as told, retry.
    if (res.status !== 429 || attempt >= 5) break;
    await res.text();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
  if (res.status !== 200) {
    throw new Error(`login of ${username} failed: HTTP ${res.status} ${await res.text()}`);
  }
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!cookie.includes('=')) throw new Error(`login of ${username} set no session cookie`);
  return cookie;
}

/**
 * Logs every account in, `concurrency` at a time. The login throttle counts an attempt
 * against the address from its start until it succeeds, so more than 5 logins in
 * flight from one address are refused with 429 even when every password is right;
 * hence at most 2 at once (LOGIN_CHECKS_PER_ADDRESS in server/src/auth/plugin.ts).
 */
export async function loginAll(
  url: string,
  accounts: readonly BenchOperatorAccount[],
  concurrency = 2,
): Promise<string[]> {
  const cookies: string[] = new Array(accounts.length);
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const i = next++;
      const a = accounts[i]!;
      cookies[i] = await login(url, a.username, a.password);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accounts.length) }, worker));
  return cookies;
}
