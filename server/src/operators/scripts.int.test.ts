import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import {
  changePasswordScript,
  createAccountScript,
  endSessionsScript,
  totpReplayScript,
  updateAccessScript,
  updateAccountScript,
} from './scripts.ts';

const t = useLuaTest([
  createAccountScript,
  endSessionsScript,
  updateAccountScript,
  updateAccessScript,
  totpReplayScript,
  changePasswordScript,
]);

const acc = () => t.k.accounts;
const create = (username: string, id: string, fields: string[], redis = t.redis) =>
  runScript(
    redis,
    createAccountScript,
    { byUsername: acc().byUsername, account: acc().operator(id) },
    { username, id, fields },
  );
const updateAccount = (id: string, fields: string[]) =>
  runScript(t.redis, updateAccountScript, { account: acc().operator(id) }, { fields });
const changeAccess = (id: string, fields: string[], redis = t.redis) =>
  runScript(
    redis,
    updateAccessScript,
    { account: acc().operator(id) },
    { channel: acc().accessChannel, revokedChannel: acc().revokedChannel, operatorId: id, fields },
  );
/** The new access revision only. */
const updateAccess = async (id: string, fields: string[], redis = t.redis) =>
  (await changeAccess(id, fields, redis)).accessRev;

/**
 * Collects what is published on the access channel (and, with `revoked`, on the revocation
 * channel too, as `revoked <message>`) while a test runs.
 */
async function listen(revoked = false): Promise<{ messages: string[]; settle(): Promise<string[]> }> {
  const sub = t.connection();
  const messages: string[] = [];
  sub.on('message', (channel: string, message: string) =>
    messages.push(channel === acc().revokedChannel ? `revoked ${message}` : message),
  );
  await sub.subscribe(acc().accessChannel, ...(revoked ? [acc().revokedChannel] : []));
  return {
    messages,
    // A marker published after the script's message arrives after it on the same channel.
    async settle() {
      await t.redis.publish(acc().accessChannel, 'marker');
      for (let i = 0; i < 200 && !messages.includes('marker'); i++) await sleep(5);
      return messages.filter((m) => m !== 'marker');
    },
  };
}

describe('create-account.lua', () => {
  it('claims the username and writes the account together', async () => {
    expect(await create('anna', 'op1', ['username', 'Anna', 'role', 'operator'])).toBe(true);
    expect(await t.redis.hgetall(acc().byUsername)).toEqual({ anna: 'op1' });
    expect(await t.redis.hgetall(acc().operator('op1'))).toEqual({ username: 'Anna', role: 'operator' });
  });

  it('a taken username creates nothing and leaves the owner untouched', async () => {
    await create('anna', 'op1', ['username', 'Anna']);
    expect(await create('anna', 'op2', ['username', 'anna'])).toBe(false);
    expect(await t.redis.hgetall(acc().byUsername)).toEqual({ anna: 'op1' });
    expect(await t.redis.exists(acc().operator('op2'))).toBe(0);
  });

  it('race: parallel creates of one username make exactly one account', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(
      ids.map((id) => create('sam', id, ['username', 'sam'], t.connection())),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ids[results.indexOf(true)]!;
    expect(await t.redis.hget(acc().byUsername, 'sam')).toBe(winner);
    expect((await t.keys()).filter((k) => k.includes(':operator:'))).toEqual([acc().operator(winner)]);
  });
});

describe('update-account.lua', () => {
  it('updates an existing account', async () => {
    await create('anna', 'op1', ['displayName', 'Anna', 'disabled', '0']);
    expect(await updateAccount('op1', ['disabled', '1', 'totp', 'x'])).toBe(true);
    expect(await t.redis.hgetall(acc().operator('op1'))).toEqual({
      displayName: 'Anna',
      disabled: '1',
      totp: 'x',
    });
  });

  it('never creates a stray hash for an unknown id', async () => {
    expect(await updateAccount('typo', ['disabled', '1'])).toBe(false);
    expect(await t.keys()).toEqual([]);
  });
});

