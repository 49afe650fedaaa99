import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { assignScript } from '../routing/scripts.ts';
import {
  endScript,
  markAwayScript,
  redeemReturnCodeScript,
  rotateTokenScript,
  settleAwayScript,
  startScript,
} from './scripts.ts';

const t = useLuaTest([
  startScript,
  endScript,
  markAwayScript,
  settleAwayScript,
  rotateTokenScript,
  redeemReturnCodeScript,
  assignScript,
]);

const URGENT_OFFSET = 10_000_000_000_000;
const T0 = 1_800_000_000_000;
const ADDR = 'addrhash';
/** How long a new visitor counts as present before her socket's first heartbeat. */
const PRESENCE_TTL = 45_000;

/** The network of the start helper's conversations (its counts are lifted unless asked). */
const START_NET = 'startnet';

function start(
  id: string,
  opts: {
    addr?: string;
    netOpenLimit?: number;
    openLimit?: number;
    text?: string;
    urgent?: boolean;
    now?: number;
    token?: string;
    code?: string;
    language?: string;
    signalTier?: boolean;
  } = {},
  redis: Redis = t.redis,
) {
  const now = opts.now ?? T0;
  const addr = opts.addr ?? ADDR;
  const language = opts.language ?? 'nl';
  return runScript(
    redis,
    startScript,
    {
      conversation: t.k.conversation(id),
      messages: t.k.messages(id),
      waiting: t.k.waiting('default', language),
      open: t.k.openByAddress(addr),
      blocked: t.k.blockedAddress(addr),
      resumeToken: t.k.resumeToken(opts.token ?? `tok-${id}`),
      returnCode: t.k.returnCode(opts.code ?? `code-${id}`),
      starts: t.k.startsByAddress(addr),
      presence: t.k.visitorPresence,
      openNetwork: t.k.openByNetwork(START_NET),
      startsNetwork: t.k.startsByNetwork(START_NET),
    },
    {
      id,
      now,
      language,
      urgent: opts.urgent ? 1 : 0,
      role: 'victim',
      addr,
      openLimit: opts.openLimit ?? 3,
      sealedText: opts.text ?? '',
      textBytes: opts.text ? Buffer.byteLength(opts.text) : 0,
      socketId: 'sock-1',
      score: (opts.urgent ? 0 : URGENT_OFFSET) + now,
      openTtlMs: 3_600_000,
      signalTier: opts.signalTier ? '1' : '',
      line: 'default',
      startLimit: 1_000_000,
      startWindowMs: 3_600_000,
      presenceUntil: now + PRESENCE_TTL,
      net: START_NET,
      netOpenLimit: opts.netOpenLimit ?? 1_000_000,
      netStartLimit: 1_000_000,
    },
  );
}

const conv = (id: string) => t.redis.hgetall(t.k.conversation(id));

describe('start.lua', () => {
  it('ok: creates the waiting conversation with its first message, tokens, place in line and open-set entry', async () => {
    const r = await start('c1', { text: 'hallo' });
    expect(r).toEqual({ status: 'ok', rank: 0, messageId: expect.stringMatching(/^\d+-\d+$/) });
    expect(await conv('c1')).toEqual({
      state: 'waiting',
      role: 'victim',
      language: 'nl',
      line: 'default',
      urgent: '0',
      waitingSince: String(T0),
      tags: '[]',
      away: '',
      vsock: 'sock-1',
      resumeKey: t.k.resumeToken('tok-c1'),
      returnKey: t.k.returnCode('code-c1'),
      addr: ADDR,
      net: START_NET,
      waitingMsgs: '1',
      vbytes: '5',
      lastVisitorAt: String(T0),
    });
    const msgs = await t.redis.xrange(t.k.messages('c1'), '-', '+');
    expect(msgs.map(([, fields]) => fields)).toEqual([['f', 'v', 'o', '', 'c', 'hallo']]);
    expect(r.status === 'ok' && r.messageId).toBe(msgs[0]![0]);
    expect(await t.redis.get(t.k.resumeToken('tok-c1'))).toBe('c1');
    expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
    expect(Number(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c1'))).toBe(URGENT_OFFSET + T0);
    expect(await t.redis.smembers(t.k.openByAddress(ADDR))).toEqual(['c1']);
    expect(await t.redis.smembers(t.k.openByNetwork(START_NET))).toEqual(['c1']);
    expect(await t.redis.get(t.k.startsByNetwork(START_NET))).toBe('1');
    const ttl = await t.redis.pttl(t.k.openByAddress(ADDR));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    // Present for a first while: one whose socket is never attached is dropped by the sweep.
    expect(Number(await t.redis.zscore(t.k.visitorPresence, 'c1'))).toBe(T0 + PRESENCE_TTL);
  });

  it('limit: the network has netOpenLimit open, from any of its addresses; nothing is written', async () => {
    await start('c1', { addr: 'addr-a' });
    const before = await t.keys();
    expect(await start('c2', { addr: 'addr-b', netOpenLimit: 1 })).toEqual({ status: 'limit' });
    expect(await t.keys()).toEqual(before);
  });

  it('ok with a high danger signal: the plain routing tier is set (no category), the message id returned', async () => {
    const r = await start('c1', { text: 'sealed', signalTier: true });
    expect(r.status).toBe('ok');
    expect(await t.redis.hget(t.k.conversation('c1'), 'signalTier')).toBe('1');
    expect(await start('c2', { signalTier: false })).toEqual({ status: 'ok', rank: 1, messageId: '' });
    expect(await t.redis.hget(t.k.conversation('c2'), 'signalTier')).toBeNull();
  });

  it('ok without a first message: no stream and nothing counted; the rank follows urgency, then age', async () => {
    await start('c1', { now: T0 });
    expect(await t.redis.exists(t.k.messages('c1'))).toBe(0);
    expect(await conv('c1')).toMatchObject({ waitingMsgs: '0', vbytes: '0' });
    expect(await conv('c1')).not.toHaveProperty('lastVisitorAt');
    expect(await start('c2', { now: T0 + 1, addr: 'other' })).toEqual({
      status: 'ok',
      rank: 1,
      messageId: '',
    });
    expect(await start('c3', { now: T0 + 2, addr: 'other', urgent: true })).toEqual({
      status: 'ok',
      rank: 0,
      messageId: '',
    });
  });

  it('blocked: a blocked address creates nothing, even under the open limit', async () => {
    await t.redis.set(t.k.blockedAddress(ADDR), 'block-1');
    expect(await start('c1', { text: 'x' })).toEqual({ status: 'blocked' });
    expect(await t.keys()).toEqual([t.k.blockedAddress(ADDR)]);
  });

  it('limit: an address with openLimit conversations open creates nothing more', async () => {
    await start('c1', { openLimit: 2 });
    await start('c2', { openLimit: 2 });
    const before = await t.keys();
    expect(await start('c3', { openLimit: 2, text: 'x' })).toEqual({ status: 'limit' });
    expect(await t.keys()).toEqual(before);
    expect(await start('c3', { openLimit: 2, addr: 'elsewhere' })).toMatchObject({ status: 'ok' });
  });

  it('clash: a code held by another conversation is never overwritten, and nothing is created', async () => {
    await start('c1', { code: 'SAME' });
    expect(await start('c2', { code: 'SAME', addr: 'other' })).toEqual({ status: 'clash' });
    expect(await t.redis.get(t.k.returnCode('SAME'))).toBe('c1');
    expect(await t.redis.exists(t.k.conversation('c2'), t.k.resumeToken('tok-c2'))).toBe(0);
    expect(await t.redis.exists(t.k.openByAddress('other'))).toBe(0);
    expect(await t.redis.zscore(t.k.waiting('default', 'nl'), 'c2')).toBeNull();
  });

  it('race: parallel starts from one address open no more than the limit', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const results = await Promise.all(ids.map((id) => start(id, { openLimit: 3 }, t.connection())));
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'limit')).toHaveLength(7);
    expect(await t.redis.scard(t.k.openByAddress(ADDR))).toBe(3);
    expect(await t.redis.zcard(t.k.waiting('default', 'nl'))).toBe(3);
  });
});

