/**
 * A report is `queued` only while a delivery job exists for it. A Redis error (OOM, a
 * failover) when its job is queued, or a crash between storing the report and queuing the
 * job, must not leave it `queued` for ever: a retry that could not queue its job leaves the
 * report `failed` (so it can be retried again), a resubmission with the same
 * Idempotency-Key queues a lost job again, and so does the sweep. Delivery stays exactly
 * once. Real Redis, the real BullMQ workers, the real sweep job.
 */
import { ReplyError } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lostDeliveries } from '../../server/src/reports/recovery.ts';
import { ReportStore } from '../../server/src/reports/store.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectOperator, connectVisitor, createOperator, emitAck, waitFor } from '../support/clients.ts';
import { type FakeRegion, type FakeVR09, startFakeVR09 } from '../support/fake-region.ts';
import { victimReport } from '../support/report-fixtures.ts';

type AnyAck = { ok: boolean; [k: string]: unknown };
type Json = Record<string, unknown>;

let t: TestApp | undefined;
let vr09: FakeVR09 | undefined;
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  await vr09?.close();
  t = undefined;
  vr09 = undefined;
});

async function setup(env: Record<string, string>) {
  vr09 = await startFakeVR09();
  t = await startTestApp({ VT_REGIONS_FILE: vr09.regionsFile, ...env });
  const acct = await createOperator(t, { displayName: 'Anna Smit' });
  const op = await connectOperator(t.url, acct.cookie);
  const v = await connectVisitor(t.url);
  sockets.push(op, v);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
  const conversationId = String(start.conversationId);
  expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
  return { t, region: vr09.region, cookie: acct.cookie, conversationId };
}

