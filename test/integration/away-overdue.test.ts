/**
 * An away conversation ends when its return window closes even if its one `away-expire`
 * job is lost (a crash between the mark and the job, a failed attempt): the sweep ends
 * it, also those an earlier release left away. Jobs whose loss would keep data or silence
 * an alert are retried. The operator's list of ended conversations forgets what retention
 * removed.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };

let t: TestApp | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  t = undefined;
});

const app = () => {
  if (!t) throw new Error('no app');
  return t;
};
const key = (...parts: string[]) => [app().config.redisPrefix, ...parts].join(':');
const field = (id: string, name: string) => app().app.redis.hget(key('conv', id), name);
/** The new index: away conversations by when their return window closes. */
const overdueScore = (id: string) => app().app.redis.zscore(key('away-until'), id);
/** The delayed jobs of a queue with this name (and conversation). */
const delayed = async (queue: 'conversations' | 'retention', name: string, conversationId: string) =>
  (await app().app.queues[queue].getDelayed()).filter(
    (j) => j.name === name && (j.data as { conversationId?: string }).conversationId === conversationId,
  );
/** The sweep's step that ends away conversations past their window, at `now`. */
const endOverdue = (now?: number) => app().app.lifecycle.endOverdueAway(now);
/** As if the process died before the job was queued, or its one attempt failed: it never runs. */
const loseAwayExpire = async (conversationId: string) => {
  const jobs = await delayed('conversations', 'away-expire', conversationId);
  expect(jobs).toHaveLength(1);
  for (const j of jobs) await j.remove();
};

async function visitorStarts() {
  const v = await connectVisitor(app().url);
  sockets.push(v);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', text: 'help' });
  expect(start.ok).toBe(true);
  return { v, id: String(start.conversationId), start };
}

/** The visitor quick-exits: the conversation is away; answers when its return window closes. */
async function quickExit(v: VisitorSocket, id: string) {
  expect((await emitAck<AnyAck>(v, 'chat:leave', { reason: 'quick-exit' })).ok).toBe(true);
  v.disconnect();
  return Number(await field(id, 'returnUntil'));
}

describe('an away conversation whose away-expire job is lost', () => {
  it('is ended by the sweep once its return window closes, even when held: retention starts and no index keeps it', async () => {
    // No workers: no job runs unless the test runs it.
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15', WAITER_HOLD_S: '60' });
    const { v, id } = await visitorStarts();
    const returnUntil = await quickExit(v, id);
    await loseAwayExpire(id);
    // Gone longer than WAITER_HOLD_S: the sweep holds it out of routing.
    await app().app.redis.zadd(key('waiting-away'), Date.now() - 61_000, id);
    await app().app.waiters.holdGoneWaiters();
    expect(await app().app.redis.zscore(key('held'), id)).not.toBeNull();
    expect(await field(id, 'state')).toBe('waiting');
    // Within the window nothing ends.
    await endOverdue(returnUntil - 1);
    expect(await field(id, 'state')).toBe('waiting');

    await endOverdue(returnUntil + 1);
    expect(await field(id, 'state')).toBe('ended');
    expect(await field(id, 'endReason')).toBe('timeout');
    expect(await delayed('retention', 'purge', id)).toHaveLength(1);
    expect(await app().app.redis.pttl(key('conv', id))).toBeGreaterThan(0);
    expect(await app().app.redis.zscore(key('held'), id)).toBeNull();
    expect(await overdueScore(id)).toBeNull();
    // A later sweep finds nothing more to do.
    await endOverdue(returnUntil + 2);
    expect(await delayed('retention', 'purge', id)).toHaveLength(1);
  });

  it('is ended in its operator’s hands too, who hears of it', async () => {
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const { v, id } = await visitorStarts();
    const acct = await createOperator(app());
    const op = await connectOperator(app().url, acct.cookie);
    sockets.push(op);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: id })).ok).toBe(true);
    const returnUntil = await quickExit(v, id);
    await loseAwayExpire(id);
    const ended = nextEvent<{ conversationId: string; reason: string }>(op, 'chat:ended');
    await endOverdue(returnUntil + 1);
    expect(await ended).toEqual({ conversationId: id, reason: 'timeout' });
    expect(await app().app.roster.endedOf(acct.id)).toEqual([id]);
    expect(await overdueScore(id)).toBeNull();
  });

  it('positive control: a visitor back within the window keeps it; leaving again starts a new window', async () => {
    t = await startTestApp({ WORKERS: 'none', RETURN_WINDOW_MIN: '15' });
    const { v, id, start } = await visitorStarts();
    const firstUntil = await quickExit(v, id);
    await loseAwayExpire(id);
    expect(Number(await overdueScore(id))).toBe(firstUntil);

    const v2 = await connectVisitor(app().url);
    sockets.push(v2);
    const back = await emitAck<AnyAck>(v2, 'chat:resume', { returnCode: String(start.returnCode) });
    expect(back.ok).toBe(true);
    await endOverdue(firstUntil + 1);
    expect(await field(id, 'state')).toBe('waiting');
    expect(await field(id, 'away')).toBe('');
    expect(await overdueScore(id)).toBeNull();
    expect(await delayed('retention', 'purge', id)).toHaveLength(0);

    // Gone again (a dropped connection): a new window, and the same fallback.
    v2.disconnect();
    await waitFor(async () => (await field(id, 'away')) === 'disconnected');
    const again = Number(await field(id, 'returnUntil'));
    expect(again).toBeGreaterThan(firstUntil);
    expect(Number(await overdueScore(id))).toBe(again);
    await endOverdue(again + 1);
    expect(await field(id, 'state')).toBe('ended');
  });
});