// ------------------------------------------------------------------------- end

const RETENTION = 3_600_000;
const ADDRESS_TTL = 600_000;

/** What the caller read (lifecycle.end) and names the keys by. */
interface Read {
  operatorId: string;
  language: string;
  addr: string;
  resumeKey: string;
  returnKey: string;
  net: string;
}
const readFields = async (id: string): Promise<Read> => {
  const c = await conv(id);
  return {
    operatorId: c.operatorId ?? '',
    language: c.language ?? '',
    addr: c.addr ?? '',
    net: c.net ?? '',
    resumeKey: c.resumeKey ?? '',
    returnKey: c.returnKey ?? '',
  };
};

function end(
  id: string,
  read: Read,
  opts: { by?: string; breakUntil?: number } = {},
  redis: Redis = t.redis,
) {
  return runScript(
    redis,
    endScript,
    {
      conversation: t.k.conversation(id),
      messages: t.k.messages(id),
      clientMessageIds: t.k.clientMessageIds(id),
      notes: t.k.notes(id),
      waiting: t.k.waiting('default', read.language),
      held: t.k.held,
      waitingAway: t.k.waitingAway,
      active: t.k.active,
      operatorConversations: t.k.operatorConversations(read.operatorId || '-'),
      open: t.k.openByAddress(read.addr || '-'),
      endedAddress: t.k.endedAddress(id),
      resumeToken: read.resumeKey || t.k.resumeToken('-'),
      returnCode: read.returnKey || t.k.returnCode('-'),
      fallback: t.k.fallback('default'),
      endsPending: t.k.endsPending,
      routeOperator: t.k.routeOperator(read.operatorId || '-'),
      routeAvailable: t.k.routeAvailable,
      openNetwork: t.k.openByNetwork(read.net || '-'),
    },
    {
      id,
      reason: 'operator',
      now: T0 + 5000,
      retentionMs: RETENTION,
      expectedOperatorId: opts.by ?? '',
      addressTtlMs: ADDRESS_TTL,
      ...read,
      line: 'default',
      firstLine: 'default',
      breakUntil: opts.breakUntil ?? 0,
    },
  );
}

async function activate(id: string, operatorId: string) {
  const day = '2026-12-06';
  const r = await runScript(
    t.redis,
    assignScript,
    {
      conversation: t.k.conversation(id),
      waiting: t.k.waiting('default', 'nl'),
      held: t.k.held,
      waitingAway: t.k.waitingAway,
      operatorConversations: t.k.operatorConversations(operatorId),
      active: t.k.active,
      routeOperator: t.k.routeOperator(operatorId),
      stats: t.k.stats,
      statsDay: t.k.statsDay(day),
      statsDayWaits: t.k.statsDayWaits(day),
      fallback: t.k.fallback('default'),
    },
    {
      id,
      operatorId,
      operatorName: operatorId,
      capacity: 5,
      now: T0 + 1000,
      language: 'nl',
      requireAvailable: 0,
      ewmaAlpha: 0.2,
      statsTtlMs: 60_000,
      line: 'default',
      servedLine: '',
      firstLine: 'default',
      movedBy: '',
      retryWindowMs: 0,
    },
  );
  expect(r.status).toBe('ok');
}

const expectTtlAbout = async (key: string, ms: number) => {
  const ttl = await t.redis.pttl(key);
  expect(ttl, key).toBeGreaterThan(ms - 60_000);
  expect(ttl, key).toBeLessThanOrEqual(ms);
};

