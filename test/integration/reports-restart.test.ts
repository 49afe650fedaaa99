import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startTestApp, TEST_DATA_KEY, TEST_HASH_KEY, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  waitFor,
} from '../support/clients.ts';
import { type FakeVR09, startFakeVR09 } from '../support/fake-region.ts';
import { freePort } from '../support/redis-server.ts';
import { victimReport } from '../support/report-fixtures.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

type AnyAck = { ok: boolean; [k: string]: unknown };

/** What a server process (or a test app) needs to deliver to the fake region, on a fresh prefix. */
function processEnv(regionsFile: string, backoffMs: string): Record<string, string> {
  return {
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
    DATA_KEY: TEST_DATA_KEY,
    HASH_KEY: TEST_HASH_KEY,
    VT_REGIONS_FILE: regionsFile,
    REPORT_BACKOFF_MS: backoffMs,
  };
}

/** A victim's report of `conversationId` with one excerpt, submitted at `url`; its id. */
async function submitReport(url: string, cookie: string, conversationId: string, messageId: string) {
  const res = await fetch(`${url}/api/conversations/${conversationId}/reports`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(victimReport([messageId])),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { reportId: string }).reportId;
}

const reportStatus = async (url: string, cookie: string, reportId: string) =>
  (await (await fetch(`${url}/api/reports/${reportId}`, { headers: { cookie } })).json()) as {
    status: string;
    attempts: number;
    lastError?: string;
  };

describe('report delivery across a server restart', () => {
  let helper: TestApp | undefined;
  let server: ServerProcess | undefined;
  let vr09: FakeVR09 | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    await helper?.close();
    await vr09?.close();
  });

  /** A server process with the fake region, a victim talking with Bo Bakker, her first message stored. */
  async function talking() {
    vr09 = await startFakeVR09();
    const env = processEnv(vr09.regionsFile, '1000');
    // Accounts are made through an app on the same Redis and prefix that runs no workers.
    helper = await startTestApp({ ...env, WORKERS: 'none', VT_REGIONS_FILE: '' });
    server = await startServerProcess(env, await freePort());
    const acct = await createOperator(helper, { displayName: 'Bo Bakker' });
    const op = await connectOperator(server.url, acct.cookie);
    const v = await connectVisitor(server.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    const msg = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'm1', text: 'ik ben bang' });
    return { server, region: vr09.region, acct, op, v, conversationId, msg };
  }

  it('the server dies between attempts; once it is back, the report is delivered exactly once', async () => {
    const { server, region, acct, op, v, conversationId, msg } = await talking();

    region.failNext(2, 503);
    const reportId = await submitReport(server.url, acct.cookie, conversationId, String(msg.messageId));
    const status = () => reportStatus(server.url, acct.cookie, reportId);

    // The first attempt failed and the job waits for its retry: the server dies now.
    await waitFor(async () => (await status()).lastError === 'HTTP 503', 10_000, 25);
    expect(region.requests).toHaveLength(1);
    op.disconnect();
    v.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    await server.stop('SIGKILL');
    await server.start();

    await waitFor(async () => (await status()).status === 'delivered', 20_000, 100);
    expect(await status()).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(region.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(region.inbox.received.size).toBe(1);
    expect(region.inbox.received.get(reportId)!.content.report.summary).toBe('Bedreigd sinds de scheiding.');
  });
  it('a delivery under way when the server is stopped (SIGTERM) finishes first: delivered once, not left queued', async () => {
    const { server, region, acct, op, v, conversationId, msg } = await talking();
    op.disconnect();
    v.disconnect();

    // Veilig Thuis takes 7 s to answer (the attempt may take 10): a deploy stops the server meanwhile.
    region.delayNext(7_000);
    const reportId = await submitReport(server.url, acct.cookie, conversationId, String(msg.messageId));
    await waitFor(() => region.arrived() === 1, 10_000, 25);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(region.requests.map((r) => r.status)).toEqual([200]);
    expect(await reportStatus(helper!.url, acct.cookie, reportId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
    expect(region.inbox.received.size).toBe(1);
  });
});

describe('report delivery by `npm run worker`', () => {
  let app: TestApp | undefined;
  let worker: ChildProcess | undefined;
  let vr09: FakeVR09 | undefined;
  afterEach(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    }
    await app?.close();
    await vr09?.close();
  });

  it('delivers what a WORKERS=none server queued, and the operator hears of it live', async () => {
    vr09 = await startFakeVR09();
    const { region } = vr09;
    const env = processEnv(vr09.regionsFile, '50');
    app = await startTestApp({ ...env, WORKERS: 'none' });
    let output = '';
    worker = spawn(process.execPath, ['server/src/worker.ts'], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d) => {
      output += String(d);
    });
    worker.stderr?.on('data', (d) => {
      output += String(d);
    });
    const acct = await createOperator(app);
    const op = await connectOperator(app.url, acct.cookie);
    const v = await connectVisitor(app.url);
    const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'concerned', language: 'nl' });
    const conversationId = String(start.conversationId);
    expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
    region.failNext(1, 500);
    const delivered = nextEvent<{ status: string; attempts: number }>(op, 'report:status', {
      ms: 20_000,
      where: (e) => e.status === 'delivered',
    });
    const res = await fetch(`${app.url}/api/conversations/${conversationId}/reports`, {
      method: 'POST',
      headers: { cookie: acct.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: 1,
        region: 'VR09',
        acuteDanger: false,
        consent: { status: 'not-asked', reason: 'child-safety' },
        reporter: { role: 'concerned', relation: 'buurvrouw' },
        people: { children: [{ age: 2 }] },
        violence: { kinds: ['child-abuse'], danger: 'unclear' },
        contact: { method: 'none' },
        summary: 'Zorgen om een peuter.',
        excerpts: [],
      }),
    });
    expect(res.status).toBe(201);
    expect(await delivered, output).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(region.inbox.received.size).toBe(1);
    op.disconnect();
    v.disconnect();
  });
});