describe('the sweep as the worker runs it', () => {
  it('ends a conversation whose away-expire job was never queued; the leave still succeeds and the operator hears of it', async () => {
    t = await startTestApp({ RETURN_WINDOW_MIN: '0.05' });
    const q = app().app.queues.conversations;
    const add = q.add.bind(q);
    // The process dies, or Redis fails over, between the mark and the job.
    q.add = ((name, data, opts) =>
      name === 'away-expire'
        ? Promise.reject(new Error('connection lost'))
        : add(name, data, opts)) as typeof q.add;
    const { v, id } = await visitorStarts();
    const acct = await createOperator(app());
    const op = await connectOperator(app().url, acct.cookie);
    sockets.push(op);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId: id })).ok).toBe(true);
    const left = nextEvent<{ reason: string }>(op, 'chat:visitor-left');
    const ended = nextEvent<{ reason: string }>(op, 'chat:ended', { ms: 30_000 });
    await quickExit(v, id);
    expect((await left).reason).toBe('quick-exit');
    expect(await delayed('conversations', 'away-expire', id)).toHaveLength(0);
    // The window is 3 s; the scheduled sweep (every 10 s) ends it.
    expect((await ended).reason).toBe('timeout');
    expect(await field(id, 'state')).toBe('ended');
    // Told first (lifecycle.end), then out of the index.
    await waitFor(async () => (await overdueScore(id)) === null);
  });
});

describe('retried jobs', () => {
  it('retries a purge that failed, so retention does not rest on one attempt', async () => {
    t = await startTestApp({ RETENTION_HOURS: '0.0001' });
    const { id } = await visitorStarts();
    const lifecycle = app().app.lifecycle;
    const purge = lifecycle.purge.bind(lifecycle);
    let calls = 0;
    lifecycle.purge = async (conversationId: string) => {
      calls++;
      if (calls === 1) throw new Error('Redis failover');
      return purge(conversationId);
    };
    await lifecycle.end(id, 'visitor', { notifyVisitor: false });
    await waitFor(() => calls >= 2, 10_000);
    await waitFor(async () => (await app().app.redis.exists(key('conv', id))) === 0);
  });

  it('retries an away-expire that failed', async () => {
    t = await startTestApp({ RETURN_WINDOW_MIN: '15' });
    const { v, id } = await visitorStarts();
    await quickExit(v, id);
    const lifecycle = app().app.lifecycle;
    const expire = lifecycle.expireAway.bind(lifecycle);
    let calls = 0;
    lifecycle.expireAway = async (conversationId: string, awaySince: number) => {
      calls++;
      if (calls === 1) throw new Error('Redis failover');
      return expire(conversationId, awaySince);
    };
    // The job falls due now.
    const [job] = await delayed('conversations', 'away-expire', id);
    await job!.promote();
    await waitFor(async () => (await field(id, 'state')) === 'ended', 10_000);
    expect(calls).toBe(2);
  });
});