describe('end.lua', () => {
  it('ok (active): the operator is let go, the address hash moves out with its own TTL, every key gets the retention TTL', async () => {
    await start('c1', { text: 'hi' });
    await activate('c1', 'op1');
    await t.redis.hset(t.k.clientMessageIds('c1'), 'cm1', '1-0');
    await t.redis.xadd(t.k.notes('c1'), '*', 'o', 'op1', 'c', 'note');
    await start('c2'); // another open conversation from the same address

    expect(await end('c1', await readFields('c1'))).toEqual({
      status: 'ok',
      previous: 'active',
      operatorId: 'op1',
      breakUntil: 0,
    });

    const c = await conv('c1');
    expect(c).toMatchObject({
      state: 'ended',
      endedAt: String(T0 + 5000),
      endReason: 'operator',
      away: '',
      held: '',
      operatorId: 'op1',
    });
    expect(c).not.toHaveProperty('addr');
    expect(c).not.toHaveProperty('net');
    expect(await t.redis.smembers(t.k.openByNetwork(START_NET))).toEqual(['c2']);
    // What the caller still has to do, marked for a retry should it be cut off.
    expect(c).toMatchObject({ endPending: '1', endedFrom: 'active', endedBy: '' });
    expect(await t.redis.get(t.k.endedAddress('c1'))).toBe(ADDR);
    await expectTtlAbout(t.k.endedAddress('c1'), ADDRESS_TTL);
    for (const key of [
      t.k.conversation('c1'),
      t.k.messages('c1'),
      t.k.clientMessageIds('c1'),
      t.k.notes('c1'),
      t.k.resumeToken('tok-c1'),
    ]) {
      await expectTtlAbout(key, RETENTION);
    }
    expect(await t.redis.exists(t.k.returnCode('code-c1'))).toBe(0);
    expect(await t.redis.sismember(t.k.active, 'c1')).toBe(0);
    expect(await t.redis.exists(t.k.operatorConversations('op1'))).toBe(0);
    expect(await t.redis.smembers(t.k.openByAddress(ADDR))).toEqual(['c2']);
  });

  it('ok (waiting): out of its line, the held set and the away index', async () => {
    await start('c1');
    await t.redis.zadd(t.k.held, 1, 'c1');
    await t.redis.zadd(t.k.waitingAway, 1, 'c1');
    expect(await end('c1', await readFields('c1'))).toEqual({
      status: 'ok',
      previous: 'waiting',
      operatorId: '',
      breakUntil: 0,
    });
    expect(
      await t.redis.exists(t.k.waiting('default', 'nl'), t.k.held, t.k.waitingAway, t.k.openByAddress(ADDR)),
    ).toBe(0);
    expect(await conv('c1')).toMatchObject({ endPending: '1', endedFrom: 'waiting' });
  });

  it('ok with no address, token or code: only what exists is touched', async () => {
    await t.redis.hset(t.k.conversation('c1'), { state: 'waiting', language: 'nl' });
    expect((await end('c1', await readFields('c1'))).status).toBe('ok');
    expect(await t.redis.exists(t.k.endedAddress('c1'))).toBe(0);
    // And the index of ends whose steps after the script are still to do.
    expect((await t.keys()).sort()).toEqual([t.k.conversation('c1'), t.k.endsPending].sort());
    expect(await t.redis.zscore(t.k.endsPending, 'c1')).toBe(String(T0 + 5000));
  });

  it('already: a second end changes nothing, and names the operator and what the first left pending', async () => {
    await start('c1');
    await activate('c1', 'op1');
    await end('c1', await readFields('c1'), { by: 'op1' });
    const before = await conv('c1');
    expect(await end('c1', await readFields('c1'))).toEqual({
      status: 'already',
      previous: 'ended',
      operatorId: 'op1',
      pending: true,
      endedFrom: 'active',
      endReason: 'operator',
      endedBy: 'op1',
      breakUntil: 0,
    });
    expect(await conv('c1')).toEqual(before);
  });

  it('breakUntil: the holder goes on a break in the step that frees their place; a retry names it', async () => {
    await start('c1');
    await activate('c1', 'op1');
    await t.redis.hset(t.k.routeOperator('op1'), 'status', 'available');
    await t.redis.sadd(t.k.routeAvailable, 'op1');
    const until = T0 + 600_000;
    expect(await end('c1', await readFields('c1'), { breakUntil: until })).toMatchObject({
      status: 'ok',
      breakUntil: until,
    });
    expect(await t.redis.hgetall(t.k.routeOperator('op1'))).toEqual({
      status: 'break',
      breakUntil: String(until),
      lastBreakAt: String(T0 + 5000),
    });
    expect(await t.redis.sismember(t.k.routeAvailable, 'op1')).toBe(0);
    // The retry of a cut-off call learns when the break ends, and starts none of its own.
    expect(await end('c1', await readFields('c1'), { breakUntil: until + 1 })).toMatchObject({
      status: 'already',
      breakUntil: until,
    });
    expect(await t.redis.hget(t.k.routeOperator('op1'), 'breakUntil')).toBe(String(until));
  });

  it('breakUntil: nobody goes on a break for a conversation that was still waiting', async () => {
    await start('c1');
    expect(await end('c1', await readFields('c1'), { breakUntil: T0 + 600_000 })).toMatchObject({
      status: 'ok',
      previous: 'waiting',
      breakUntil: 0,
    });
    expect(await t.redis.exists(t.k.routeOperator('-'), t.k.routeAvailable)).toBe(0);
  });

  it('not_found: nothing is created', async () => {
    expect(
      await end('nope', {
        operatorId: '',
        language: 'nl',
        addr: ADDR,
        resumeKey: '',
        returnKey: '',
        net: '',
      }),
    ).toMatchObject({ status: 'not_found' });
    expect(await t.keys()).toEqual([]);
  });

  it('forbidden: an operator may end only their own conversation', async () => {
    await start('c1');
    await activate('c1', 'op1');
    expect((await end('c1', await readFields('c1'), { by: 'op2' })).status).toBe('forbidden');
    expect((await conv('c1')).state).toBe('active');
    expect((await end('c1', await readFields('c1'), { by: 'op1' })).status).toBe('ok');
  });

  it.each(['operatorId', 'language', 'addr', 'resumeKey', 'returnKey'] as const)(
    'retry: %s changed since it was read, and nothing is touched',
    async (name) => {
      await start('c1', { text: 'x' });
      await activate('c1', 'op1');
      const read = await readFields('c1');
      await t.redis.hset(t.k.conversation('c1'), name, `${read[name]}-changed`);
      const before = await conv('c1');
      expect((await end('c1', read)).status).toBe('retry');
      expect(await conv('c1')).toEqual(before);
      expect(await t.redis.pttl(t.k.conversation('c1'))).toBe(-1);
      expect(await t.redis.sismember(t.k.active, 'c1')).toBe(1);
      expect(await t.redis.sismember(t.k.operatorConversations('op1'), 'c1')).toBe(1);
      expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
      expect(await t.redis.exists(t.k.endedAddress('c1'))).toBe(0);
    },
  );

  it('race: parallel ends end it once', async () => {
    await start('c1');
    await activate('c1', 'op1');
    const read = await readFields('c1');
    const results = await Promise.all(Array.from({ length: 6 }, () => end('c1', read, {}, t.connection())));
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already')).toHaveLength(5);
  });
});

const AWAY_WINDOW = 900_000;
const awayUntil = () => t.k.join('away-until');
const markAway = (id: string, now = T0 + 10, socket = '') =>
  runScript(
    t.redis,
    markAwayScript,
    { conversation: t.k.conversation(id), waitingAway: t.k.waitingAway, awayUntil: awayUntil() },
    { id, reason: socket ? 'disconnected' : 'quick-exit', now, returnUntil: now + AWAY_WINDOW, socket },
  );

