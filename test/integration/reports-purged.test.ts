import { auditResponseSchema } from '@stille-lijn/shared/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { type FakeVR09, startFakeVR09 } from '../support/fake-region.ts';
import { writeLinesFile } from '../support/lines-file.ts';
import { freePort } from '../support/redis-server.ts';

/**
 * Reports outlive their conversation: a conversation is purged after RETENTION_HOURS, a
 * delivered report is kept for weeks and a failed one until it is retried. Who may see
 * or retry a report must not change when its conversation goes: a supervisor of line `a`
 * never reaches a report made on line `b`, before or after the purge.
 */

const LINES = [
  { id: 'a', name: 'Lijn A', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'b', name: 'Lijn B', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Json = Record<string, unknown>;

let t: TestApp;
let vr09: FakeVR09;
const sockets: (OperatorSocket | VisitorSocket)[] = [];

beforeAll(async () => {
  // VR09 points at a port where nothing listens: every report fails after one attempt.
  // Only the fake region's key is used.
  vr09 = await startFakeVR09({ endpoint: `http://127.0.0.1:${await freePort()}/vt` });
  await vr09.region.close();
  t = await startTestApp({
    LINES_FILE: writeLinesFile(LINES),
    VT_REGIONS_FILE: vr09.regionsFile,
    REPORT_MAX_ATTEMPTS: '1',
    REPORT_BACKOFF_MS: '20',
  });
});

afterAll(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
  await vr09?.close();
});

async function call(
  who: TestOperator,
  method: string,
  path: string,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${t.url}${path}`, { method, headers: { cookie: who.cookie, origin: t.url } });
  return { status: res.status, json: (await res.json()) as Json };
}

const listed = async (who: TestOperator, path: string): Promise<string[]> => {
  const res = await call(who, 'GET', path);
  expect(res.status).toBe(200);
  return (res.json.reports as { reportId: string }[]).map((r) => r.reportId);
};

/** A failed report on a conversation of line `b`, made by its operator through the API. */
async function failedReportOnB(): Promise<{ conversationId: string; reportId: string }> {
  const op = await createOperator(t, { lines: ['b'] });
  const opSocket = await connectOperator(t.url, op.cookie);
  const v = await connectVisitor(t.url);
  sockets.push(opSocket, v);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl', line: 'b' });
  expect(start.ok, JSON.stringify(start)).toBe(true);
  const conversationId = String(start.conversationId);
  expect((await emitAck<AnyAck>(opSocket, 'chat:accept', { conversationId })).ok).toBe(true);
  const vm = await emitAck<AnyAck>(v, 'chat:message', {
    clientMessageId: 'v1',
    text: 'Ik durf niet naar huis',
  });
  const res = await fetch(`${t.url}/api/conversations/${conversationId}/reports`, {
    method: 'POST',
    headers: { cookie: op.cookie, origin: t.url, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: 1,
      region: 'VR09',
      acuteDanger: false,
      consent: { status: 'agreed' },
      reporter: { role: 'victim' },
      people: { victim: {}, alleged: {}, children: [] },
      violence: { kinds: ['physical'], danger: 'structural' },
      contact: { method: 'none' },
      summary: 'Samenvatting',
      excerpts: [{ messageId: String(vm.messageId) }],
    }),
  });
  const created = (await res.json()) as Json;
  expect(res.status, JSON.stringify(created)).toBe(201);
  const reportId = String(created.reportId);
  await waitFor(
    async () => (await call(op, 'GET', `/api/reports/${reportId}`)).json.status === 'failed',
    10_000,
    50,
  );
  return { conversationId, reportId };
}

describe('reports outlive their conversation', () => {
  it('a purged conversation’s report stays with its own line: another line’s supervisor neither lists, reads nor retries it', async () => {
    const supA = await createOperator(t, { role: 'supervisor', lines: ['a'] });
    const supB = await createOperator(t, { role: 'supervisor', lines: ['b'] });
    const { conversationId, reportId } = await failedReportOnB();

    // Before the purge: line a's supervisor is kept out already.
    expect(await listed(supA, '/api/reports?limit=100')).not.toContain(reportId);
    expect((await call(supA, 'GET', `/api/reports/${reportId}`)).status).toBe(403);

    // The purge (RETENTION_HOURS) removes the conversation; the failed report stays.
    await t.app.redis.del(t.app.keys.conversation(conversationId));

    expect(await listed(supA, '/api/reports?limit=100')).not.toContain(reportId);
    expect(await listed(supA, '/api/reports?status=failed&limit=100')).not.toContain(reportId);
    expect(await listed(supA, `/api/conversations/${conversationId}/reports`)).not.toContain(reportId);
    const read = await call(supA, 'GET', `/api/reports/${reportId}`);
    expect(read.status).toBe(403);
    expect((read.json.error as { code: string }).code).toBe('forbidden');
    const retry = await call(supA, 'POST', `/api/reports/${reportId}/retry`);
    expect(retry.status).toBe(403);
    expect((retry.json.error as { code: string }).code).toBe('forbidden');
    // The refused retry changed nothing.
    expect(await t.app.redis.hget(t.app.keys.report(reportId), 'status')).toBe('failed');

    // Line b's supervisor still sees it, may retry it, and hears how the retry went.
    const supBSocket = await connectOperator(t.url, supB.cookie);
    sockets.push(supBSocket);
    const statuses = collect<{ reportId: string; status: string }>(supBSocket, 'report:status');
    expect(await listed(supB, '/api/reports?limit=100')).toContain(reportId);
    expect(await listed(supB, `/api/conversations/${conversationId}/reports`)).toContain(reportId);
    expect((await call(supB, 'GET', `/api/reports/${reportId}`)).json).toMatchObject({
      reportId,
      conversationId,
      status: 'failed',
    });
    const retried = await call(supB, 'POST', `/api/reports/${reportId}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ reportId, status: 'queued' });

    // The retry's audit entry carries the report's line: line b's supervisors read it, line a's do not.
    const audit = async (who: TestOperator) => {
      const res = await call(who, 'GET', '/api/audit?action=report-retry');
      expect(res.status).toBe(200);
      return auditResponseSchema.parse(res.json).entries.filter((e) => e.target === conversationId);
    };
    expect((await audit(supB)).map((e) => e.line)).toEqual(['b']);
    expect(await audit(supA)).toEqual([]);

    // The retry fails again (nothing listens for VR09): the status reaches line b's
    // supervisor, and the failure is audited on line b, as the first one was.
    await waitFor(() => statuses.some((s) => s.reportId === reportId && s.status === 'failed'), 10_000);
    expect(statuses.filter((s) => s.reportId === reportId).map((s) => s.status)).toEqual([
      'queued',
      'failed',
    ]);
    const failures = async (who: TestOperator) => {
      const res = await call(who, 'GET', '/api/audit?action=report-failed');
      return auditResponseSchema.parse(res.json).entries.filter((e) => e.target === conversationId);
    };
    await waitFor(async () => (await failures(supB)).length === 2, 5000);
    expect((await failures(supB)).map((e) => e.line)).toEqual(['b', 'b']);
  });

  it('a report stored before reports kept their line, its conversation purged: only an account of every line reaches it', async () => {
    const supB = await createOperator(t, { role: 'supervisor', lines: ['b'] });
    const supAll = await createOperator(t, { role: 'supervisor', lines: ['*'] });
    const admin = await createOperator(t, { role: 'admin' });
    const { conversationId, reportId } = await failedReportOnB();
    await t.app.redis.hdel(t.app.keys.report(reportId), 'line', 'servedLine');
    await t.app.redis.del(t.app.keys.conversation(conversationId));

    expect(await listed(supB, '/api/reports?limit=100')).not.toContain(reportId);
    expect((await call(supB, 'GET', `/api/reports/${reportId}`)).status).toBe(403);
    expect((await call(supB, 'POST', `/api/reports/${reportId}/retry`)).status).toBe(403);

    expect(await listed(supAll, '/api/reports?limit=100')).toContain(reportId);
    expect((await call(supAll, 'GET', `/api/reports/${reportId}`)).status).toBe(200);
    expect(await listed(admin, '/api/reports?limit=100')).toContain(reportId);
    expect((await call(admin, 'GET', `/api/reports/${reportId}`)).status).toBe(200);
  });
});