describe('update-access.lua', () => {
  it('a real change bumps the revision and publishes "<id> <revision>"', async () => {
    await create('anna', 'op1', ['role', 'operator', 'languages', 'nl,en']);
    const channel = await listen();
    expect(await updateAccess('op1', ['role', 'supervisor'])).toBe(1);
    expect(await updateAccess('op1', ['role', 'supervisor', 'languages', 'nl'])).toBe(2);
    expect(await channel.settle()).toEqual(['op1 1', 'op1 2']);
    expect(await t.redis.hgetall(acc().operator('op1'))).toMatchObject({
      role: 'supervisor',
      languages: 'nl',
      accessRev: '2',
    });
  });

  it('nothing changed: 0, no new revision, nothing published', async () => {
    await create('anna', 'op1', ['role', 'operator', 'languages', 'nl,en']);
    const channel = await listen();
    expect(await updateAccess('op1', ['role', 'operator', 'languages', 'nl,en'])).toBe(0);
    expect(await updateAccess('op1', [])).toBe(0);
    expect(await channel.settle()).toEqual([]);
    expect(await t.redis.hexists(acc().operator('op1'), 'accessRev')).toBe(0);
  });

  it('an unknown account: -1, nothing written, nothing published', async () => {
    const channel = await listen();
    expect(await changeAccess('typo', ['role', 'admin'])).toEqual({ accessRev: -1, raised: false });
    expect(await channel.settle()).toEqual([]);
    expect(await t.keys()).toEqual([]);
  });

  it('a raised role also bumps the session epoch and publishes the id and epoch on the revocation channel first', async () => {
    await create('anna', 'op1', ['role', 'operator', 'epoch', '0']);
    const channel = await listen(true);
    expect(await changeAccess('op1', ['role', 'supervisor'])).toEqual({ accessRev: 1, raised: true });
    expect(await t.redis.hget(acc().operator('op1'), 'epoch')).toBe('1');
    expect(await changeAccess('op1', ['role', 'admin'])).toEqual({ accessRev: 2, raised: true });
    expect(await t.redis.hget(acc().operator('op1'), 'epoch')).toBe('2');
    expect(await channel.settle()).toEqual(['revoked op1 1', 'op1 1', 'revoked op1 2', 'op1 2']);
  });

  it('a lowered role, the same role or other fields leave the epoch alone', async () => {
    await create('anna', 'op1', ['role', 'admin', 'epoch', '0', 'languages', 'nl']);
    const channel = await listen(true);
    expect(await changeAccess('op1', ['role', 'supervisor'])).toEqual({ accessRev: 1, raised: false });
    expect(await changeAccess('op1', ['role', 'supervisor', 'languages', 'nl,en'])).toEqual({
      accessRev: 2,
      raised: false,
    });
    expect(await changeAccess('op1', ['role', 'operator'])).toEqual({ accessRev: 3, raised: false });
    expect(await changeAccess('op1', ['role', 'operator'])).toEqual({ accessRev: 0, raised: false });
    expect(await t.redis.hget(acc().operator('op1'), 'epoch')).toBe('0');
    expect(await channel.settle()).toEqual(['op1 1', 'op1 2', 'op1 3']);
  });

  it('a missing or unknown stored role counts as operator: any higher role is a raise', async () => {
    await create('anna', 'op1', ['username', 'anna']);
    await create('bram', 'op2', ['role', 'root']);
    expect(await changeAccess('op1', ['role', 'operator'])).toEqual({ accessRev: 1, raised: false });
    expect(await changeAccess('op2', ['role', 'supervisor'])).toEqual({ accessRev: 1, raised: true });
    expect(await t.redis.hget(acc().operator('op2'), 'epoch')).toBe('1');
  });

  it('race: parallel changes each get their own revision', async () => {
    await create('anna', 'op1', ['role', 'operator']);
    const channel = await listen();
    const roles = ['supervisor', 'admin', 'operator', 'supervisor', 'admin'];
    const revs = await Promise.all(roles.map((role) => updateAccess('op1', ['role', role], t.connection())));
    const bumped = revs.filter((r) => r > 0).sort((a, b) => a - b);
    expect(bumped).toEqual(bumped.map((_, i) => i + 1));
    expect(await channel.settle()).toEqual(bumped.map((r) => `op1 ${r}`));
  });
});