describe("an operator's ended conversations", () => {
  it('forget entries retention has passed, and the list expires with its newest', async () => {
    t = await startTestApp({ WORKERS: 'none' });
    const roster = app().app.roster;
    const list = key('op', 'op1', 'ended');
    // As an earlier release or a failed purge left it: an old entry, no expiry.
    await app().app.redis.zadd(list, Date.now() - 1000, 'purge-failed');
    expect(await roster.endedOf('op1')).toEqual([]);
    expect(await app().app.redis.zscore(list, 'purge-failed')).toBeNull();

    await app().app.redis.zadd(list, Date.now() - 1000, 'purge-failed');
    const until = Date.now() + 60_000;
    await roster.addEnded('op1', 'recent', until);
    expect(await app().app.redis.zrange(list, 0, -1)).toEqual(['recent']);
    const ttl = await app().app.redis.pttl(list);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // A later end moves the expiry on, never back.
    await roster.addEnded('op1', 'later', until + 60_000);
    expect(await app().app.redis.pttl(list)).toBeGreaterThan(110_000);
    await roster.addEnded('op1', 'earlier', until - 30_000);
    expect(await app().app.redis.pttl(list)).toBeGreaterThan(110_000);
  });
});

interface Fixture {
  release: string;
  hashKey?: string;
  generatedAt: number;
  prefix: string;
  dataKey: string;
  conversations: Record<'away' | 'active' | 'ended', { conversationId: string }>;
  keys: { key: string; pttl: number; dump: string }[];
}
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/migration/${name}.json`, import.meta.url), 'utf8')) as Fixture;

describe.each([load('release-1'), load('release-2')])(
  'an away conversation left by release $release',
  (fixture) => {
    it('is found by the sweep and ended when its window closes, its away-expire job lost', async () => {
      const raw = new Redis(inject('redisUrl'));
      try {
        const old = await raw.keys(`${fixture.prefix}:*`);
        if (old.length > 0) await raw.del(...old);
        // Its conversations as that release left them, their clocks moved to now; none of its
        // BullMQ jobs: the away-expire job is lost.
        const delta = Date.now() - fixture.generatedAt;
        const lo = fixture.generatedAt - 2 * 3_600_000;
        const hi = fixture.generatedAt + 2 * 86_400_000;
        const isTime = (n: number) => n >= lo && n <= hi;
        for (const k of fixture.keys) {
          if (/:(conversations|retention|report-delivery):/.test(k.key)) continue;
          await raw.restore(k.key, Math.max(0, k.pttl), Buffer.from(k.dump, 'base64'), 'REPLACE');
          if ((await raw.type(k.key)) === 'hash') {
            for (const [f, v] of Object.entries(await raw.hgetall(k.key)))
              if (/^\d{13}$/.test(v) && isTime(Number(v)))
                await raw.hset(k.key, f, String(Number(v) + delta));
          } else if ((await raw.type(k.key)) === 'zset') {
            const z = await raw.zrange(k.key, 0, -1, 'WITHSCORES');
            for (let i = 0; i < z.length; i += 2)
              if (isTime(Number(z[i + 1]))) await raw.zadd(k.key, Number(z[i + 1]) + delta, z[i]!);
          }
        }
        t = await startTestApp({
          REDIS_PREFIX: fixture.prefix,
          DATA_KEY: fixture.dataKey,
          HASH_KEY: fixture.hashKey ?? TEST_HASH_KEY,
          RETURN_WINDOW_MIN: '60',
          OPERATOR_GRACE_S: '600',
          WORKERS: 'none',
        });
        const away = fixture.conversations.away.conversationId;
        const returnUntil = Number(await field(away, 'returnUntil'));
        expect(returnUntil).toBeGreaterThan(Date.now());

        await endOverdue();
        expect(Number(await overdueScore(away))).toBe(returnUntil);
        expect(await field(away, 'state')).toBe('active');
        expect(await overdueScore(fixture.conversations.active.conversationId)).toBeNull();
        // A process looks for such conversations on its first sweep, then hourly, not on every one.
        await app().app.redis.zrem(key('away-until'), away);
        await endOverdue();
        expect(await overdueScore(away)).toBeNull();

        await endOverdue(Math.max(returnUntil + 1, Date.now() + 3_600_000));
        expect(await field(away, 'state')).toBe('ended');
        expect(await field(away, 'endReason')).toBe('timeout');
        expect(await delayed('retention', 'purge', away)).toHaveLength(1);
        expect(await overdueScore(away)).toBeNull();
        expect(await field(fixture.conversations.active.conversationId, 'state')).toBe('active');
      } finally {
        await t?.close();
        t = undefined;
        const left = await raw.keys(`${fixture.prefix}:*`);
        if (left.length > 0) await raw.del(...left);
        raw.disconnect();
      }
    });
  },
);
