/**
 * `npm run keys -- reseal` (data finding D3): after a DATA_KEY rotation it re-seals what is
 * sealed and lives without a TTL (operators' TOTP secrets) under the current key, and counts
 * per key id what is still sealed under each (conversations, which expire with retention, are
 * counted and left as they are), so an admin knows when the old key can go.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { generateTotpSecret, totpCodeAt } from '../server/src/auth/totp.ts';
import { DataCipher, fieldBinding } from '../server/src/crypto/cipher.ts';
import { parseDataKeys } from '../server/src/crypto/data-keys.ts';
import { type AuthTestApp, startAuthApp } from '../test/support/auth-app.ts';
import { keysCli } from './keys.ts';

const K0 = `k0:${Buffer.alloc(32, 20).toString('base64')}`;
const K1 = `k1:${Buffer.alloc(32, 21).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 22).toString('base64')}`;
const HASH_KEY = Buffer.alloc(32, 9).toString('base64');
const HASH = new Uint8Array(Buffer.from(HASH_KEY, 'base64'));

let prefix: string;
let server: AuthTestApp | undefined;
let redis: Redis;

beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
  redis = new Redis(inject('redisUrl'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  redis.disconnect();
});

async function serverWith(dataKey: string, now?: () => number): Promise<AuthTestApp> {
  await server?.close();
  server = await startAuthApp({ env: { REDIS_PREFIX: prefix, DATA_KEY: dataKey }, ...(now ? { now } : {}) });
  return server;
}

async function reseal(dataKey: string, args: string[] = ['--json']) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await keysCli(
    ['reseal', ...args],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      NODE_ENV: 'test',
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: prefix,
      DATA_KEY: dataKey,
      HASH_KEY,
    },
  );
  return { code, out, err };
}

/** A conversation as the server stores it: tags in its hash, two messages and a note, sealed under `dataKey`. */
async function storedConversation(dataKey: string): Promise<string> {
  const cipher = await DataCipher.create({ data: parseDataKeys(dataKey), hash: HASH });
  const id = randomUUID();
  const conv = `${prefix}:conv:${id}`;
  await redis.hset(conv, {
    state: 'ended',
    role: 'victim',
    language: 'nl',
    tagsEnc: cipher.encrypt('["x"]', fieldBinding(id, 'tags')),
  });
  for (const text of ['hallo', 'ben je daar?'])
    await redis.xadd(
      `${conv}:msgs`,
      '*',
      'f',
      'v',
      'c',
      cipher.encrypt(text, fieldBinding(id, 'message', 'v')),
    );
  await redis.xadd(
    `${conv}:notes`,
    '*',
    'o',
    'op1',
    'c',
    cipher.encrypt('n', fieldBinding(id, 'note', 'o:op1')),
  );
  await redis.pexpire(conv, 3_600_000);
  return id;
}

describe('npm run keys -- reseal', () => {
  it('re-seals TOTP secrets under the current key and counts what each key id still seals', async () => {
    // Enrolled under k1, then the rotation (k2 first).
    let app = await serverWith(K1);
    const accounts = [];
    for (const role of ['supervisor', 'admin'] as const) {
      const username = `${role}${randomUUID().slice(0, 6)}`;
      const password = `pw-${randomUUID()}`;
      const { id } = await app.app.operators.create({ username, password, role });
      const secret = generateTotpSecret();
      await app.app.operators.setTotpSecret(id, secret);
      accounts.push({ id, username, password, secret });
    }
    await storedConversation(K1);
    app = await serverWith(`${K2},${K1}`);
    const fresh = await app.app.operators.create({
      username: `op${randomUUID().slice(0, 6)}`,
      password: `pw-${randomUUID()}`,
    });
    await app.app.operators.setTotpSecret(fresh.id, generateTotpSecret()); // already under k2
    await server?.close();
    server = undefined;

    const first = await reseal(`${K2},${K1}`);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out.at(-1)!)).toEqual({
      currentKeyId: 'k2',
      resealed: { totpSecrets: 2 },
      keys: {
        k2: { configured: true, totpSecrets: 3, conversationValues: 0, conversations: 0 },
        k1: { configured: true, totpSecrets: 0, conversationValues: 4, conversations: 1 },
      },
      unreadableTotp: [],
    });
    for (const a of accounts) {
      expect(await redis.hget(`${prefix}:operator:${a.id}`, 'totpSecret')).toMatch(/^v2\.k2\./);
    }
    // Run again, nothing is left to re-seal.
    expect(JSON.parse((await reseal(`${K2},${K1}`)).out.at(-1)!).resealed).toEqual({ totpSecrets: 0 });

    // k1 removed: every TOTP account still signs in.
    const clock = { now: Date.now() };
    app = await serverWith(K2, () => clock.now);
    for (const a of accounts) {
      const res = await app.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: a.username, password: a.password, totp: totpCodeAt(a.secret, clock.now) },
        remoteAddress: `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      });
      expect(res.statusCode).toBe(200);
    }
  });

  it('names the accounts whose TOTP secret is under a key no longer configured, and prints counts per key id', async () => {
    let app = await serverWith(K0);
    const username = `lost${randomUUID().slice(0, 6)}`;
    const { id } = await app.app.operators.create({
      username,
      password: `pw-${randomUUID()}`,
      role: 'admin',
    });
    await app.app.operators.setTotpSecret(id, generateTotpSecret());
    app = await serverWith(K1);
    await server?.close();
    server = undefined;
    await storedConversation(K1);

    const json = await reseal(`${K2},${K1}`);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out.at(-1)!)).toMatchObject({
      resealed: { totpSecrets: 0 },
      keys: {
        k0: { configured: false, totpSecrets: 1, conversationValues: 0, conversations: 0 },
        k1: { configured: true, totpSecrets: 0, conversationValues: 4, conversations: 1 },
        k2: { configured: true, totpSecrets: 0, conversationValues: 0, conversations: 0 },
      },
      unreadableTotp: [username],
    });
    // The sealed value of the lost key is left as it is.
    expect(await redis.hget(`${prefix}:operator:${id}`, 'totpSecret')).toMatch(/^v2\.k0\./);

    const text = await reseal(`${K2},${K1}`, []);
    expect(text.code).toBe(0);
    const printed = text.out.join('\n');
    expect(printed).toMatch(/k1: 0 TOTP secrets, 4 conversation values in 1 conversation/);
    expect(printed).toMatch(/k0 \(not in DATA_KEY\): 1 TOTP secret/);
    expect(printed).toContain(username);
  });
});