describe('end-sessions.lua', () => {
  const endSessions = (id: string, sessionIds: string[] = []) =>
    runScript(
      t.redis,
      endSessionsScript,
      {
        account: acc().operator(id),
        sessions: acc().sessionsOf(id),
        sessionKeys: sessionIds.map((s) => acc().session(s)),
      },
      { channel: acc().revokedChannel, operatorId: id },
    );

  it('deletes the sessions, bumps the session epoch and publishes the id with the new epoch', async () => {
    await create('anna', 'op1', ['role', 'operator', 'epoch', '4']);
    for (const s of ['s1', 's2']) {
      await t.redis.hset(acc().session(s), { operatorId: 'op1', epoch: '4' });
      await t.redis.sadd(acc().sessionsOf('op1'), s);
    }
    const channel = await listen(true);
    // s3 is gone already (expired): not counted.
    expect(await endSessions('op1', ['s1', 's2', 's3'])).toBe(2);
    expect(await t.redis.exists(acc().session('s1'), acc().session('s2'), acc().sessionsOf('op1'))).toBe(0);
    expect(await endSessions('op1')).toBe(0);
    expect(await t.redis.hget(acc().operator('op1'), 'epoch')).toBe('6');
    expect(await channel.settle()).toEqual(['revoked op1 5', 'revoked op1 6']);
  });

  it('an unknown account: -1, nothing written, nothing published', async () => {
    const channel = await listen(true);
    expect(await endSessions('typo', ['s1'])).toBe(-1);
    expect(await channel.settle()).toEqual([]);
    expect(await t.keys()).toEqual([]);
  });
});

