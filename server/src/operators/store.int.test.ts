import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AUTH_TEST_DATA_KEY } from '../../../test/support/auth-app.ts';
import { startPrivateRedis } from '../../../test/support/redis-server.ts';
import { PasswordHasher } from '../auth/password.ts';
import { totpCodeAt } from '../auth/totp.ts';
import { DataCipher } from '../crypto/cipher.ts';
import { parseDataKeys } from '../crypto/data-keys.ts';
import { ensureDemoOperator } from './demo.ts';
import { OperatorStore } from './store.ts';

const hasher = new PasswordHasher({ opsLimit: 1, memLimit: 8192 });
afterAll(() => hasher.close());

let redis: Redis;
let store: OperatorStore;
let prefix: string;

const testCipher = () =>
  DataCipher.create({ data: parseDataKeys(AUTH_TEST_DATA_KEY), hash: new Uint8Array(32) });

beforeEach(async () => {
  redis = new Redis(inject('redisUrl'));
  prefix = `t${randomUUID().slice(0, 8)}`;
  store = new OperatorStore({ redis, prefix, cipher: await testCipher(), hasher });
});

afterEach(async () => {
  await store.close();
  redis.disconnect();
});

const password = 'a-long-enough-password';

/** Sessions as `SessionStore.create` writes them, in the account's current epoch. */
async function addSessions(operatorId: string, ids: string[]): Promise<void> {
  const epoch = String((await store.getAuthState(operatorId))?.epoch ?? 0);
  for (const sid of ids) {
    await redis.hset(store.keys.session(sid), { operatorId, createdAt: String(Date.now()), epoch });
    await redis.sadd(store.keys.sessionsOf(operatorId), sid);
  }
}

/** What is published on the revocation channel from now on. */
async function listenRevoked(): Promise<{ received: string[]; close(): void }> {
  const sub = new Redis(inject('redisUrl'));
  const received: string[] = [];
  sub.on('message', (_channel, message) => received.push(message));
  await sub.subscribe(store.keys.revokedChannel);
  return { received, close: () => sub.disconnect() };
}