describe('mark-away.lua', () => {
  it('a waiting conversation is marked away and indexed by when its visitor left and when its window closes', async () => {
    await start('c1');
    expect(await markAway('c1')).toEqual({ state: 'waiting', operatorId: '' });
    expect(await conv('c1')).toMatchObject({
      away: 'quick-exit',
      awaySince: String(T0 + 10),
      returnUntil: String(T0 + 10 + AWAY_WINDOW),
      vsock: '',
    });
    expect(Number(await t.redis.zscore(t.k.waitingAway, 'c1'))).toBe(T0 + 10);
    expect(Number(await t.redis.zscore(awayUntil(), 'c1'))).toBe(T0 + 10 + AWAY_WINDOW);
  });

  it('an active one is marked away and names its operator, without the waiter index', async () => {
    await start('c1');
    await activate('c1', 'op1');
    expect(await markAway('c1')).toEqual({ state: 'active', operatorId: 'op1' });
    expect((await conv('c1')).away).toBe('quick-exit');
    expect(await t.redis.exists(t.k.waitingAway)).toBe(0);
    expect(Number(await t.redis.zscore(awayUntil(), 'c1'))).toBe(T0 + 10 + AWAY_WINDOW);
  });

  it('a drop is marked only while the dropped socket still holds the conversation, not after she resumed on another', async () => {
    await start('c1');
    await activate('c1', 'op1');
    await t.redis.hset(t.k.conversation('c1'), 'vsock', 'sock-new');
    // The old instance's disconnect handler, its read done before her resume on another.
    expect(await markAway('c1', T0 + 10, 'sock-old')).toBeNull();
    expect((await conv('c1')).away ?? '').toBe('');
    expect(await t.redis.zscore(awayUntil(), 'c1')).toBeNull();
    expect(await markAway('c1', T0 + 20, 'sock-new')).toEqual({ state: 'active', operatorId: 'op1' });
  });

  it('a repeat leave moves neither the window nor its index entry', async () => {
    await start('c1');
    await markAway('c1');
    expect(await markAway('c1', T0 + 5000)).toBeNull();
    expect(Number(await t.redis.zscore(awayUntil(), 'c1'))).toBe(T0 + 10 + AWAY_WINDOW);
  });

  it('an ended or missing conversation answers null and is left alone', async () => {
    await start('c1');
    await end('c1', await readFields('c1'));
    const before = await conv('c1');
    expect(await markAway('c1')).toBeNull();
    expect(await markAway('nope')).toBeNull();
    expect(await conv('c1')).toEqual(before);
    expect(await t.redis.exists(t.k.conversation('nope'), t.k.waitingAway, awayUntil())).toBe(0);
  });
});

describe('settle-away.lua', () => {
  const settle = (id: string, now: number) =>
    runScript(
      t.redis,
      settleAwayScript,
      { conversation: t.k.conversation(id), awayUntil: awayUntil() },
      { id, now },
    );

  it('due: still away when its window closed; the entry stays until it ends', async () => {
    await start('c1');
    await markAway('c1');
    expect(await settle('c1', T0 + 10 + AWAY_WINDOW - 1)).toEqual({
      status: 'later',
      returnUntil: T0 + 10 + AWAY_WINDOW,
    });
    expect(await settle('c1', T0 + 10 + AWAY_WINDOW)).toEqual({ status: 'due' });
    expect(Number(await t.redis.zscore(awayUntil(), 'c1'))).toBe(T0 + 10 + AWAY_WINDOW);
    expect((await conv('c1')).state).toBe('waiting');
  });

  it('later: its visitor came back and left again; the entry moves to the new window', async () => {
    await start('c1');
    await markAway('c1');
    await t.redis.hset(t.k.conversation('c1'), { away: '', awaySince: '', returnUntil: '' });
    await markAway('c1', T0 + 60_000);
    // As an older read would have left it.
    await t.redis.zadd(awayUntil(), T0 + 10 + AWAY_WINDOW, 'c1');
    expect(await settle('c1', T0 + 10 + AWAY_WINDOW)).toEqual({
      status: 'later',
      returnUntil: T0 + 60_000 + AWAY_WINDOW,
    });
    expect(Number(await t.redis.zscore(awayUntil(), 'c1'))).toBe(T0 + 60_000 + AWAY_WINDOW);
  });

  it('gone: back, ended or purged; the entry goes and nothing else changes', async () => {
    await start('c1');
    await markAway('c1');
    await t.redis.hset(t.k.conversation('c1'), { away: '', awaySince: '', returnUntil: '' });
    const before = await conv('c1');
    expect(await settle('c1', T0 + 10 + AWAY_WINDOW)).toEqual({ status: 'gone' });
    expect(await conv('c1')).toEqual(before);

    await start('c2', { code: 'code-c2' });
    await markAway('c2');
    await end('c2', await readFields('c2'));
    expect(await settle('c2', T0 + 10 + AWAY_WINDOW)).toEqual({ status: 'gone' });

    await t.redis.zadd(awayUntil(), T0, 'purged');
    expect(await settle('purged', T0 + 10 + AWAY_WINDOW)).toEqual({ status: 'gone' });
    expect(await t.redis.exists(awayUntil(), t.k.conversation('purged'))).toBe(0);
  });
});

const RESUME_LIMIT = 6;
const RESUME_WINDOW = 60_000;

