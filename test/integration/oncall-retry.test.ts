/**
 * On-call paging when the webhook or the night goes wrong: a failed send must not silence
 * the pager for ONCALL_MIN_INTERVAL_S, and a line nobody staffs is paged again for as long
 * as visitors wait on it, by one instance of several. Real Redis, a local HTTP server as the
 * webhook. The sweep's re-check is mostly run by hand (WORKERS=none), so that every count is
 * exact; one test runs the real sweep job.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type VisitorSocket,
  waitFor,
} from '../support/clients.ts';

type AnyAck = { ok: boolean; staffed?: boolean; conversationId?: string };
type Page = { kind: string; line: string; waiting: number; longestWaitSeconds: number; at: string };
/** A page as the webhook received it, with when (ms). */
type Received = Page & { receivedAt: number };

const apps: TestApp[] = [];
const sockets: { disconnect(): unknown }[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const a of apps.splice(0)) await a.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/**
 * A webhook that answers each request as `script` says, in turn, then 204 to the rest:
 * a status, or 'drop' (the connection is cut before any answer). `accepted` holds the pages
 * it answered with a 2xx, `requests` every page it was sent.
 */
async function webhook(script: (number | 'drop')[] = []) {
  const requests: Received[] = [];
  const accepted: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const page: Received = { ...(JSON.parse(body) as Page), receivedAt: Date.now() };
      requests.push(page);
      const answer = script.shift() ?? 204;
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer >= 200 && answer < 300) accepted.push(page);
      res.writeHead(answer).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`, requests, accepted };
}

async function app(env: Record<string, string>): Promise<TestApp> {
  const a = await startTestApp({ WORKERS: 'none', ...env });
  apps.push(a);
  return a;
}

async function visitor(a: TestApp): Promise<VisitorSocket> {
  const v = await connectVisitor(a.url);
  sockets.push(v);
  return v;
}

const start = async (a: TestApp, payload: Record<string, unknown> = {}) =>
  emitAck<AnyAck>(await visitor(a), 'chat:start', { role: 'victim', language: 'nl', ...payload });

/** The sweep's re-check of unstaffed lines, run by hand (the sweep job itself is tested below). */
const recheck = (a: TestApp) => a.app.oncall.pageUnstaffedLines();

/** Every page this app has under way (retries included) has been sent or given up. */
const settled = (...as: TestApp[]) => Promise.all(as.map((a) => a.app.oncall.idle()));

/** The gaps between consecutive pages (ms): none may be shorter than ONCALL_MIN_INTERVAL_S. */
const gaps = (pages: Received[]) => pages.slice(1).map((p, i) => p.receivedAt - pages[i]!.receivedAt);

/** Waits until the interval's claim for `kind` on the default line has expired. */
const intervalOver = (a: TestApp, kind = 'unstaffed') =>
  waitFor(async () => (await a.app.redis.exists(a.app.keys.oncallPaged(kind, 'default'))) === 0, 5000);

describe('a failed page', () => {
  it('is retried: the webhook answers 500, then 200, and exactly one page arrives, soon', async () => {
    const hook = await webhook([500]);
    const t = await app({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' });
    const began = Date.now();
    expect((await start(t)).staffed).toBe(false);
    await waitFor(() => hook.accepted.length === 1, 5000);
    expect(Date.now() - began).toBeLessThan(4000);
    await settled(t);
    expect(hook.requests.map((p) => p.kind)).toEqual(['unstaffed', 'unstaffed']);
    expect(hook.accepted[0]).toMatchObject({ kind: 'unstaffed', line: 'default', waiting: 1 });
    // The failure is logged with its status, never the address.
    const refused = t.logs.find((l) => l.includes('on-call webhook refused the page'));
    expect(JSON.parse(refused!)).toMatchObject({ kind: 'unstaffed', status: 500 });
    expect(refused).not.toContain('127.0.0.1');

    // The successful page holds the interval: another unstaffed start pages nobody.
    expect((await start(t)).staffed).toBe(false);
    await recheck(t);
    await settled(t);
    expect(hook.requests).toHaveLength(2);
    expect(hook.accepted).toHaveLength(1);
  });

  it('is retried after a cut connection too', async () => {
    const hook = await webhook(['drop']);
    const t = await app({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' });
    expect((await start(t)).staffed).toBe(false);
    await waitFor(() => hook.accepted.length === 1, 5000);
    await settled(t);
    expect(hook.requests).toHaveLength(2);
    expect(t.logs.some((l) => l.includes('on-call page failed'))).toBe(true);
  });

  it('gives up after a few attempts, and the next occasion pages again', async () => {
    const hook = await webhook([500, 500, 500, 500, 500, 500, 500, 500]);
    const t = await app({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' });
    expect((await start(t)).staffed).toBe(false);
    await settled(t);
    const attempts = hook.requests.length;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThanOrEqual(5);
    // Nothing holds the interval after a failure: the next unstaffed start pages at once.
    hook.requests.length = 0;
    expect((await start(t)).staffed).toBe(false);
    await waitFor(() => hook.requests.length >= 1, 2000);
  }, 60_000);
});

describe('a line that stays unstaffed', () => {
  it('is paged again once ONCALL_MIN_INTERVAL_S has passed, while its visitor still waits', async () => {
    const hook = await webhook();
    const t = await app({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '1' });
    expect((await start(t)).staffed).toBe(false);
    await waitFor(() => hook.accepted.length === 1);
    // Within the interval the sweep pages nobody (a page it sent would come too soon).
    await recheck(t);
    await settled(t);
    expect(gaps(hook.requests).every((g) => g >= 1000)).toBe(true);

    await intervalOver(t);
    await recheck(t);
    await settled(t);
    expect(hook.accepted).toHaveLength(2);
    expect(gaps(hook.accepted)[0]).toBeGreaterThanOrEqual(1000);
    expect(hook.accepted[1]).toMatchObject({ kind: 'unstaffed', line: 'default', waiting: 1 });
    expect(hook.accepted[1]!.longestWaitSeconds).toBeGreaterThanOrEqual(1);
  });

  it('is paged again by the sweep job', async () => {
    const hook = await webhook();
    const t = await app({ WORKERS: 'inline', ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '1' });
    expect((await start(t)).staffed).toBe(false);
    await waitFor(() => hook.accepted.length === 1);
    await intervalOver(t);
    await t.app.queues.conversations.add('sweep', {});
    await waitFor(() => hook.accepted.length === 2);
    expect(hook.accepted[1]).toMatchObject({ kind: 'unstaffed', line: 'default', waiting: 1 });
  });

  it('is not paged by the sweep while someone is staffed for its waiting visitor', async () => {
    const hook = await webhook();
    const t = await app({ ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' });
    const acct = await createOperator(t);
    await t.app.operators.setAccess(acct.id, { capacity: 1 });
    const op = await connectOperator(t.url, acct.cookie);
    sockets.push(op);
    const assigned = nextEvent(op, 'chat:assigned');
    await emitAck(op, 'operator:status', { status: 'available' });
    expect((await start(t)).staffed).toBe(true);
    await assigned;
    // The desk is full: the second visitor waits, but someone is staffed for them.
    const waiting = await start(t);
    expect(waiting.staffed).toBe(true);
    await recheck(t);
    await settled(t);
    expect(hook.requests).toEqual([]);

    // Positive control: the operator goes on a break, and now the line is unstaffed.
    await emitAck(op, 'operator:status', { status: 'break' });
    await recheck(t);
    await settled(t);
    expect(hook.accepted.map((p) => [p.kind, p.waiting])).toEqual([['unstaffed', 1]]);
  });

  it('is paged once per interval by two instances on one Redis', async () => {
    const hook = await webhook();
    const env = { ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '1' };
    const a = await app(env);
    const b = await app({ ...env, REDIS_PREFIX: a.config.redisPrefix });
    // Two unstaffed starts at once, one on each instance: one page.
    const [sa, sb] = await Promise.all([start(a), start(b)]);
    expect([sa.staffed, sb.staffed]).toEqual([false, false]);
    await waitFor(() => hook.accepted.length === 1);
    await settled(a, b);
    expect(hook.requests).toHaveLength(1);
    // Each interval, both sweep at once: a page more each time, never two within an interval.
    for (const n of [2, 3]) {
      await intervalOver(a);
      await Promise.all([recheck(a), recheck(b)]);
      await settled(a, b);
      expect(hook.requests.length).toBeGreaterThanOrEqual(n);
    }
    expect(gaps(hook.requests).every((g) => g >= 1000)).toBe(true);
    expect(hook.accepted.every((p) => p.kind === 'unstaffed' && p.waiting === 2)).toBe(true);
  });

  it('sends one page across two instances when the first attempt fails', async () => {
    const hook = await webhook([500]);
    const env = { ONCALL_WEBHOOK_URL: hook.url, ONCALL_MIN_INTERVAL_S: '300' };
    const a = await app(env);
    const b = await app({ ...env, REDIS_PREFIX: a.config.redisPrefix });
    await Promise.all([start(a), start(b)]);
    await waitFor(() => hook.accepted.length === 1, 5000);
    await settled(a, b);
    await Promise.all([recheck(a), recheck(b)]);
    await settled(a, b);
    expect(hook.accepted).toHaveLength(1);
  });
});

describe('urgent-waiting', () => {
  it('pages again after ONCALL_MIN_INTERVAL_S while the urgent visitor still waits', async () => {
    const hook = await webhook();
    const t = await app({
      WORKERS: 'inline',
      ONCALL_WEBHOOK_URL: hook.url,
      ONCALL_MIN_INTERVAL_S: '1',
      URGENT_ALERT_S: '1',
      URGENT_ALERT_REPEAT_S: '1',
    });
    expect((await start(t, { urgent: true })).staffed).toBe(false);
    const urgent = () => hook.accepted.filter((p) => p.kind === 'urgent-waiting');
    await waitFor(() => urgent().length >= 2, 10_000);
    const [first, second] = urgent();
    expect(Date.parse(second!.at) - Date.parse(first!.at)).toBeGreaterThanOrEqual(1000);
    expect(second!.waiting).toBe(1);
  });
});
