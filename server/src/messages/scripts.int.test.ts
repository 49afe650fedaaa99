import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { appendMessageScript } from './scripts.ts';

const t = useLuaTest([appendMessageScript]);

const T0 = 1_800_000_000_000;
const WAITING_CAP = 3;
const BYTE_CAP = 100;
const MESSAGE_CAP = 5;

interface Append {
  from?: 'v' | 'o' | 's';
  operatorId?: string;
  cmid?: string;
  bytes?: number;
  sealed?: string;
  now?: number;
  redis?: Redis;
}

function append(id: string, opts: Append = {}) {
  return runScript(
    opts.redis ?? t.redis,
    appendMessageScript,
    {
      conversation: t.k.conversation(id),
      messages: t.k.messages(id),
      clientMessageIds: t.k.clientMessageIds(id),
    },
    {
      from: opts.from ?? 'v',
      operatorId: opts.operatorId ?? '',
      sealed: opts.sealed ?? 'sealed',
      clientMessageId: opts.cmid ?? '',
      now: opts.now ?? T0,
      bytes: opts.bytes ?? 10,
      waitingCap: WAITING_CAP,
      byteCap: BYTE_CAP,
      messageCap: MESSAGE_CAP,
    },
  );
}

const waitingConversation = (id = 'c1') =>
  t.redis.hset(t.k.conversation(id), { state: 'waiting', waitingMsgs: '0', vbytes: '0' });
const activeConversation = (id = 'c1', operatorId = 'op1') =>
  t.redis.hset(t.k.conversation(id), { state: 'active', operatorId, waitingMsgs: '0', vbytes: '0' });
const conv = (id = 'c1') => t.redis.hgetall(t.k.conversation(id));
const entries = (id = 'c1') => t.redis.xrange(t.k.messages(id), '-', '+');

