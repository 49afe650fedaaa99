import { connect } from 'node:net';
import { scoreRisk } from '@stille-lijn/shared/domain/risk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../server/src/audit/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  collect,
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type TestOperator,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';
import { type FakeRegion, startFakeRegion, startFakeVR09 } from '../support/fake-region.ts';
import { freePort } from '../support/redis-server.ts';

type AnyAck = { ok: boolean; error?: { code: string }; [k: string]: unknown };
type Json = Record<string, unknown>;
interface StatusEvent {
  reportId: string;
  conversationId: string;
  region: string;
  status: string;
  attempts: number;
  lastError?: string;
}

// Strings that must never be found in Redis or the logs in the clear.
const SECRET = {
  name: 'Sara Geheimnaam',
  summary: 'Samenvatting-7f3a: hij dreigt haar iets aan te doen',
  sensitive: 'Gevoelig-91bc: zij verblijft op een geheim adres',
  visitorText: 'Bericht-c0de: hij heeft me vannacht gewurgd',
};

/** A valid report for `messageId`, with the visitor's consent. */
function sampleReport(messageId: string, over: Json = {}): Json {
  return {
    version: 1,
    region: 'VR09',
    acuteDanger: false,
    consent: { status: 'agreed' },
    reporter: { role: 'victim', name: SECRET.name, phone: '+31 6 12345678' },
    people: {
      victim: { age: 34, gender: 'female', municipality: 'Utrecht' },
      alleged: { relation: 'partner', livesWithVictim: true },
      children: [{ age: 7 }, { age: 4 }],
    },
    violence: { kinds: ['physical', 'coercive-control'], danger: 'structural', pattern: 'weekly' },
    risk: scoreRisk({ strangulation: 'yes', 'very-frightened': 'yes' }),
    contact: { method: 'phone', safeTimes: 'werkdagen 9-12' },
    summary: SECRET.summary,
    excerpts: [{ messageId }],
    sensitive: SECRET.sensitive,
    ...over,
  };
}

interface Setup {
  t: TestApp;
  region: FakeRegion;
  cleanup: () => Promise<void>;
}

/** An app whose VR09 is a fake region (or `endpoint`, with the fake region's key). */
async function setup(env: Record<string, string> = {}, endpoint?: string): Promise<Setup> {
  const vr09 = await startFakeVR09({ endpoint });
  const t = await startTestApp({
    VT_REGIONS_FILE: vr09.regionsFile,
    REPORT_BACKOFF_MS: '20',
    ...env,
  });
  return {
    t,
    region: vr09.region,
    cleanup: async () => {
      await t.close();
      await vr09.close();
    },
  };
}

interface Chat {
  acct: TestOperator;
  op: OperatorSocket;
  v: VisitorSocket;
  conversationId: string;
  visitorMessageId: string;
  visitorMessageAt: string;
  operatorMessageId: string;
}

async function activeConversation(t: TestApp): Promise<Chat> {
  const acct = await createOperator(t, { displayName: 'Anna Smit' });
  const op = await connectOperator(t.url, acct.cookie);
  const v = await connectVisitor(t.url);
  const start = await emitAck<AnyAck>(v, 'chat:start', { role: 'victim', language: 'nl' });
  const conversationId = String(start.conversationId);
  expect((await emitAck<AnyAck>(op, 'chat:accept', { conversationId })).ok).toBe(true);
  const vm = await emitAck<AnyAck>(v, 'chat:message', { clientMessageId: 'v1', text: SECRET.visitorText });
  const om = await emitAck<AnyAck>(op, 'chat:message', {
    conversationId,
    clientMessageId: 'o1',
    text: 'Dank je dat je het vertelt.',
  });
  return {
    acct,
    op,
    v,
    conversationId,
    visitorMessageId: String(vm.messageId),
    visitorMessageAt: String(vm.at),
    operatorMessageId: String(om.messageId),
  };
}

async function submit(
  t: TestApp,
  cookie: string,
  conversationId: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${t.url}/api/conversations/${conversationId}/reports`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

async function get(t: TestApp, cookie: string, path: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${t.url}${path}`, { headers: { cookie } });
  return { status: res.status, json: (await res.json()) as Json };
}