async function submit(
  app: TestApp,
  cookie: string,
  conversationId: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${app.url}/api/conversations/${conversationId}/reports`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(victimReport()),
  });
  return {
    status: res.status,
    json: (await res.json()) as Json,
    replayed: res.headers.get('idempotent-replayed'),
  };
}

async function retry(app: TestApp, cookie: string, reportId: string) {
  const res = await fetch(`${app.url}/api/reports/${reportId}/retry`, {
    method: 'POST',
    headers: { cookie },
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function status(app: TestApp, cookie: string, reportId: string): Promise<Json> {
  const res = await fetch(`${app.url}/api/reports/${reportId}`, { headers: { cookie } });
  return (await res.json()) as Json;
}

async function waitForStatus(app: TestApp, cookie: string, reportId: string, want: string, ms = 10_000) {
  let last: Json = {};
  await waitFor(
    async () => {
      last = await status(app, cookie, reportId);
      return last.status === want;
    },
    ms,
    50,
  ).catch(() => {
    throw new Error(`report ${reportId} is ${String(last.status)}, not ${want}`);
  });
  return last;
}

/** The report queue's `add` rejects its next call as Redis does when out of memory. */
function rejectNextAdd(app: TestApp): { rejected: () => number } {
  const q = app.app.reportQueue;
  const add = q.add.bind(q);
  let rejected = 0;
  q.add = ((...args: Parameters<typeof add>) => {
    if (rejected === 0) {
      rejected += 1;
      return Promise.reject(new ReplyError("OOM command not allowed when used memory > 'maxmemory'."));
    }
    return add(...args);
  }) as typeof q.add;
  return { rejected: () => rejected };
}

/** What the region accepted: every 2xx request. */
const deliveries = (r: FakeRegion) => r.requests.filter((q) => q.status >= 200 && q.status < 300);

/** A report that waits out a long backoff after its first failed attempt, with its job removed. */
async function queuedWithoutJob(
  app: TestApp,
  r: FakeRegion,
  cookie: string,
  conversationId: string,
  headers = {},
) {
  r.failNext(1, 503);
  const res = await submit(app, cookie, conversationId, headers);
  expect(res.status).toBe(201);
  const reportId = String(res.json.reportId);
  await waitFor(async () => (await status(app, cookie, reportId)).lastError === 'HTTP 503', 10_000, 25);
  // The job is lost (a crash, a failover) while the report is still queued.
  const job = await app.app.reportQueue.getJob(reportId);
  expect(job).toBeDefined();
  await waitFor(async () => (await job!.getState()) === 'delayed', 10_000, 25);
  await job!.remove();
  expect(await app.app.reportQueue.getJob(reportId)).toBeUndefined();
  expect((await status(app, cookie, reportId)).status).toBe('queued');
  return reportId;
}

/** Runs one sweep as the scheduler queues it, and waits until it is done. */
async function runSweep(app: TestApp): Promise<void> {
  const job = await app.app.queues.conversations.add('sweep', {}, { attempts: 1 });
  await waitFor(async () => ['completed', 'failed', 'unknown'].includes(await job.getState()), 10_000);
}

describe('a retry whose delivery job cannot be queued', () => {
  it('leaves the report failed and answers unavailable; the next retry is accepted and delivers it once', async () => {
    const s = await setup({ REPORT_MAX_ATTEMPTS: '1', REPORT_BACKOFF_MS: '20' });
    s.region.failNext(1, 503);
    const res = await submit(s.t, s.cookie, s.conversationId);
    expect(res.status).toBe(201);
    const reportId = String(res.json.reportId);
    await waitForStatus(s.t, s.cookie, reportId, 'failed');

    const add = rejectNextAdd(s.t);
    const first = await retry(s.t, s.cookie, reportId);
    expect(add.rejected()).toBe(1);
    expect(await status(s.t, s.cookie, reportId)).toMatchObject({ status: 'failed', lastError: 'HTTP 503' });
    const second = await retry(s.t, s.cookie, reportId);
    expect(second).toMatchObject({ status: 200, json: { reportId, status: 'queued' } });
    // The first was answered as a submission whose job could not be queued: try again.
    expect(first).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
    expect(s.region.inbox.received.size).toBe(1);
    // Only the retry that was queued is on record.
    const audit = await s.t.app.redis.xrange(s.t.app.keys.audit, '-', '+');
    const retries = audit.filter(([, kv]) => kv.includes('report-retry'));
    expect(retries).toHaveLength(1);
  });
});

describe('a queued report whose delivery job is lost', () => {
  it('is queued again by the sweep once it has waited a minute, and delivered exactly once', async () => {
    const s = await setup({ REPORT_BACKOFF_MS: '600000' });
    const reportId = await queuedWithoutJob(s.t, s.region, s.cookie, s.conversationId);

    // Not yet a minute: the sweep leaves it (its job may still be on the way).
    await runSweep(s.t);
    expect(await s.t.app.reportQueue.getJob(reportId)).toBeUndefined();
    expect((await status(s.t, s.cookie, reportId)).status).toBe('queued');

    // A minute later, as far as the index of queued reports can tell.
    const queuedIndex = s.t.app.keys.join('reports', 'queued');
    expect(await s.t.app.redis.zscore(queuedIndex, reportId)).not.toBeNull();
    await s.t.app.redis.zadd(queuedIndex, Date.now() - 61_000, reportId);
    await runSweep(s.t);
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
    expect(s.region.inbox.received.size).toBe(1);
    expect(await s.t.app.redis.zscore(queuedIndex, reportId)).toBeNull();

    // Later sweeps send nothing again.
    await runSweep(s.t);
    await new Promise((r) => setTimeout(r, 200));
    expect(deliveries(s.region)).toHaveLength(1);
  });

  it('`npm run worker` has no report queue of its own: the sweep opens one when a report needs it', async () => {
    const s = await setup({ REPORT_BACKOFF_MS: '600000' });
    // Only the call below may queue it again.
    await s.t.app.queues.conversations.removeJobScheduler('sweep');
    const reportId = await queuedWithoutJob(s.t, s.region, s.cookie, s.conversationId);
    const queuedIndex = s.t.app.keys.join('reports', 'queued');
    await s.t.app.redis.zadd(queuedIndex, Date.now() - 61_000, reportId);
    // The worker process registers no reports plugin: the app as its sweep sees it.
    const app = s.t.app;
    const workerApp = new Proxy(app, {
      get: (target, name) =>
        name === 'hasDecorator'
          ? (d: string) => d !== 'reportQueue' && app.hasDecorator(d)
          : Reflect.get(target, name),
    });
    expect(await lostDeliveries(workerApp).requeueLost()).toBe(1);
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
    // Nothing left to do, and no queue opened for it.
    expect(await lostDeliveries(workerApp).requeueLost()).toBe(0);
  });

  it('is queued again at once by a resubmission with the same Idempotency-Key, and delivered exactly once', async () => {
    const s = await setup({ REPORT_BACKOFF_MS: '600000' });
    const headers = { 'idempotency-key': 'form-4711' };
    const reportId = await queuedWithoutJob(s.t, s.region, s.cookie, s.conversationId, headers);

    const again = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(again).toMatchObject({ status: 201, json: { reportId, status: 'queued' }, replayed: 'true' });
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    // A third resubmission finds it delivered and queues nothing.
    const third = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(third.json.reportId).toBe(reportId);
    await new Promise((r) => setTimeout(r, 200));
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
    expect(s.region.inbox.received.size).toBe(1);
  });

  it('a resubmission while the job is still queued adds no second one', async () => {
    const s = await setup({ REPORT_BACKOFF_MS: '600000' });
    const headers = { 'idempotency-key': 'form-4712' };
    s.region.failNext(1, 503);
    const first = await submit(s.t, s.cookie, s.conversationId, headers);
    const reportId = String(first.json.reportId);
    await waitFor(async () => (await status(s.t, s.cookie, reportId)).lastError === 'HTTP 503', 10_000, 25);
    const again = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(again.json.reportId).toBe(reportId);
    const jobs = await s.t.app.reportQueue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((j) => j.id)).toEqual([reportId]);
    expect(s.region.requests).toHaveLength(1);
  });
});

describe('a submission whose report could not be stored', () => {
  it('leaves its Idempotency-Key free: the retry stores the report and it is delivered once', async () => {
    const s = await setup({});
    const headers = { 'idempotency-key': 'form-4713' };
    // The write of the report fails (a Redis error, a failover, a crash) and stores nothing.
    vi.spyOn(ReportStore.prototype, 'create').mockRejectedValueOnce(new Error('report not stored'));
    const first = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(first).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });

    // The console sends the same submission again: it must be stored, not "replayed".
    const again = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(again).toMatchObject({ status: 201, json: { status: 'queued' } });
    expect(again.replayed).not.toBe('true');
    const reportId = String(again.json.reportId);
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
  });

  it('whose delivery job could not be queued is taken back with its key: the retry makes it anew', async () => {
    const s = await setup({});
    const headers = { 'idempotency-key': 'form-4715' };
    const add = rejectNextAdd(s.t);
    const first = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(add.rejected()).toBe(1);
    expect(first).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    const index = s.t.app.keys.reportsOf(s.conversationId);
    expect(await s.t.app.redis.zrange(index, 0, -1)).toEqual([]);

    const again = await submit(s.t, s.cookie, s.conversationId, headers);
    expect(again).toMatchObject({ status: 201, json: { status: 'queued' } });
    expect(again.replayed).not.toBe('true');
    const reportId = String(again.json.reportId);
    expect(await s.t.app.redis.zrange(index, 0, -1)).toEqual([reportId]);
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
  });

  it('sent five times at once with one Idempotency-Key, makes one report, delivered once', async () => {
    const s = await setup({});
    const headers = { 'idempotency-key': 'form-4714' };
    const all = await Promise.all(
      Array.from({ length: 5 }, () => submit(s.t, s.cookie, s.conversationId, headers)),
    );
    const ids = new Set(all.map((r) => r.json.reportId));
    expect(all.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(ids.size).toBe(1);
    const [reportId] = [...ids] as string[];
    expect(await s.t.app.redis.zrange(s.t.app.keys.reportsOf(s.conversationId), 0, -1)).toEqual([reportId]);
    await waitForStatus(s.t, s.cookie, reportId!, 'delivered');
    await new Promise((r) => setTimeout(r, 200));
    expect(deliveries(s.region)).toEqual([{ key: reportId, status: 200 }]);
  });
});

describe('retention of reports not delivered', () => {
  it('a failed report expires REPORT_RETENTION_DAYS after it failed; a queued one after it was queued', async () => {
    const s = await setup({ REPORT_MAX_ATTEMPTS: '1', REPORT_BACKOFF_MS: '20', REPORT_RETENTION_DAYS: '2' });
    const days = (n: number) => n * 86_400_000;
    s.region.failNext(1, 503);
    const res = await submit(s.t, s.cookie, s.conversationId);
    const reportId = String(res.json.reportId);
    const key = s.t.app.keys.report(reportId);
    // Queued or already failed, it is never kept for ever.
    expect(await s.t.app.redis.pttl(key)).toBeGreaterThan(0);
    await waitForStatus(s.t, s.cookie, reportId, 'failed');
    const failedTtl = await s.t.app.redis.pttl(key);
    expect(failedTtl).toBeGreaterThan(days(2) - 60_000);
    expect(failedTtl).toBeLessThanOrEqual(days(2));

    // A retry queues it again: it is kept the same time from then, and can be delivered.
    await s.t.app.redis.pexpire(key, 5_000);
    expect((await retry(s.t, s.cookie, reportId)).status).toBe(200);
    expect(await s.t.app.redis.pttl(key)).toBeGreaterThan(days(2) - 60_000);
    await waitForStatus(s.t, s.cookie, reportId, 'delivered');
    expect(deliveries(s.region)).toHaveLength(1);
  });
});