describe('totp-replay.lua', () => {
  const accept = (counter: number, keepMs = 90_000) =>
    runScript(t.redis, totpReplayScript, { totpLast: acc().totpLast('op1') }, { counter, keepMs });

  it('accepts only a time step newer than the last accepted, and remembers it for keepMs', async () => {
    expect(await accept(100)).toBe(true);
    expect(await t.redis.get(acc().totpLast('op1'))).toBe('100');
    const ttl = await t.redis.pttl(acc().totpLast('op1'));
    expect(ttl).toBeGreaterThan(80_000);
    expect(ttl).toBeLessThanOrEqual(90_000);
    expect(await accept(100)).toBe(false);
    expect(await accept(99)).toBe(false);
    expect(await t.redis.get(acc().totpLast('op1'))).toBe('100');
    expect(await accept(101)).toBe(true);
    expect(await t.redis.get(acc().totpLast('op1'))).toBe('101');
  });

  it('accepts step 0 on a fresh account', async () => {
    expect(await accept(0)).toBe(true);
    expect(await accept(0)).toBe(false);
  });

  it('race: one code sent twice at once is accepted once', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        runScript(
          t.connection(),
          totpReplayScript,
          { totpLast: acc().totpLast('op1') },
          { counter: 7, keepMs: 90_000 },
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('change-password.lua', () => {
  const channel = () => t.k.sessionRevokedChannel;
  /** An account `op1` with a one-time password and three sessions in its epoch 4. */
  async function seed() {
    await create('anna', 'op1', ['passwordHash', 'old-hash', 'passwordOneTime', '1', 'epoch', '4']);
    for (const sid of ['s1', 's2', 's3']) {
      await t.redis.hset(acc().session(sid), { operatorId: 'op1', createdAt: '1', epoch: '4' });
      await t.redis.sadd(acc().sessionsOf('op1'), sid);
    }
  }
  const change = (opts: { sessionId?: string; checkedHash?: string; others?: string[] } = {}) => {
    const others = opts.others ?? ['s2', 's3'];
    return runScript(
      t.redis,
      changePasswordScript,
      {
        account: acc().operator('op1'),
        session: acc().session(opts.sessionId ?? 's1'),
        sessions: acc().sessionsOf('op1'),
        renewed: acc().session('s1-renewed'),
        others: others.map((s) => acc().session(s)),
      },
      {
        channel: channel(),
        operatorId: 'op1',
        sessionId: opts.sessionId ?? 's1',
        renewedId: 's1-renewed',
        checkedHash: opts.checkedHash ?? 'old-hash',
        passwordHash: 'new-hash',
        setAt: 1234,
        revokedChannel: acc().revokedChannel,
        otherIds: others,
      },
    );
  };
  async function published(): Promise<{ messages: string[]; settle(): Promise<string[]> }> {
    const sub = t.connection();
    const messages: string[] = [];
    sub.on('message', (ch: string, message: string) =>
      messages.push(ch === acc().revokedChannel ? `revoked ${message}` : message),
    );
    await sub.subscribe(channel(), acc().revokedChannel);
    return {
      messages,
      async settle() {
        await t.redis.publish(channel(), 'marker');
        for (let i = 0; i < 200 && !messages.includes('marker'); i++) await sleep(5);
        return messages.filter((m) => m !== 'marker');
      },
    };
  }

  it('replaces hash and flag, renews the calling session in the new epoch and ends the others', async () => {
    await seed();
    await t.redis.pexpire(acc().session('s1'), 600_000);
    const heard = await published();
    expect(await change()).toBe(2);
    expect(await t.redis.hgetall(acc().operator('op1'))).toMatchObject({
      passwordHash: 'new-hash',
      passwordOneTime: '0',
      passwordSetAt: '1234',
      epoch: '5',
    });
    // The same session under a new id: its sign-in time and idle timer carry over.
    expect(await t.redis.exists(acc().session('s1'))).toBe(0);
    expect(await t.redis.hgetall(acc().session('s1-renewed'))).toEqual({
      operatorId: 'op1',
      createdAt: '1',
      epoch: '5',
    });
    expect(await t.redis.pttl(acc().session('s1-renewed'))).toBeGreaterThan(590_000);
    expect(await t.redis.exists(acc().session('s2'), acc().session('s3'))).toBe(0);
    expect(await t.redis.smembers(acc().sessionsOf('op1'))).toEqual(['s1-renewed']);
    // The old id too: sockets signed in with a copy of its cookie are cut. Then the new
    // epoch: a session missing from `others` (a sign-in racing with this) is cut as well.
    expect(await heard.settle()).toEqual(['s2', 's3', 's1', 'revoked op1 5']);
  });

  it('a calling session of another epoch or account, or a disabled account: -1, nothing changed', async () => {
    await seed();
    await t.redis.hset(acc().session('s1'), 'epoch', '3');
    await t.redis.hset(acc().session('s9'), { operatorId: 'op2', epoch: '4' });
    const heard = await published();
    expect(await change()).toBe(-1);
    expect(await change({ sessionId: 's9' })).toBe(-1);
    expect(await change({ sessionId: 'gone' })).toBe(-1);
    await t.redis.hset(acc().operator('op1'), 'disabled', '1');
    expect(await change({ sessionId: 's2', others: ['s1', 's3'] })).toBe(-1);
    expect(await t.redis.hgetall(acc().operator('op1'))).toMatchObject({
      passwordHash: 'old-hash',
      passwordOneTime: '1',
      epoch: '4',
    });
    expect(await t.redis.exists(acc().session('s2'), acc().session('s3'))).toBe(2);
    expect(await t.redis.exists(acc().session('s1-renewed'))).toBe(0);
    expect(await heard.settle()).toEqual([]);
  });

  it('a password replaced after it was checked: -2, nothing changed', async () => {
    await seed();
    expect(await change({ checkedHash: 'an-older-hash' })).toBe(-2);
    expect(await t.redis.hget(acc().operator('op1'), 'passwordHash')).toBe('old-hash');
    expect(await t.redis.scard(acc().sessionsOf('op1'))).toBe(3);
    expect(await t.redis.exists(acc().session('s1'), acc().session('s1-renewed'))).toBe(1);
  });
});
