import { describe, expect, it } from 'vitest';
import { useLuaTest } from '../../../test/support/lua.ts';
import { runScript } from '../redis/scripts.ts';
import { beginAttemptScript, failScript, requeueReportScript, undoRequeueScript } from './scripts.ts';

const t = useLuaTest([beginAttemptScript, failScript, requeueReportScript, undoRequeueScript]);

const RETENTION = 86_400_000;
const key = () => t.k.report('r1');
const queued = () => t.k.join('reports', 'queued');
const index = () => t.k.reportsOf('c1');
const report = (fields: Record<string, string>) => t.redis.hset(key(), { sealed: 'box', ...fields });
const beginAttempt = (redis = t.redis) => runScript(redis, beginAttemptScript, { report: key() }, {});
const fail = (error = 'HTTP 503', redis = t.redis) =>
  runScript(
    redis,
    failScript,
    { report: key(), queued: queued(), conversation: index() },
    { error, retention: RETENTION, reportId: 'r1' },
  );
const requeue = (redis = t.redis, now = 1000) =>
  runScript(
    redis,
    requeueReportScript,
    { report: key(), queued: queued(), conversation: index() },
    { now, retention: RETENTION, reportId: 'r1' },
  );
const undoRequeue = (round: number, redis = t.redis) =>
  runScript(redis, undoRequeueScript, { report: key(), queued: queued() }, { round, reportId: 'r1' });

describe('begin-attempt.lua', () => {
  it('counts an attempt of a queued report and answers the new count', async () => {
    await report({ status: 'queued' });
    expect(await beginAttempt()).toEqual({ status: 'queued', attempts: 1 });
    expect(await beginAttempt()).toEqual({ status: 'queued', attempts: 2 });
    expect(await t.redis.hget(key(), 'attempts')).toBe('2');
  });

  it('answers the status of a report no longer queued, without counting', async () => {
    await report({ status: 'delivered', attempts: '3' });
    expect(await beginAttempt()).toEqual({ status: 'delivered', attempts: 3 });
    await report({ status: 'failed' });
    await t.redis.hdel(key(), 'attempts');
    expect(await beginAttempt()).toEqual({ status: 'failed', attempts: 0 });
    expect(await t.redis.hexists(key(), 'attempts')).toBe(0);
  });

  it('answers null for a report that is gone, and creates nothing', async () => {
    expect(await beginAttempt()).toBeNull();
    expect(await t.keys()).toEqual([]);
  });

  it('race: parallel attempts are each counted once', async () => {
    await report({ status: 'queued' });
    const results = await Promise.all(Array.from({ length: 10 }, () => beginAttempt(t.connection())));
    expect(results.map((r) => r?.attempts).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('fail.lua', () => {
  it('moves a queued report to failed with its reason, kept (retryable) for the retention period', async () => {
    await report({ status: 'queued' });
    await t.redis.zadd(queued(), 1, 'r1', 2, 'r2');
    await t.redis.zadd(index(), 1, 'r1');
    expect(await fail('HTTP 503')).toBe(true);
    expect(await t.redis.hgetall(key())).toMatchObject({ status: 'failed', lastError: 'HTTP 503' });
    expect(await t.redis.pttl(key())).toBeGreaterThan(RETENTION - 5000);
    // Its conversation's index lives as long, in the same step.
    expect(await t.redis.pttl(index())).toBeGreaterThan(RETENTION - 5000);
    expect(await t.redis.zrange(queued(), 0, -1)).toEqual(['r2']);
  });

  it('leaves any other status, and a missing report, alone', async () => {
    for (const status of ['delivered', 'failed', 'sealing']) {
      await report({ status, lastError: 'before' });
      expect(await fail('after'), status).toBe(false);
      expect(await t.redis.hgetall(key())).toMatchObject({ status, lastError: 'before' });
      expect(await t.redis.pttl(key())).toBe(-1);
    }
    await t.redis.del(key());
    expect(await fail()).toBe(false);
    expect(await t.keys()).toEqual([]);
  });

  it('race: parallel failures move it once', async () => {
    await report({ status: 'queued' });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => fail(`e${i}`, t.connection())));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('requeue.lua (reports)', () => {
  it('moves a failed report back to queued, counts the retry, and indexes it as queued since now', async () => {
    await report({ status: 'failed', attempts: '5' });
    await t.redis.zadd(index(), 1, 'r1');
    expect(await requeue(t.redis, 1000)).toBe(1);
    expect(await t.redis.pttl(index())).toBeGreaterThan(RETENTION - 5000);
    expect(await t.redis.hgetall(key())).toMatchObject({ status: 'queued', retries: '1', attempts: '5' });
    expect(await t.redis.zscore(queued(), 'r1')).toBe('1000');
    expect(await t.redis.pttl(key())).toBeGreaterThan(RETENTION - 5000);
    await fail();
    expect(await requeue(t.redis, 2000)).toBe(2);
    expect(await t.redis.zscore(queued(), 'r1')).toBe('2000');
  });

  it('answers -1 for a report that is not failed, or gone, and changes nothing', async () => {
    await report({ status: 'queued' });
    expect(await requeue()).toBe(-1);
    await report({ status: 'delivered' });
    expect(await requeue()).toBe(-1);
    expect(await t.redis.hgetall(key())).toEqual({ sealed: 'box', status: 'delivered' });
    expect(await t.redis.pttl(key())).toBe(-1);
    await t.redis.del(key());
    expect(await requeue()).toBe(-1);
    expect(await t.keys()).toEqual([]);
  });

  it('race: parallel requeues of one failed report requeue it once', async () => {
    await report({ status: 'failed' });
    const results = await Promise.all(Array.from({ length: 5 }, () => requeue(t.connection())));
    expect(results.sort()).toEqual([-1, -1, -1, -1, 1]);
    expect(await t.redis.hget(key(), 'retries')).toBe('1');
  });
});

describe('undo-requeue.lua', () => {
  it('moves a report re-queued in that round back to failed, its retry count and the index as before', async () => {
    await report({ status: 'failed', attempts: '3', retries: '1', lastError: 'HTTP 503' });
    await t.redis.zadd(queued(), 5, 'r2');
    expect(await requeue()).toBe(2);
    expect(await undoRequeue(2)).toBe(true);
    expect(await t.redis.hgetall(key())).toMatchObject({
      status: 'failed',
      retries: '1',
      attempts: '3',
      lastError: 'HTTP 503',
    });
    expect(await t.redis.zrange(queued(), 0, -1)).toEqual(['r2']);
    // The next retry is the same round again, so it has the same job id.
    expect(await requeue()).toBe(2);
  });

  it('leaves a report alone that is no longer queued, or queued in another round, or gone', async () => {
    await report({ status: 'queued', retries: '2' });
    expect(await undoRequeue(1)).toBe(false);
    expect(await t.redis.hgetall(key())).toMatchObject({ status: 'queued', retries: '2' });
    for (const status of ['delivered', 'failed']) {
      await report({ status, retries: '2' });
      expect(await undoRequeue(2), status).toBe(false);
      expect(await t.redis.hgetall(key())).toMatchObject({ status, retries: '2' });
    }
    await t.redis.del(key());
    expect(await undoRequeue(2)).toBe(false);
    expect(await t.keys()).toEqual([]);
  });
});