describe('OperatorStore', () => {
  it('creates an account with defaults, findable by id and by username in any case', async () => {
    const created = await store.create({ username: 'Anna', password });
    expect(created).toMatchObject({
      username: 'Anna',
      displayName: 'Anna',
      role: 'operator',
      languages: ['nl', 'en'],
      disabled: false,
      totpEnabled: false,
    });
    expect(await store.get(created.id)).toEqual(created);
    expect(await store.getByUsername('aNNA')).toEqual(created);
    expect(await store.getByUsername('bob')).toBeNull();
    expect(await store.get('nope')).toBeNull();
    expect(Object.keys(created)).not.toContain('passwordHash');
  });

  it('keeps usernames unique case-insensitively, also under concurrent creates', async () => {
    const results = await Promise.allSettled([
      store.create({ username: 'sam', password }),
      store.create({ username: 'SAM', password }),
      store.create({ username: 'Sam', password }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    }
    expect(await store.list()).toHaveLength(1);
  });

  it('lists every account sorted by username', async () => {
    await store.create({ username: 'zoe', password, role: 'admin', displayName: 'Zoë', languages: ['nl'] });
    await store.create({ username: 'bram', password, role: 'supervisor', languages: ['en', 'ar'] });
    const list = await store.list();
    expect(list.map((a) => [a.username, a.role, a.displayName, a.languages])).toEqual([
      ['bram', 'supervisor', 'bram', ['en', 'ar']],
      ['zoe', 'admin', 'Zoë', ['nl']],
    ]);
  });

  it('refuses bad input without creating anything', async () => {
    await expect(store.create({ username: 'a b', password })).rejects.toMatchObject({
      code: 'invalid_payload',
    });
    await expect(store.create({ username: 'ok', password: 'short' })).rejects.toMatchObject({
      code: 'invalid_payload',
    });
    await expect(store.create({ username: 'ok', password, languages: ['xx'] })).rejects.toMatchObject({
      code: 'invalid_payload',
    });
    expect(await store.list()).toEqual([]);
  });

  it('stores only an Argon2id hash of the password and checks credentials', async () => {
    const a = await store.create({ username: 'anna', password });
    const raw = await redis.hgetall(`${prefix}:operator:${a.id}`);
    expect(JSON.stringify(raw)).not.toContain(password);
    expect(raw.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await store.verifyCredentials('ANNA', password))?.account.id).toBe(a.id);
    expect(await store.verifyCredentials('anna', 'wrong-password!!')).toBeNull();
    expect(await store.verifyCredentials('nobody', password)).toBeNull();
  });

  it('changes role, languages and display name; unknown ids are not_found and create nothing', async () => {
    const a = await store.create({ username: 'anna', password });
    await store.setRole(a.id, 'supervisor');
    await store.setLanguages(a.id, ['tr', 'nl']);
    await store.setDisplayName(a.id, ' Anna de B ');
    expect(await store.get(a.id)).toMatchObject({
      role: 'supervisor',
      languages: ['tr', 'nl'],
      displayName: 'Anna de B',
    });
    await expect(store.setRole('ghost', 'admin')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.disable('ghost')).rejects.toMatchObject({ code: 'not_found' });
    expect(await redis.exists(`${prefix}:operator:ghost`)).toBe(0);
  });

  it('disable revokes every session and publishes the id; enable lets it sign in again', async () => {
    const a = await store.create({ username: 'anna', password });
    const keys = store.keys;
    for (const sid of ['s1', 's2']) {
      await redis.hset(keys.session(sid), { operatorId: a.id, createdAt: String(Date.now()), epoch: '0' });
      await redis.sadd(keys.sessionsOf(a.id), sid);
    }
    const sub = new Redis(inject('redisUrl'));
    const received: string[] = [];
    sub.on('message', (_channel, message) => received.push(message));
    await sub.subscribe(`${prefix}:events:operator-revoked`);
    try {
      expect(await store.disable(a.id)).toBe(2);
      expect(await redis.exists(keys.session('s1'), keys.session('s2'), keys.sessionsOf(a.id))).toBe(0);
      expect((await store.get(a.id))?.disabled).toBe(true);
      expect((await store.getAuthState(a.id))?.epoch).toBe(1);
      await expect.poll(() => received).toEqual([`${a.id} 1`]);
      await store.enable(a.id);
      expect((await store.get(a.id))?.disabled).toBe(false);
    } finally {
      sub.disconnect();
    }
  });

  it('resetPassword replaces the password, revokes sessions and publishes', async () => {
    const a = await store.create({ username: 'anna', password });
    const sub = new Redis(inject('redisUrl'));
    const received: string[] = [];
    sub.on('message', (_channel, message) => received.push(message));
    await sub.subscribe(store.keys.revokedChannel);
    try {
      await store.resetPassword(a.id, 'the-new-password');
      expect(await store.verifyCredentials('anna', password)).toBeNull();
      expect(await store.verifyCredentials('anna', 'the-new-password')).not.toBeNull();
      await expect.poll(() => received).toEqual([`${a.id} 1`]);
    } finally {
      sub.disconnect();
    }
  });

  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  it.each([
    ['setting a TOTP secret', false, (id: string) => store.setTotpSecret(id, SECRET)],
    [
      'replacing the TOTP secret',
      true,
      (id: string) => store.setTotpSecret(id, 'KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF'),
    ],
    ['clearing TOTP', true, (id: string) => store.clearTotp(id)],
  ] as const)(
    '%s revokes every session, bumps the epoch and publishes the id with it',
    async (_, withTotp, change) => {
      const a = await store.create({ username: 'anna', password });
      if (withTotp) await store.setTotpSecret(a.id, SECRET);
      await addSessions(a.id, ['s1', 's2']);
      const epoch = (await store.getAuthState(a.id))!.epoch;
      const sub = await listenRevoked();
      try {
        expect(await change(a.id)).toBe(2);
        expect(await redis.exists(store.keys.session('s1'), store.keys.session('s2'))).toBe(0);
        expect(await redis.exists(store.keys.sessionsOf(a.id))).toBe(0);
        expect((await store.getAuthState(a.id))!.epoch).toBe(epoch + 1);
        await expect.poll(() => sub.received).toEqual([`${a.id} ${epoch + 1}`]);
      } finally {
        sub.close();
      }
    },
  );

  it('revokes and announces the epoch also after Redis forgot its scripts (SCRIPT FLUSH)', async () => {
    // A Redis of its own: a flush of the shared one would reach other test files.
    const own = await startPrivateRedis();
    const ownRedis = new Redis(own.url);
    const ownStore = new OperatorStore({ redis: ownRedis, prefix, cipher: await testCipher(), hasher });
    const sub = new Redis(own.url);
    const received: string[] = [];
    sub.on('message', (_channel, message) => received.push(message));
    await sub.subscribe(ownStore.keys.revokedChannel);
    try {
      const a = await ownStore.create({ username: 'anna', password });
      await ownRedis.sadd(ownStore.keys.sessionsOf(a.id), 's1');
      await ownRedis.hset(ownStore.keys.session('s1'), { operatorId: a.id, epoch: '0' });
      expect(await ownStore.revokeSessions(a.id)).toBe(1);
      await ownRedis.script('FLUSH');
      await ownRedis.sadd(ownStore.keys.sessionsOf(a.id), 's2');
      await ownRedis.hset(ownStore.keys.session('s2'), { operatorId: a.id, epoch: '1' });
      expect(await ownStore.revokeSessions(a.id)).toBe(1);
      expect(await ownRedis.exists(ownStore.keys.session('s2'), ownStore.keys.sessionsOf(a.id))).toBe(0);
      expect((await ownStore.getAuthState(a.id))!.epoch).toBe(2);
      await expect.poll(() => received).toEqual([`${a.id} 1`, `${a.id} 2`]);
    } finally {
      sub.disconnect();
      await ownStore.close();
      ownRedis.disconnect();
      await own.destroy();
    }
  });

  it('revoking an unknown id is not_found and creates nothing', async () => {
    await expect(store.revokeSessions('ghost')).rejects.toMatchObject({ code: 'not_found' });
    expect(await redis.exists(store.keys.operator('ghost'))).toBe(0);
  });

  it('TOTP changes of an unknown id are not_found and create nothing', async () => {
    await expect(store.setTotpSecret('ghost', SECRET)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.clearTotp('ghost')).rejects.toMatchObject({ code: 'not_found' });
    expect(await redis.exists(store.keys.operator('ghost'))).toBe(0);
  });

  it('a raised role revokes every session; a lowered one, or languages, keep them', async () => {
    const a = await store.create({ username: 'anna', password, role: 'supervisor' });
    const sub = await listenRevoked();
    try {
      await addSessions(a.id, ['s1']);
      expect(await store.changeAccess(a.id, { role: 'operator' })).toEqual({
        accessRev: 1,
        sessionsEnded: false,
      });
      expect(await store.changeAccess(a.id, { languages: ['nl'] })).toEqual({
        accessRev: 2,
        sessionsEnded: false,
      });
      expect(await redis.exists(store.keys.session('s1'))).toBe(1);
      expect((await store.getAuthState(a.id))!.epoch).toBe(0);
      expect(sub.received).toEqual([]);

      expect(await store.changeAccess(a.id, { role: 'admin' })).toEqual({
        accessRev: 3,
        sessionsEnded: true,
      });
      expect(await redis.exists(store.keys.session('s1'), store.keys.sessionsOf(a.id))).toBe(0);
      expect((await store.getAuthState(a.id))!.epoch).toBe(1);
      await expect.poll(() => sub.received).toEqual([`${a.id} 1`]);
    } finally {
      sub.close();
    }
  });

  it('keeps the TOTP secret encrypted and refuses a replayed or older code', async () => {
    const a = await store.create({ username: 'anna', password });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await store.setTotpSecret(a.id, secret);
    expect((await store.get(a.id))?.totpEnabled).toBe(true);
    const sealed = await redis.hget(store.keys.operator(a.id), 'totpSecret');
    expect(sealed).toMatch(/^v2\.t1\./);
    expect(sealed).not.toContain(secret);

    const now = 1_700_000_000_000;
    const code = totpCodeAt(secret, now);
    const previous = totpCodeAt(secret, now - 30_000);
    expect(await store.verifyTotp(a.id, '000000' === code ? '111111' : '000000', now)).toBe(false);
    expect(await store.verifyTotp(a.id, code, now)).toBe(true);
    expect(await store.verifyTotp(a.id, code, now)).toBe(false);
    expect(await store.verifyTotp(a.id, previous, now)).toBe(false);
    expect(await store.verifyTotp(a.id, totpCodeAt(secret, now + 30_000), now + 30_000)).toBe(true);

    await store.clearTotp(a.id);
    expect((await store.get(a.id))?.totpEnabled).toBe(false);
    expect(await store.verifyTotp(a.id, totpCodeAt(secret, now + 60_000), now + 60_000)).toBe(false);
  });
});

describe('ensureDemoOperator', () => {
  it('creates demo (operator) and demo-supervisor with generated passwords, then resets them on every start', async () => {
    const first = await ensureDemoOperator({ operators: store, config: { isProduction: false } });
    expect(first.map((c) => [c.username, c.role])).toEqual([
      ['demo', 'operator'],
      ['demo-supervisor', 'supervisor'],
    ]);
    for (const c of first)
      expect((await store.verifyCredentials(c.username, c.password))?.account.role).toBe(c.role);

    const demo = await store.getByUsername('demo');
    await store.disable(demo!.id);
    const second = await ensureDemoOperator({ operators: store, config: { isProduction: false } });
    expect(second[0]?.password).not.toBe(first[0]?.password);
    expect(await store.verifyCredentials('demo', first[0]!.password)).toBeNull();
    const again = await store.verifyCredentials('demo', second[0]!.password);
    expect(again?.account.disabled).toBe(false);
    expect(await store.list()).toHaveLength(2);
  });

  it('with lines (npm start -- --demo-lines), also makes one demo operator per line, of that line only', async () => {
    const lines = {
      configured: true,
      all: [
        { id: 'utrecht', name: 'Veilig Thuis Utrecht (demo)' },
        { id: 'landelijk', name: 'Landelijke nachtlijn (demo)' },
      ],
    };
    const made = await ensureDemoOperator({ operators: store, config: { isProduction: false }, lines });
    expect(made.map((c) => c.username)).toEqual([
      'demo',
      'demo-supervisor',
      'demo-utrecht',
      'demo-landelijk',
    ]);
    const utrecht = await store.verifyCredentials('demo-utrecht', made[2]!.password);
    expect(utrecht?.account).toMatchObject({ role: 'operator', lines: ['utrecht'] });
    expect((await store.getByUsername('demo-landelijk'))?.lines).toEqual(['landelijk']);
    // Plain npm start (one line): no line operators.
    const plain = await ensureDemoOperator({
      operators: store,
      config: { isProduction: false },
      lines: { configured: false, all: [{ id: 'default', name: 'Stille Lijn' }] },
    });
    expect(plain.map((c) => c.username)).toEqual(['demo', 'demo-supervisor']);
  });

  it('does nothing in production', async () => {
    expect(await ensureDemoOperator({ operators: store, config: { isProduction: true } })).toEqual([]);
    expect(await store.list()).toEqual([]);
  });
});