describe('append-message.lua', () => {
  it('ok (visitor, waiting): stored with its client id, counted in bytes and waiting messages', async () => {
    await waitingConversation();
    const r = await append('c1', { cmid: 'm1', bytes: 7, sealed: 'box', now: T0 + 5 });
    expect(r).toMatchObject({ status: 'ok', operatorId: '', state: 'waiting', watched: false });
    expect(await entries()).toEqual([[r.messageId, ['f', 'v', 'o', '', 'c', 'box']]]);
    expect(await t.redis.hgetall(t.k.clientMessageIds('c1'))).toEqual({ m1: r.messageId });
    expect(await conv()).toMatchObject({ lastVisitorAt: String(T0 + 5), vbytes: '7', waitingMsgs: '1' });
  });

  it('ok (operator, active): stored under their id, counted against no visitor cap', async () => {
    await activeConversation();
    await t.redis.hset(t.k.conversation('c1'), 'watchers', '2', 'vbytes', String(BYTE_CAP));
    const r = await append('c1', { from: 'o', operatorId: 'op1', cmid: 'o1', bytes: 50 });
    expect(r).toMatchObject({ status: 'ok', operatorId: 'op1', state: 'active', watched: true });
    expect((await entries())[0]![1]).toEqual(['f', 'o', 'o', 'op1', 'c', 'sealed']);
    expect(await conv()).toMatchObject({ vbytes: String(BYTE_CAP), waitingMsgs: '0' });
    expect(await conv()).not.toHaveProperty('lastVisitorAt');
  });

  it('ok (system): no caps, no counts; without a client id nothing is remembered', async () => {
    await waitingConversation();
    await t.redis.hset(t.k.conversation('c1'), 'waitingMsgs', String(WAITING_CAP));
    expect((await append('c1', { from: 's' })).status).toBe('ok');
    expect((await append('c1', { from: 's' })).status).toBe('ok');
    expect(await entries()).toHaveLength(2);
    expect(await t.redis.exists(t.k.clientMessageIds('c1'))).toBe(0);
    expect((await conv()).waitingMsgs).toBe(String(WAITING_CAP));
  });

  it('duplicate: a resend is answered with the stored id and stored once', async () => {
    await activeConversation();
    const first = await append('c1', { cmid: 'm1' });
    const again = await append('c1', { cmid: 'm1', sealed: 'other' });
    expect(again).toMatchObject({ status: 'duplicate', messageId: first.messageId, operatorId: 'op1' });
    expect(await entries()).toHaveLength(1);
    expect((await conv()).vbytes).toBe('10');
  });

  it('duplicate: a resend past the waiting cap and the byte cap still gets its id', async () => {
    await waitingConversation();
    const first = await append('c1', { cmid: 'm1', bytes: 60 });
    await append('c1', { cmid: 'm2', bytes: 40 });
    await append('c1', { cmid: 'm3', bytes: 0 });
    expect((await append('c1', { cmid: 'm4', bytes: 0 })).status).toBe('rate_limited');
    expect(await append('c1', { cmid: 'm1', bytes: 60 })).toMatchObject({
      status: 'duplicate',
      messageId: first.messageId,
    });
    expect(await entries()).toHaveLength(3);
  });

  it('rate_limited: a waiting visitor past the waiting cap; nothing stored or counted', async () => {
    await waitingConversation();
    for (let i = 0; i < WAITING_CAP; i++) expect((await append('c1', { cmid: `m${i}` })).status).toBe('ok');
    const before = await conv();
    expect(await append('c1', { cmid: 'late' })).toMatchObject({ status: 'rate_limited', messageId: '' });
    expect(await conv()).toEqual(before);
    expect(await entries()).toHaveLength(WAITING_CAP);
    expect(await t.redis.hexists(t.k.clientMessageIds('c1'), 'late')).toBe(0);
    // Once an operator has it, the visitor writes on.
    await t.redis.hset(t.k.conversation('c1'), 'state', 'active', 'operatorId', 'op1');
    expect((await append('c1', { cmid: 'late' })).status).toBe('ok');
  });

  it('too_large: the byte cap is the most a visitor may send in a conversation, exactly', async () => {
    await activeConversation();
    expect((await append('c1', { bytes: 60 })).status).toBe('ok');
    expect((await append('c1', { bytes: 41, cmid: 'big' })).status).toBe('too_large');
    expect(await t.redis.hexists(t.k.clientMessageIds('c1'), 'big')).toBe(0);
    expect((await conv()).vbytes).toBe('60');
    expect((await append('c1', { bytes: 40 })).status).toBe('ok');
    expect((await append('c1', { bytes: 1 })).status).toBe('too_large');
    expect(await entries()).toHaveLength(2);
  });

  it('too_large: the message cap counts visitor messages, however short; operators are not counted', async () => {
    await activeConversation();
    for (let i = 0; i < MESSAGE_CAP; i++) expect((await append('c1', { bytes: 1 })).status).toBe('ok');
    expect((await append('c1', { from: 'o', operatorId: 'op1' })).status).toBe('ok');
    expect((await append('c1', { bytes: 1, cmid: 'one-more' })).status).toBe('too_large');
    expect(await t.redis.hexists(t.k.clientMessageIds('c1'), 'one-more')).toBe(0);
    expect((await conv()).vcount).toBe(String(MESSAGE_CAP));
    expect(await entries()).toHaveLength(MESSAGE_CAP + 1);
  });

  it('not_found and ended: nothing stored', async () => {
    expect((await append('nope', { cmid: 'm1' })).status).toBe('not_found');
    await t.redis.hset(t.k.conversation('c1'), 'state', 'ended');
    expect((await append('c1', { cmid: 'm1' })).status).toBe('ended');
    expect((await append('c1', { from: 'o', operatorId: 'op1' })).status).toBe('ended');
    expect(await t.keys()).toEqual([t.k.conversation('c1')]);
  });

  it('forbidden: an operator writes only in an active conversation they hold, even when resending', async () => {
    await waitingConversation();
    expect((await append('c1', { from: 'o', operatorId: 'op1' })).status).toBe('forbidden');
    await activeConversation('c1', 'op1');
    const mine = await append('c1', { from: 'o', operatorId: 'op1', cmid: 'o1' });
    expect(mine.status).toBe('ok');
    expect((await append('c1', { from: 'o', operatorId: 'op2', cmid: 'o1' })).status).toBe('forbidden');
    expect((await append('c1', { from: 'o', operatorId: 'op2', cmid: 'o2' })).status).toBe('forbidden');
    expect(await entries()).toHaveLength(1);
  });

  it('race: parallel resends of one message store it once, and all get the same id', async () => {
    await activeConversation();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => append('c1', { cmid: 'm1', redis: t.connection() })),
    );
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(7);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await entries()).toHaveLength(1);
    expect((await conv()).vbytes).toBe('10');
  });

  it('race: parallel messages while waiting stop exactly at the cap, and parallel bytes at the byte cap', async () => {
    await waitingConversation();
    const waiting = await Promise.all(
      Array.from({ length: 10 }, (_, i) => append('c1', { cmid: `w${i}`, bytes: 1, redis: t.connection() })),
    );
    expect(waiting.filter((r) => r.status === 'ok')).toHaveLength(WAITING_CAP);
    await activeConversation('c2');
    const big = await Promise.all(
      Array.from({ length: 10 }, (_, i) => append('c2', { cmid: `b${i}`, bytes: 30, redis: t.connection() })),
    );
    expect(big.filter((r) => r.status === 'ok')).toHaveLength(3);
    expect(big.filter((r) => r.status === 'too_large')).toHaveLength(7);
    expect((await conv('c2')).vbytes).toBe('90');
  });
});