async function waitForStatus(t: TestApp, cookie: string, reportId: string, status: string, ms = 10_000) {
  let last: Json = {};
  await waitFor(
    async () => {
      last = (await get(t, cookie, `/api/reports/${reportId}`)).json;
      return last.status === status;
    },
    ms,
    50,
  );
  return last;
}

/** Everything stored under the app's prefix, as text. */
async function redisDump(t: TestApp): Promise<string> {
  const r = t.app.redis;
  const keys = await r.keys(`${t.config.redisPrefix}:*`);
  const parts: string[] = [];
  for (const key of keys) {
    const type = await r.type(key);
    if (type === 'string') parts.push(String(await r.get(key)));
    else if (type === 'hash') parts.push(JSON.stringify(await r.hgetall(key)));
    else if (type === 'list') parts.push(JSON.stringify(await r.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await r.smembers(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await r.zrange(key, 0, -1)));
    else if (type === 'stream') parts.push(JSON.stringify(await r.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

/**
 * Sends only the head of a report submission that announces a full 512 KiB body, and
 * never the body: the status line arrives only from a server that answers without
 * reading it. Resolves with the status code, or 0 when nothing came within `ms`.
 */
function submitHeadOnly(t: TestApp, conversationId: string, headers: Record<string, string>, ms = 5000) {
  const { hostname, port } = new URL(t.url);
  const head = [
    `POST /api/conversations/${conversationId}/reports HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${512 * 1024}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return new Promise<{ status: number; closed: boolean }>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), closed });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.write(head);
  });
}

describe('report submissions are refused before the body is read', () => {
  let s: Setup | undefined;
  afterEach(async () => {
    await s?.cleanup();
    s = undefined;
  });

  it('anonymous: 401, and the connection is closed, with the announced 512 KiB never sent', async () => {
    s = await setup();
    const chat = await activeConversation(s.t);
    expect(await submitHeadOnly(s.t, chat.conversationId, {})).toEqual({ status: 401, closed: true });
    // A forged cookie is no better.
    expect(
      await submitHeadOnly(s.t, chat.conversationId, { Cookie: `sl_session=${'A'.repeat(43)}` }),
    ).toEqual({ status: 401, closed: true });
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it("another operator's, or a foreign Origin: 403 the same way; the holder's own head waits for its body", async () => {
    s = await setup();
    const chat = await activeConversation(s.t);
    const other = await createOperator(s.t);
    expect(await submitHeadOnly(s.t, chat.conversationId, { Cookie: other.cookie })).toEqual({
      status: 403,
      closed: true,
    });
    expect(
      await submitHeadOnly(s.t, chat.conversationId, {
        Cookie: chat.acct.cookie,
        Origin: 'https://evil.example',
      }),
    ).toEqual({ status: 403, closed: true });
    // The operator who holds the conversation passes the checks: the server then reads the body.
    expect(await submitHeadOnly(s.t, chat.conversationId, { Cookie: chat.acct.cookie }, 1000)).toEqual({
      status: 0,
      closed: false,
    });
    chat.op.disconnect();
    chat.v.disconnect();
  });
});

describe('Veilig Thuis reports', () => {
  let s: Setup | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await s?.cleanup();
    s = undefined;
  });

  it('end to end: sealed, delivered once, opened by the region with exactly what was submitted; no plaintext in Redis or logs', async () => {
    s = await setup();
    const { t, region } = s;
    const sup = await createOperator(t, { role: 'supervisor' });
    const supSocket = await connectOperator(t.url, sup.cookie);
    const chat = await activeConversation(t);
    const opEvents = collect<StatusEvent>(chat.op, 'report:status');
    const supEvents = collect<StatusEvent>(supSocket, 'report:status');
    const body = sampleReport(chat.visitorMessageId);
    const res = await submit(t, chat.acct.cookie, chat.conversationId, body);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const reportId = String(res.json.reportId);
    expect(res.json).toEqual({ reportId, status: 'queued' });

    const done = await waitForStatus(t, chat.acct.cookie, reportId, 'delivered');
    expect(done).toMatchObject({
      reportId,
      conversationId: chat.conversationId,
      region: 'VR09',
      status: 'delivered',
      attempts: 1,
    });
    expect(done).not.toHaveProperty('lastError');
    expect(Object.keys(done).sort()).toEqual(
      ['attempts', 'conversationId', 'createdAt', 'deliveredAt', 'region', 'reportId', 'status'].sort(),
    );

    // The region opened it with its private key: the content is what was submitted,
    // with the excerpt filled from the stored conversation.
    expect(region.inbox.received.size).toBe(1);
    const received = region.inbox.received.get(reportId)!;
    expect(received.content).toEqual({
      reportId,
      conversationId: chat.conversationId,
      createdAt: done.createdAt,
      helpline: { operatorId: chat.acct.id, operatorName: 'Anna Smit' },
      report: {
        ...body,
        excerpts: [
          {
            messageId: chat.visitorMessageId,
            from: 'visitor',
            text: SECRET.visitorText,
            at: chat.visitorMessageAt,
          },
        ],
      },
    });
    expect(region.requests).toEqual([{ key: reportId, status: 200 }]);

    // Live status: queued then delivered, to the operator and to supervisors.
    await waitFor(() => opEvents.some((e) => e.status === 'delivered'));
    await waitFor(() => supEvents.some((e) => e.status === 'delivered'));
    expect(opEvents.map((e) => e.status)).toEqual(['queued', 'delivered']);
    expect(opEvents[1]).toMatchObject({
      reportId,
      conversationId: chat.conversationId,
      region: 'VR09',
      attempts: 1,
    });

    // Only the sealed form is stored, and it expires REPORT_RETENTION_DAYS after delivery.
    const key = `${t.config.redisPrefix}:report:${reportId}`;
    const stored = await t.app.redis.hgetall(key);
    expect(stored.sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const ttl = await t.app.redis.pttl(key);
    expect(ttl).toBeGreaterThan(29 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);
    // Its conversation's index, which names the conversation, goes with it.
    const indexTtl = await t.app.redis.pttl(t.app.keys.reportsOf(chat.conversationId));
    expect(indexTtl).toBeGreaterThan(0);
    expect(indexTtl).toBeLessThanOrEqual(ttl + 60_000);
    const everything = `${await redisDump(t)}\n${t.logs.join('')}`;
    for (const secret of Object.values(SECRET)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('Geheimnaam');

    // The submission is audited, without content.
    const audit = await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+');
    const actions = audit.map(([, kv]) => kv.join(' '));
    expect(
      actions.some((a) => a.includes('report-submit') && a.includes(chat.acct.id) && a.includes(reportId)),
    ).toBe(true);
    expect(actions.some((a) => a.includes('report-delivered') && a.includes(reportId))).toBe(true);

    // Listing: the operator sees it on the conversation.
    const list = await get(t, chat.acct.cookie, `/api/conversations/${chat.conversationId}/reports`);
    expect(list.status).toBe(200);
    expect((list.json.reports as Json[]).map((r) => [r.reportId, r.status])).toEqual([
      [reportId, 'delivered'],
    ]);
    chat.op.disconnect();
    chat.v.disconnect();
    supSocket.disconnect();
  });

  it('an unreliable endpoint: 500 three times then 200 gives delivered after 4 attempts, stored once', async () => {
    s = await setup();
    const { t, region } = s;
    const chat = await activeConversation(t);
    region.failNext(3, 500);
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    expect(res.status).toBe(201);
    const reportId = String(res.json.reportId);
    const done = await waitForStatus(t, chat.acct.cookie, reportId, 'delivered');
    expect(done.attempts).toBe(4);
    expect(region.requests.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(region.requests.every((r) => r.key === reportId)).toBe(true);
    expect(region.inbox.received.size).toBe(1);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('a region that acknowledged a copy it already had stores it once (Idempotency-Key)', async () => {
    s = await setup();
    const { t, region } = s;
    const chat = await activeConversation(t);
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    const reportId = String(res.json.reportId);
    await waitForStatus(t, chat.acct.cookie, reportId, 'delivered');
    // The same delivery again, as after a crash between the region's 200 and our record.
    const sealed = await t.app.redis.hget(`${t.config.redisPrefix}:report:${reportId}`, 'sealed');
    const again = await fetch(region.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': reportId },
      body: JSON.stringify({ reportId, region: 'VR09', sealed }),
    });
    expect(again.status).toBe(200);
    expect(region.inbox.received.size).toBe(1);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('an endpoint down past the last attempt: failed, and supervisors are alerted live; a retry delivers it', async () => {
    const downPort = await freePort();
    // VR09 points at a port where nothing listens.
    s = await setup({ REPORT_MAX_ATTEMPTS: '3' }, `http://127.0.0.1:${downPort}/vt`);
    const t2 = s.t;
    const sup = await createOperator(t2, { role: 'supervisor' });
    const supSocket = await connectOperator(t2.url, sup.cookie);
    const chat = await activeConversation(t2);
    const alert = nextEvent<Json>(supSocket, 'supervisor:alert', { ms: 10_000 });
    const failedLive = nextEvent<StatusEvent>(chat.op, 'report:status', {
      ms: 10_000,
      where: (e) => e.status === 'failed',
    });
    const res = await submit(t2, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    const reportId = String(res.json.reportId);
    const failed = await waitForStatus(t2, chat.acct.cookie, reportId, 'failed');
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: 'ECONNREFUSED' });
    expect(await alert).toMatchObject({
      kind: 'report-failed',
      reportId,
      conversationId: chat.conversationId,
      operatorId: chat.acct.id,
    });
    expect(await failedLive).toMatchObject({ reportId, status: 'failed', attempts: 3 });
    // The sealed copy of a failed report is kept for a retry, for the retention period.
    const kept = await t2.app.redis.pttl(`${t2.config.redisPrefix}:report:${reportId}`);
    expect(kept).toBeGreaterThan(t2.config.reportRetentionMs - 60_000);
    expect(kept).toBeLessThanOrEqual(t2.config.reportRetentionMs);

    // Retrying something that has not failed is a conflict; a failed report can be retried.
    const region = await startFakeRegion({ port: downPort, keys: s.region });
    try {
      const retried = await fetch(`${t2.url}/api/reports/${reportId}/retry`, {
        method: 'POST',
        headers: { cookie: sup.cookie },
      });
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({ reportId, status: 'queued' });
      const done = await waitForStatus(t2, sup.cookie, reportId, 'delivered');
      expect(done.attempts).toBe(4);
      expect(region.inbox.received.size).toBe(1);
      const again = await fetch(`${t2.url}/api/reports/${reportId}/retry`, {
        method: 'POST',
        headers: { cookie: sup.cookie },
      });
      expect(again.status).toBe(409);
    } finally {
      await region.close();
    }
    chat.op.disconnect();
    chat.v.disconnect();
    supSocket.disconnect();
  });

  it('invalid input: 400 naming each bad field, and nothing is queued', async () => {
    s = await setup();
    const { t, region } = s;
    const chat = await activeConversation(t);
    const body = sampleReport(chat.visitorMessageId, {
      version: 2,
      summary: '',
      acuteDanger: 'yes',
      reporter: { role: 'neighbour', phone: 'bel me' },
      people: { children: [{ age: -3 }] },
      violence: { kinds: ['shouting'], danger: 'acute' },
      contact: { method: 'pigeon' },
      nickname: 'x',
    });
    const res = await submit(t, chat.acct.cookie, chat.conversationId, body);
    expect(res.status).toBe(400);
    expect((res.json.error as Json).code).toBe('invalid_payload');
    expect((res.json.fields as string[]).sort()).toEqual(
      [
        'version',
        'summary',
        'acuteDanger',
        'reporter.role',
        'reporter.phone',
        'people.children.0.age',
        'violence.kinds.0',
        'contact.method',
        'nickname',
      ].sort(),
    );
    // Not a body at all.
    const notJson = await fetch(`${t.url}/api/conversations/${chat.conversationId}/reports`, {
      method: 'POST',
      headers: { cookie: chat.acct.cookie, 'content-type': 'application/json' },
      body: '{"version":',
    });
    expect(notJson.status).toBe(400);
    // Excerpts must be messages of this conversation, quoted as they were written.
    const forged = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, {
        excerpts: [
          { messageId: chat.visitorMessageId, text: 'iets anders' },
          { messageId: '1-0' },
          { messageId: chat.operatorMessageId, from: 'visitor' },
        ],
      }),
    );
    expect(forged.status).toBe(400);
    expect(forged.json.fields).toEqual(['excerpts.0.text', 'excerpts.1.messageId', 'excerpts.2.from']);
    expect(region.requests).toEqual([]);
    expect(await t.app.redis.keys(`${t.config.redisPrefix}:report:*`)).toEqual([]);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('identifying details without consent or acute danger: 400 per detail', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const res = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, {
        consent: { status: 'not-asked', reason: 'reporter-safety' },
        people: { victim: { address: 'Dorpsstraat 1' }, children: [{ age: 5, name: 'Noor' }] },
      }),
    );
    expect(res.status).toBe(400);
    expect((res.json.fields as string[]).sort()).toEqual(
      ['people.children.0.name', 'people.victim.address', 'reporter.name', 'reporter.phone'].sort(),
    );
    // Declined without a reason from the Meldcode's list.
    const noReason = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, {
        consent: { status: 'declined' },
        reporter: { role: 'victim' },
        contact: { method: 'none' },
      }),
    );
    expect(noReason.json.fields).toEqual(['consent.reason']);
    // Claiming acute danger the operator never marked does not unlock identifying details.
    const claimed = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, {
        acuteDanger: true,
        consent: { status: 'not-asked', reason: 'acute-danger' },
      }),
    );
    expect(claimed.status).toBe(400);
    expect(claimed.json.fields).toEqual(['acuteDanger']);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('acute danger first marked after the end is refused, and unlocks no identifying details', async () => {
    // An operator who wants to send a victim's name without her consent cannot make the
    // conversation acute after the fact: the exception is for danger seen while it lasted.
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const conversationId = chat.conversationId;
    expect((await emitAck<AnyAck>(chat.op, 'chat:end', { conversationId })).ok).toBe(true);
    const late = await emitAck<AnyAck>(chat.op, 'chat:acute', { conversationId, location: 'Utrecht' });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'conversation_ended' } });
    expect((await t.app.store.get(conversationId)).sealed.acute).toBeFalsy();
    const res = await submit(
      t,
      chat.acct.cookie,
      conversationId,
      sampleReport(chat.visitorMessageId, {
        acuteDanger: true,
        consent: { status: 'not-asked', reason: 'acute-danger' },
        people: { victim: { name: 'Sara', address: 'Dorpsstraat 1' }, children: [] },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json.fields).toEqual(['acuteDanger']);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('acute danger marked while it lasted: its 112 answers may still be added after the end', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const conversationId = chat.conversationId;
    expect((await emitAck<AnyAck>(chat.op, 'chat:acute', { conversationId })).ok).toBe(true);
    expect((await emitAck<AnyAck>(chat.op, 'chat:end', { conversationId })).ok).toBe(true);
    const later = await emitAck<AnyAck>(chat.op, 'chat:acute', { conversationId, location: 'Utrecht' });
    expect(later).toMatchObject({ ok: true, conversation: { acute: { location: 'Utrecht' } } });
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('acute danger marked before consent: identifying details go, with the reason on record', async () => {
    s = await setup();
    const { t, region } = s;
    const chat = await activeConversation(t);
    expect(
      (
        await emitAck<AnyAck>(chat.op, 'chat:acute', {
          conversationId: chat.conversationId,
          location: 'Utrecht',
        })
      ).ok,
    ).toBe(true);
    const body = sampleReport(chat.visitorMessageId, {
      acuteDanger: true,
      consent: { status: 'not-asked', reason: 'acute-danger', reasonText: 'Geen tijd om het te vragen.' },
      people: { victim: { name: 'Sara', address: 'Dorpsstraat 1' }, children: [] },
      violence: { kinds: ['physical'], danger: 'acute' },
    });
    const res = await submit(t, chat.acct.cookie, chat.conversationId, body);
    expect(res.status).toBe(201);
    const reportId = String(res.json.reportId);
    await waitForStatus(t, chat.acct.cookie, reportId, 'delivered');
    const report = region.inbox.received.get(reportId)!.content.report;
    expect(report.people.victim).toEqual({ name: 'Sara', address: 'Dorpsstraat 1' });
    expect(report.consent).toEqual(body.consent);
    const audit = (await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+')).map(([, kv]) =>
      kv.join(' '),
    );
    expect(audit.some((a) => a.includes('report-identifying-acute-danger') && a.includes(reportId))).toBe(
      true,
    );
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('a submission whose audit entries could not be written gets them from its retry, once', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    expect((await emitAck<AnyAck>(chat.op, 'chat:acute', { conversationId: chat.conversationId })).ok).toBe(
      true,
    );
    // The first write of a report's audit entry fails (a failover), however it is written.
    let failed = 0;
    for (const method of ['record', 'recordOncePer'] as const) {
      const real = AuditLog.prototype[method] as (...a: unknown[]) => Promise<unknown>;
      vi.spyOn(AuditLog.prototype, method).mockImplementation(function (this: AuditLog, ...args: unknown[]) {
        const action = method === 'record' ? args[0] : args[1];
        if (action === 'report-submit' && failed === 0) {
          failed += 1;
          return Promise.reject(new Error('Connection is closed.'));
        }
        return real.apply(this, args);
      } as never);
    }
    const body = sampleReport(chat.visitorMessageId, {
      acuteDanger: true,
      consent: { status: 'not-asked', reason: 'acute-danger', reasonText: 'Geen tijd om het te vragen.' },
      people: { victim: { name: 'Sara', address: 'Dorpsstraat 1' }, children: [] },
      violence: { kinds: ['physical'], danger: 'acute' },
    });
    const headers = { 'idempotency-key': 'form-audit-1' };
    const first = await submit(t, chat.acct.cookie, chat.conversationId, body, headers);
    expect(failed).toBe(1);
    expect(first).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    const again = await submit(t, chat.acct.cookie, chat.conversationId, body, headers);
    expect(again.status).toBe(201);
    const reportId = String(again.json.reportId);
    // And a third, which finds both on record.
    expect((await submit(t, chat.acct.cookie, chat.conversationId, body, headers)).json.reportId).toBe(
      reportId,
    );
    const audit = (await t.app.redis.xrange(`${t.config.redisPrefix}:audit`, '-', '+')).map(([, kv]) =>
      kv.join(' '),
    );
    const entries = (action: string) =>
      audit.filter((a) => a.includes(`action ${action} `) && a.includes(reportId));
    expect(entries('report-submit')).toHaveLength(1);
    expect(entries('report-identifying-acute-danger')).toHaveLength(1);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('without an Idempotency-Key, a submission whose audit entry failed is answered as made, not retried into a second', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const real = AuditLog.prototype.recordOncePer;
    let failed = 0;
    vi.spyOn(AuditLog.prototype, 'recordOncePer').mockImplementation(function (this: AuditLog, ...args) {
      if (args[1] === 'report-submit' && failed++ === 0)
        return Promise.reject(new Error('Connection is closed.'));
      return real.apply(this, args);
    });
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    expect(failed).toBe(1);
    expect(res.status).toBe(201);
    await waitForStatus(t, chat.acct.cookie, String(res.json.reportId), 'delivered');
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('unknown region: 400, also for a real region without a configured endpoint', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const unknown = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, { region: 'VR26' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.json.fields).toEqual(['region']);
    const unconfigured = await submit(
      t,
      chat.acct.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId, { region: 'VR07' }),
    );
    expect(unconfigured.status).toBe(400);
    expect(unconfigured.json).toEqual({
      error: { code: 'invalid_payload', message: 'No delivery is configured for this region.' },
      fields: ['region'],
    });
    const regions = await get(t, chat.acct.cookie, '/api/regions');
    expect(regions.json).toEqual({ regions: [{ id: 'VR09', name: 'Utrecht' }] });
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('roles: an operator who is not assigned reaches no report endpoint; supervisors reach all', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    const reportId = String(res.json.reportId);
    const other = await createOperator(t);
    const sup = await createOperator(t, { role: 'supervisor' });

    const otherSubmit = await submit(
      t,
      other.cookie,
      chat.conversationId,
      sampleReport(chat.visitorMessageId),
    );
    expect(otherSubmit.status).toBe(403);
    // Refused before the body is even looked at.
    expect((await submit(t, other.cookie, chat.conversationId, { nonsense: true })).status).toBe(403);
    expect((await get(t, other.cookie, `/api/reports/${reportId}`)).status).toBe(403);
    expect((await get(t, other.cookie, `/api/conversations/${chat.conversationId}/reports`)).status).toBe(
      403,
    );
    const retry = await fetch(`${t.url}/api/reports/${reportId}/retry`, {
      method: 'POST',
      headers: { cookie: other.cookie },
    });
    expect(retry.status).toBe(403);
    // An unknown report looks the same to them.
    expect((await get(t, other.cookie, '/api/reports/no-such-report')).status).toBe(403);
    // Without a session: 401.
    expect((await fetch(`${t.url}/api/reports/${reportId}`)).status).toBe(401);

    expect((await get(t, sup.cookie, `/api/reports/${reportId}`)).status).toBe(200);
    expect((await get(t, sup.cookie, '/api/reports/no-such-report')).status).toBe(404);
    const supList = await get(t, sup.cookie, `/api/conversations/${chat.conversationId}/reports`);
    expect((supList.json.reports as Json[]).map((r) => r.reportId)).toEqual([reportId]);
    const supReport = await submit(t, sup.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    expect(supReport.status).toBe(201);
    // The operator's list holds their own report only.
    const opList = await get(t, chat.acct.cookie, `/api/conversations/${chat.conversationId}/reports`);
    expect((opList.json.reports as Json[]).map((r) => r.reportId)).toEqual([reportId]);
    // Every report, newest first, is for supervisors only.
    expect((await get(t, chat.acct.cookie, '/api/reports')).status).toBe(403);
    const all = await get(t, sup.cookie, '/api/reports');
    expect((all.json.reports as Json[]).map((r) => r.reportId)).toEqual([supReport.json.reportId, reportId]);
    expect(JSON.stringify(all.json)).not.toContain(SECRET.summary);
    await waitForStatus(t, sup.cookie, String(supReport.json.reportId), 'delivered');
    const failedOnly = await get(t, sup.cookie, '/api/reports?status=failed');
    expect(failedOnly.json).toEqual({ reports: [] });
    expect((await get(t, sup.cookie, '/api/reports?status=lost')).status).toBe(400);
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('the operator who last held an ended conversation can still report; a waiting one cannot be reported', async () => {
    s = await setup();
    const { t } = s;
    const chat = await activeConversation(t);
    expect((await emitAck<AnyAck>(chat.op, 'chat:end', { conversationId: chat.conversationId })).ok).toBe(
      true,
    );
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    expect(res.status).toBe(201);

    const v2 = await connectVisitor(t.url);
    const start = await emitAck<AnyAck>(v2, 'chat:start', { role: 'bystander', language: 'nl' });
    const sup = await createOperator(t, { role: 'supervisor' });
    const waiting = await submit(t, sup.cookie, String(start.conversationId), sampleReport('1-0'));
    expect(waiting.status).toBe(409);
    const missing = await submit(t, sup.cookie, 'no-such-conversation', sampleReport('1-0'));
    expect(missing.status).toBe(404);
    v2.disconnect();
    chat.op.disconnect();
    chat.v.disconnect();
  });

  it('an Idempotency-Key makes a resubmission return the first report instead of a second one', async () => {
    s = await setup();
    const { t, region } = s;
    const chat = await activeConversation(t);
    const body = sampleReport(chat.visitorMessageId);
    const headers = { 'idempotency-key': 'form-4711' };
    const first = await submit(t, chat.acct.cookie, chat.conversationId, body, headers);
    const second = await submit(t, chat.acct.cookie, chat.conversationId, body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.reportId).toBe(first.json.reportId);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await waitForStatus(t, chat.acct.cookie, String(first.json.reportId), 'delivered');
    expect(region.inbox.received.size).toBe(1);
    const bad = await submit(t, chat.acct.cookie, chat.conversationId, body, {
      'idempotency-key': 'has space',
    });
    expect(bad.json.fields).toEqual(['Idempotency-Key']);
    chat.op.disconnect();
    chat.v.disconnect();
  });
});

describe('reports without VT_REGIONS_FILE', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('answer 400 region: no region is configured', async () => {
    t = await startTestApp();
    const chat = await activeConversation(t);
    const res = await submit(t, chat.acct.cookie, chat.conversationId, sampleReport(chat.visitorMessageId));
    expect(res.status).toBe(400);
    expect(res.json.fields).toEqual(['region']);
    expect((await get(t, chat.acct.cookie, '/api/regions')).json).toEqual({ regions: [] });
    chat.op.disconnect();
    chat.v.disconnect();
  });
});