describe('rotate-token.lua', () => {
  const rotated = (oldKey: string, newKey: string, id: string, redis: Redis = t.redis, now = T0 + 20) =>
    runScript(
      redis,
      rotateTokenScript,
      { oldToken: oldKey, newToken: newKey, conversation: t.k.conversation(id) },
      { id, now, resumeLimit: RESUME_LIMIT, resumeWindowMs: RESUME_WINDOW },
    );
  const rotate = async (oldKey: string, newKey: string, id: string, redis: Redis = t.redis) =>
    (await rotated(oldKey, newKey, id, redis))?.status === 'ok';

  it("ok: answers the conversation's return-code floor, '' before any redemption", async () => {
    await start('c1');
    expect(await rotated(t.k.resumeToken('tok-c1'), t.k.resumeToken('n1'), 'c1')).toEqual({
      status: 'ok',
      floor: '',
    });
    await t.redis.hset(t.k.conversation('c1'), 'vfloor', '1700000000000-0');
    expect(await rotated(t.k.resumeToken('n1'), t.k.resumeToken('n2'), 'c1')).toEqual({
      status: 'ok',
      floor: '1700000000000-0',
    });
  });

  it('ok: the old token is consumed and the new one stored and recorded', async () => {
    await start('c1');
    expect(await rotate(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1')).toBe(true);
    expect(await t.redis.exists(t.k.resumeToken('tok-c1'))).toBe(0);
    expect(await t.redis.get(t.k.resumeToken('new'))).toBe('c1');
    expect(await t.redis.pttl(t.k.resumeToken('new'))).toBe(-1);
    expect((await conv('c1')).resumeKey).toBe(t.k.resumeToken('new'));
  });

  it('ok on an ended conversation: the new token expires with the conversation', async () => {
    await start('c1');
    await end('c1', await readFields('c1'));
    expect(await rotate(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1')).toBe(true);
    await expectTtlAbout(t.k.resumeToken('new'), RETENTION);
  });

  it('ok while away, up to the last millisecond of the return window', async () => {
    await start('c1');
    await markAway('c1');
    const closes = T0 + 10 + AWAY_WINDOW;
    expect(
      await rotated(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1', t.redis, closes - 1),
    ).toEqual({ status: 'ok', floor: '' });
    expect((await conv('c1')).resumeKey).toBe(t.k.resumeToken('new'));
  });

  it('not_found once the window has closed, before the sweep ends it: the token is consumed, nothing stored', async () => {
    await start('c1');
    await markAway('c1');
    const closes = T0 + 10 + AWAY_WINDOW;
    const before = await conv('c1');
    expect(
      await rotated(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1', t.redis, closes),
    ).toBeNull();
    expect(await t.redis.exists(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'))).toBe(0);
    expect(await conv('c1')).toEqual(before);
  });

  it('not_found while away with no readable window (fails closed, as a return code does)', async () => {
    await start('c1');
    await markAway('c1');
    await t.redis.hdel(t.k.conversation('c1'), 'returnUntil');
    expect(await rotate(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1')).toBe(false);
    expect(await t.redis.exists(t.k.resumeToken('new'))).toBe(0);
  });

  it('not_found: a token that no longer points to the conversation changes nothing', async () => {
    await start('c1');
    await t.redis.set(t.k.resumeToken('other'), 'c2');
    expect(await rotate(t.k.resumeToken('other'), t.k.resumeToken('new'), 'c1')).toBe(false);
    expect(await rotate(t.k.resumeToken('missing'), t.k.resumeToken('new'), 'c1')).toBe(false);
    expect(await t.redis.get(t.k.resumeToken('other'))).toBe('c2');
    expect(await t.redis.exists(t.k.resumeToken('new'))).toBe(0);
    expect((await conv('c1')).resumeKey).toBe(t.k.resumeToken('tok-c1'));
  });

  it('not_found: a token of a purged conversation is consumed and nothing new is stored', async () => {
    await t.redis.set(t.k.resumeToken('old'), 'gone');
    expect(await rotate(t.k.resumeToken('old'), t.k.resumeToken('new'), 'gone')).toBe(false);
    expect(await t.keys()).toEqual([]);
  });

  it('race: one token rotated in parallel resumes once', async () => {
    await start('c1');
    const results = await Promise.all(
      ['n1', 'n2', 'n3', 'n4'].map((n) =>
        rotate(t.k.resumeToken('tok-c1'), t.k.resumeToken(n), 'c1', t.connection()),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ['n1', 'n2', 'n3', 'n4'][results.findIndex(Boolean)]!;
    expect((await conv('c1')).resumeKey).toBe(t.k.resumeToken(winner));
    expect((await t.keys()).filter((k) => k.includes(':resume:'))).toEqual([t.k.resumeToken(winner)]);
  });

  it('resume_limit: the seventh in a sliding minute is refused, its token kept; one more once the oldest is a minute old', async () => {
    await start('c1');
    let token = 'tok-c1';
    for (let i = 0; i < RESUME_LIMIT; i++) {
      const next = `n${i}`;
      const r = await rotated(t.k.resumeToken(token), t.k.resumeToken(next), 'c1', t.redis, T0 + i * 1000);
      expect(r?.status).toBe('ok');
      token = next;
    }
    const before = await conv('c1');
    // The oldest was at T0: one more is allowed at T0 + 60 s.
    expect(
      await rotated(t.k.resumeToken(token), t.k.resumeToken('late'), 'c1', t.redis, T0 + 30_000),
    ).toEqual({ status: 'resume_limit', retryMs: 30_000 });
    expect(await t.redis.get(t.k.resumeToken(token))).toBe('c1');
    expect(await t.redis.exists(t.k.resumeToken('late'))).toBe(0);
    expect(await conv('c1')).toEqual(before);
    expect(
      await rotated(t.k.resumeToken(token), t.k.resumeToken('late'), 'c1', t.redis, T0 + RESUME_WINDOW),
    ).toEqual({ status: 'ok', floor: '' });
    // Only the resumes of the last minute are kept.
    expect((await conv('c1')).tokenResumes?.split(',')).toHaveLength(RESUME_LIMIT);
  });

  it('not_found before resume_limit: a closed window consumes the token whatever the budget', async () => {
    await start('c1');
    await markAway('c1');
    const closes = T0 + 10 + AWAY_WINDOW;
    const full = Array.from({ length: RESUME_LIMIT }, () => String(closes)).join(',');
    await t.redis.hset(t.k.conversation('c1'), 'tokenResumes', full);
    expect(
      await rotated(t.k.resumeToken('tok-c1'), t.k.resumeToken('new'), 'c1', t.redis, closes),
    ).toBeNull();
    expect(await t.redis.exists(t.k.resumeToken('tok-c1'))).toBe(0);
  });
});

// ---------------------------------------------------------- redeem-return-code

const FREE = 10;
const MAX_DELAY = 60_000;
const WINDOW = 900_000;
/** The wider counts (security review V5): per network (IPv6 /48, IPv4 /24), and for the deployment. */
const NET = 'nethash';
const NET_FREE = 100;
const GLOBAL_FREE = 120;
const GLOBAL_WINDOW = 60_000;

interface Redeem {
  code?: string;
  id?: string;
  now?: number;
  addr?: string;
  net?: string;
  globalWindowMs?: number;
  globalFree?: number;
  resumeKey?: string;
  oldToken?: string;
  newCodes?: string[];
  windowMs?: number;
  redis?: Redis;
}

/** As lifecycle.resumeByReturnCode calls it after looking the code up. */
async function redeem(opts: Redeem = {}) {
  const code = opts.code ?? 'code-c1';
  const id = opts.id ?? (await t.redis.get(t.k.returnCode(code))) ?? '';
  const before = id ? await conv(id) : {};
  const resumeKey = opts.resumeKey ?? before.resumeKey ?? '';
  return runScript(
    opts.redis ?? t.redis,
    redeemReturnCodeScript,
    {
      throttle: t.k.returnCodeThrottle(opts.addr ?? ADDR),
      networkThrottle: t.k.returnCodeNetworkThrottle(opts.net ?? NET),
      globalThrottle: t.k.returnCodeGlobalThrottle,
      code: t.k.returnCode(code),
      conversation: t.k.conversation(id || '-'),
      messages: t.k.messages(id || '-'),
      oldToken: opts.oldToken ?? (resumeKey || t.k.resumeToken('-')),
      newToken: t.k.resumeToken('fresh'),
      presence: t.k.visitorPresence,
      newCodes: (opts.newCodes ?? ['n1', 'n2', 'n3']).map((c) => t.k.returnCode(c)),
    },
    {
      id,
      now: opts.now ?? T0 + 60_000,
      windowMs: opts.windowMs ?? WINDOW,
      freeFailures: FREE,
      maxDelayMs: MAX_DELAY,
      resumeKey,
      resumeLimit: RESUME_LIMIT,
      resumeWindowMs: RESUME_WINDOW,
      networkFreeFailures: NET_FREE,
      globalFreeFailures: opts.globalFree ?? GLOBAL_FREE,
      globalWindowMs: opts.globalWindowMs ?? GLOBAL_WINDOW,
      presenceUntil: (opts.now ?? T0 + 60_000) + PRESENCE_TTL,
    },
  );
}

/** A conversation whose visitor quick-exited at T0, resumable until T0 + 15 min. */
async function awayConversation(id = 'c1', messages = 2) {
  await start(id);
  for (let i = 0; i < messages; i++)
    await t.redis.xadd(t.k.messages(id), '*', 'f', 'v', 'o', '', 'c', `m${i}`);
  await t.redis.hset(t.k.conversation(id), {
    away: 'quick-exit',
    awaySince: String(T0),
    returnUntil: String(T0 + 900_000),
  });
}

const throttle = () => t.redis.hgetall(t.k.returnCodeThrottle(ADDR));

describe('redeem-return-code.lua', () => {
  it('ok: code and token consumed, a new token and code stored, vfloor at the newest message, the count untouched', async () => {
    await awayConversation();
    const newest = (await t.redis.xrevrange(t.k.messages('c1'), '+', '-', 'COUNT', 1))[0]![0];
    expect(await redeem()).toEqual({ status: 'ok', floor: newest, newCodeIndex: 1 });
    expect(await t.redis.exists(t.k.returnCode('code-c1'), t.k.resumeToken('tok-c1'))).toBe(0);
    expect(await t.redis.get(t.k.resumeToken('fresh'))).toBe('c1');
    expect(await t.redis.get(t.k.returnCode('n1'))).toBe('c1');
    expect(await t.redis.exists(t.k.returnCode('n2'), t.k.returnCode('n3'))).toBe(0);
    expect(await conv('c1')).toMatchObject({
      resumeKey: t.k.resumeToken('fresh'),
      returnKey: t.k.returnCode('n1'),
      vfloor: newest,
      // When, for whoever holds it next (Conversation.returnCodeUsedAt).
      rcAt: String(T0 + 60_000),
    });
    expect(await t.redis.exists(t.k.returnCodeThrottle(ADDR))).toBe(0);
    // Present for a first while: a return whose socket is never attached is away again by the sweep.
    expect(Number(await t.redis.zscore(t.k.visitorPresence, 'c1'))).toBe(T0 + 60_000 + PRESENCE_TTL);
  });

  it('ok: a taken candidate is skipped (NX), never overwritten', async () => {
    await awayConversation();
    await t.redis.set(t.k.returnCode('n1'), 'someone-else');
    expect(await redeem()).toMatchObject({ status: 'ok', newCodeIndex: 2 });
    expect(await t.redis.get(t.k.returnCode('n1'))).toBe('someone-else');
    expect(await t.redis.get(t.k.returnCode('n2'))).toBe('c1');
    expect((await conv('c1')).returnKey).toBe(t.k.returnCode('n2'));
  });

  it('ok with no messages keeps the earlier vfloor', async () => {
    await awayConversation('c1', 0);
    expect(await redeem()).toMatchObject({ status: 'ok', floor: '' });
    await t.redis.hset(t.k.conversation('c1'), 'vfloor', '5-0');
    await t.redis.set(t.k.returnCode('again'), 'c1');
    expect(await redeem({ code: 'again', newCodes: ['m1'] })).toMatchObject({ status: 'ok', floor: '5-0' });
  });

  it('clash: every candidate taken consumes nothing and counts nothing', async () => {
    await awayConversation();
    for (const c of ['n1', 'n2', 'n3']) await t.redis.set(t.k.returnCode(c), 'x');
    const before = await conv('c1');
    expect(await redeem()).toEqual({ status: 'clash' });
    expect(await conv('c1')).toEqual(before);
    expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
    expect(await t.redis.get(t.k.resumeToken('tok-c1'))).toBe('c1');
    expect(await t.redis.exists(t.k.resumeToken('fresh'), t.k.returnCodeThrottle(ADDR))).toBe(0);
  });

  it('retry: the code was redeemed meanwhile, or the token rotated since it was read; not counted', async () => {
    await awayConversation();
    expect(await redeem({ code: 'code-c1', id: 'c1', oldToken: t.k.resumeToken('tok-c1') })).toMatchObject({
      status: 'ok',
    });
    // A second caller that read the code before the first redeemed it.
    expect(await redeem({ code: 'code-c1', id: 'c1', resumeKey: t.k.resumeToken('tok-c1') })).toEqual({
      status: 'retry',
    });
    await t.redis.set(t.k.returnCode('n1-copy'), 'c1');
    expect(await redeem({ code: 'n1-copy', resumeKey: t.k.resumeToken('stale') })).toEqual({
      status: 'retry',
    });
    expect(await t.redis.exists(t.k.returnCodeThrottle(ADDR))).toBe(0);
  });

  it.each([
    ['an unknown code', async () => {}, { code: 'nope' }],
    [
      'a conversation that is not away',
      async () => {
        await t.redis.hset(t.k.conversation('c1'), 'away', '');
      },
      {},
    ],
    [
      'a return window that has passed',
      async () => {
        await t.redis.hset(t.k.conversation('c1'), 'returnUntil', String(T0 + 59_999));
      },
      {},
    ],
    [
      'a return window that closes at this very millisecond (as the token path and the sweep judge it)',
      async () => {
        await t.redis.hset(t.k.conversation('c1'), 'returnUntil', String(T0 + 60_000));
      },
      {},
    ],
    [
      'an ended conversation',
      async () => {
        await t.redis.hset(t.k.conversation('c1'), 'state', 'ended');
      },
      {},
    ],
    [
      'a purged conversation',
      async () => {
        await t.redis.del(t.k.conversation('c1'));
      },
      {},
    ],
  ] as const)('not_found: %s is counted as a failure, and nothing else changes', async (_, arrange, opts) => {
    await awayConversation();
    await arrange();
    expect(await redeem(opts)).toEqual({ status: 'not_found' });
    expect(await throttle()).toEqual({ n: '1' });
    await expectTtlAbout(t.k.returnCodeThrottle(ADDR), WINDOW);
    expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
    expect(await t.redis.exists(t.k.resumeToken('fresh'), t.k.returnCode('n1'))).toBe(0);
  });

  it('throttle: 10 free failures, then a delay that doubles per failure up to maxDelayMs; refused attempts are not counted', async () => {
    let now = T0;
    for (let i = 1; i <= FREE; i++) {
      expect(await redeem({ code: `wrong${i}`, now }), `attempt ${i}`).toEqual({ status: 'not_found' });
    }
    const delays: number[] = [];
    for (let failure = FREE; failure < FREE + 9; failure++) {
      const { n, until } = await throttle();
      expect(Number(n)).toBe(failure);
      const delay = Number(until) - now;
      delays.push(delay);
      // Inside the delay: refused, not looked at, not counted.
      expect(await redeem({ code: 'wrong', now: now + delay - 1 })).toEqual({
        status: 'rate_limited',
        retryMs: 1,
      });
      expect(await redeem({ code: 'wrong', now })).toEqual({ status: 'rate_limited', retryMs: delay });
      expect(Number((await throttle()).n)).toBe(failure);
      now += delay;
      expect(await redeem({ code: 'wrong', now })).toEqual({ status: 'not_found' });
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('a right code is refused inside the delay, then accepted at most maxDelayMs later', async () => {
    await awayConversation();
    const now = T0 + 60_000;
    for (let i = 0; i < 30; i++) {
      const r = await redeem({ code: 'wrong', now: now + i * MAX_DELAY });
      expect(r.status).toBe('not_found');
    }
    const last = now + 29 * MAX_DELAY;
    expect(await redeem({ now: last + 1 })).toMatchObject({ status: 'rate_limited' });
    expect(await redeem({ now: last + MAX_DELAY - 1 })).toEqual({ status: 'rate_limited', retryMs: 1 });
    // The visitor's return window is still open then.
    await t.redis.hset(t.k.conversation('c1'), 'returnUntil', String(last + 2 * MAX_DELAY));
    expect(await redeem({ now: last + MAX_DELAY })).toMatchObject({ status: 'ok' });
  });

  it('the count outlives a short window for as long as its delay holds', async () => {
    for (let i = 0; i < FREE + 3; i++) {
      await redeem({ code: 'wrong', now: T0 + i * MAX_DELAY, windowMs: 2000 });
    }
    // 13 failures: the delay is 8 s, longer than the 2 s window the count started with.
    const ttl = await t.redis.pttl(t.k.returnCodeThrottle(ADDR));
    expect(ttl).toBeGreaterThan(7000);
    expect(ttl).toBeLessThanOrEqual(8000);
    expect(await throttle()).toMatchObject({ n: String(FREE + 3) });
  });

  it('a success does not reset the count', async () => {
    await awayConversation();
    for (let i = 0; i < 4; i++) await redeem({ code: 'wrong' });
    expect(await redeem()).toMatchObject({ status: 'ok' });
    expect(await throttle()).toEqual({ n: '4' });
  });

  it('race: parallel wrong attempts are counted exactly; past the free ones all are refused', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => redeem({ code: `w${i}`, id: '', redis: t.connection() })),
    );
    expect(results.filter((r) => r.status === 'not_found')).toHaveLength(FREE);
    expect(results.filter((r) => r.status === 'rate_limited')).toHaveLength(30 - FREE);
    expect(await throttle()).toMatchObject({ n: String(FREE) });
  });

  it('resume_limit: a right code past the budget is neither consumed nor counted as a failure', async () => {
    await awayConversation();
    const now = T0 + 60_000;
    const full = Array.from({ length: RESUME_LIMIT }, (_, i) => String(now - 50_000 + i)).join(',');
    await t.redis.hset(t.k.conversation('c1'), 'codeResumes', full);
    const before = await conv('c1');
    expect(await redeem({ now })).toEqual({ status: 'resume_limit', retryMs: 10_000 });
    expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
    expect(await t.redis.exists(t.k.returnCode('n1'), t.k.resumeToken('fresh'))).toBe(0);
    expect(await conv('c1')).toEqual(before);
    expect(await throttle()).toEqual({});
    // The token resumes are counted apart: a full token budget does not keep the code out.
    await t.redis.hset(t.k.conversation('c1'), { codeResumes: '', tokenResumes: full });
    expect(await redeem({ now })).toMatchObject({ status: 'ok' });
    expect((await conv('c1')).codeResumes).toBe(String(now));
  });

  it('race: one code redeemed in parallel resumes once', async () => {
    await awayConversation();
    const id = 'c1';
    const resumeKey = t.k.resumeToken('tok-c1');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        redeem({ id, resumeKey, newCodes: [`p${i}`], redis: t.connection() }),
      ),
    );
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'retry')).toHaveLength(4);
    expect((await t.keys()).filter((k) => k.includes(':return:'))).toHaveLength(1);
  });
});

describe('redeem-return-code.lua: the wider counts (per network, per deployment)', () => {
  const network = (net = NET) => t.redis.hgetall(t.k.returnCodeNetworkThrottle(net));
  const global = () => t.redis.hgetall(t.k.returnCodeGlobalThrottle);
  /** `count` wrong codes at `now`, each from an address and network of its own unless given. */
  const fail = async (count: number, now: number, opts: Redeem = {}) => {
    for (let i = 0; i < count; i++) {
      const r = await redeem({ code: `wrong${i}`, addr: `a${i}`, net: `n${i}`, now, ...opts });
      expect(r, `failure ${i + 1}`).toEqual({ status: 'not_found' });
    }
  };

  it('a failure is counted for the address, its network and the deployment; a success nowhere', async () => {
    await awayConversation();
    expect(await redeem({ code: 'wrong' })).toEqual({ status: 'not_found' });
    expect(await throttle()).toEqual({ n: '1' });
    expect(await network()).toEqual({ n: '1' });
    expect(await global()).toEqual({ n: '1' });
    await expectTtlAbout(t.k.returnCodeNetworkThrottle(NET), WINDOW);
    await expectTtlAbout(t.k.returnCodeGlobalThrottle, GLOBAL_WINDOW);
    expect(await redeem()).toMatchObject({ status: 'ok' });
    expect(await throttle()).toEqual({ n: '1' });
    expect(await network()).toEqual({ n: '1' });
    expect(await global()).toEqual({ n: '1' });
  });

  it('a network shares networkFreeFailures among its addresses, then an address with no failures of its own waits; refused attempts count nowhere', async () => {
    // 100 addresses of one network, one failure each: none is held back by its own count.
    await fail(NET_FREE, T0, { net: NET });
    expect(await network()).toEqual({ n: String(NET_FREE), until: String(T0 + 1000) });
    expect(await redeem({ code: 'wrong', addr: 'fresh', now: T0 + 999 })).toEqual({
      status: 'rate_limited',
      retryMs: 1,
    });
    expect(await t.redis.exists(t.k.returnCodeThrottle('fresh'))).toBe(0);
    expect((await network()).n).toBe(String(NET_FREE));
    expect((await global()).n).toBe(String(NET_FREE));
    // Another network is not held back.
    expect(await redeem({ code: 'wrong', addr: 'other', net: 'other-net', now: T0 })).toEqual({
      status: 'not_found',
    });
    // Once the wait is over one more is looked at, and the delay doubles.
    expect(await redeem({ code: 'wrong', addr: 'fresh', now: T0 + 1000 })).toEqual({ status: 'not_found' });
    expect(await network()).toEqual({ n: String(NET_FREE + 1), until: String(T0 + 3000) });
  });

  it('the network delay doubles up to maxDelayMs, and a right code from the network gets in once it is over', async () => {
    await awayConversation();
    await fail(NET_FREE, T0, { net: NET });
    let now = T0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const delay = Number((await network()).until) - now;
      delays.push(delay);
      now += delay;
      expect(await redeem({ code: 'wrong', addr: `late${i}`, now })).toEqual({ status: 'not_found' });
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    const until = Number((await network()).until);
    expect(until - now).toBe(MAX_DELAY);
    expect(await redeem({ addr: 'her', now: until - 1 })).toEqual({ status: 'rate_limited', retryMs: 1 });
    expect(await redeem({ addr: 'her', now: until })).toMatchObject({ status: 'ok' });
  });

  it('past globalFreeFailures in its window every attempt waits, from any address of any network, at most maxDelayMs', async () => {
    await awayConversation();
    await fail(GLOBAL_FREE, T0);
    expect(await global()).toEqual({ n: String(GLOBAL_FREE), until: String(T0 + 1000) });
    expect(await redeem({ addr: 'her', net: 'her-net', now: T0 })).toEqual({
      status: 'rate_limited',
      retryMs: 1000,
    });
    // Not looked at: the right code was neither consumed nor counted as a failure.
    expect(await t.redis.get(t.k.returnCode('code-c1'))).toBe('c1');
    expect(
      await t.redis.exists(t.k.returnCodeThrottle('her'), t.k.returnCodeNetworkThrottle('her-net')),
    ).toBe(0);
    expect((await global()).n).toBe(String(GLOBAL_FREE));
    // However many failures follow, each one keeps everybody out at most maxDelayMs.
    let now = T0;
    for (let i = 0; i < 12; i++) {
      now = Number((await global()).until);
      expect(await redeem({ code: 'wrong', addr: `t${i}`, net: `tn${i}`, now })).toEqual({
        status: 'not_found',
      });
      expect(Number((await global()).until) - now).toBeLessThanOrEqual(MAX_DELAY);
    }
    const until = Number((await global()).until);
    // 60 s, less the (real) time this test has taken of the window: the delay ends with it.
    expect(until - now).toBeGreaterThan(MAX_DELAY - 10_000);
    expect(await redeem({ addr: 'her', net: 'her-net', now: until - 1 })).toEqual({
      status: 'rate_limited',
      retryMs: 1,
    });
    expect(await redeem({ addr: 'her', net: 'her-net', now: until })).toMatchObject({ status: 'ok' });
  });

  it('the deployment-wide delay never outlasts its window, nor keeps the count past it', async () => {
    const windowMs = 2000;
    await fail(3, T0, { globalFree: 3, globalWindowMs: windowMs });
    let now = T0;
    for (let i = 0; i < 4; i++) {
      now = Number((await global()).until);
      await redeem({
        code: 'wrong',
        addr: `t${i}`,
        net: `tn${i}`,
        now,
        globalFree: 3,
        globalWindowMs: windowMs,
      });
      const ttl = await t.redis.pttl(t.k.returnCodeGlobalThrottle);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(windowMs);
      // 2, 4, 8, 16 s asked for; never past the window's end.
      expect(Number((await global()).until) - now).toBeLessThanOrEqual(windowMs);
    }
  });

  it('the longest wait of the three is the one answered', async () => {
    await fail(FREE, T0, { addr: ADDR, net: NET }); // the address: 1 s
    await t.redis.hset(t.k.returnCodeNetworkThrottle(NET), 'until', String(T0 + 5000));
    await t.redis.hset(t.k.returnCodeGlobalThrottle, 'until', String(T0 + 3000));
    expect(await redeem({ code: 'wrong', now: T0 })).toEqual({ status: 'rate_limited', retryMs: 5000 });
  });

  it('race: parallel wrong attempts from many addresses of one network are counted exactly', async () => {
    const results = await Promise.all(
      Array.from({ length: NET_FREE + 30 }, (_, i) =>
        redeem({ code: `w${i}`, id: '', addr: `p${i}`, net: NET, redis: t.connection() }),
      ),
    );
    expect(results.filter((r) => r.status === 'not_found')).toHaveLength(NET_FREE);
    expect(results.filter((r) => r.status === 'rate_limited')).toHaveLength(30);
    expect((await network()).n).toBe(String(NET_FREE));
  });
});
