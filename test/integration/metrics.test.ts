/**
 * /metrics across instances: per-process figures sum to the line's, and the line-wide
 * gauges come from one instance at a time, so a sum over instances never doubles them.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FIGURES_TTL_MS } from '../../server/src/metrics/cluster.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { connectVisitor, emitAck } from '../support/clients.ts';

const apps: TestApp[] = [];
const sockets: { disconnect(): unknown }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const a of apps.splice(0)) await a.close();
});

async function scrape(t: TestApp): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}
const W = 'sl_conversations_waiting{line="all"}';

/** The value of one sample (`name` or `name{labels}`), or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('metrics of a line served by two instances', () => {
  it('reports the waiting conversations once, whichever instance is asked', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const a = await startTestApp({ REDIS_PREFIX: prefix });
    const b = await startTestApp({ REDIS_PREFIX: prefix });
    apps.push(a, b);
    for (const t of [a, b, a]) {
      const v = await connectVisitor(t.url);
      sockets.push(v);
      expect((await emitAck<{ ok: boolean }>(v, 'chat:start', { role: 'victim', language: 'nl' })).ok).toBe(
        true,
      );
    }
    const [ta, tb] = [await scrape(a), await scrape(b)];
    // Per process: 2 visitors on a, 1 on b; summed, the 3 there are.
    expect(sample(ta, 'sl_visitors_connected')).toBe(2);
    expect(sample(tb, 'sl_visitors_connected')).toBe(1);
    // Line-wide: exactly one instance reports it, so the sum is 3, not 6.
    const waiting = [sample(ta, W), sample(tb, W)];
    expect(waiting.filter((w) => w !== undefined)).toEqual([3]);
    const leader = waiting[0] === undefined ? tb : ta;
    expect(sample(leader, 'sl_conversations_active{line="all"}')).toBe(0);
    expect(leader).toMatch(/^sl_queue_jobs\{queue="conversations",state="delayed"\} \d+$/m);
    expect(leader).toMatch(/^sl_queue_jobs\{queue="reports",state="failed"\} 0$/m);
    expect(sample(leader, 'sl_longest_wait_seconds{line="all"}')).toBeGreaterThanOrEqual(0);

    // When the leader stops renewing its claim, the other instance takes over.
    await a.app.redis.del(a.app.keys.metricsLeader);
    const first = leader === ta ? b : a;
    expect(sample(await scrape(first), W)).toBe(3);
    expect(sample(await scrape(first === a ? b : a), W)).toBeUndefined();
  });

  it('reads the line-wide figures at most once per FIGURES_TTL_MS, however often it is scraped', async () => {
    // /metrics answers whoever reaches it; each read of the figures is a few Redis commands
    // per line and language, so a loop of scrapes must not become a loop of reads.
    const t = await startTestApp();
    apps.push(t);
    const v = await connectVisitor(t.url);
    sockets.push(v);
    await emitAck(v, 'chat:start', { role: 'victim', language: 'nl' });
    const zcards = async () =>
      Number(/^cmdstat_zcard:calls=(\d+)/m.exec(await t.app.redis.info('commandstats'))?.[1] ?? 0);
    const before = await zcards();
    const started = Date.now();
    expect(sample(await scrape(t), W)).toBe(1);
    const once = (await zcards()) - before;
    expect(once).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) await scrape(t);
    // Only when the loop outlasted the window may a second read have happened.
    const reads = ((await zcards()) - before) / once;
    expect(reads).toBeLessThanOrEqual(Date.now() - started < FIGURES_TTL_MS ? 1 : 2);
    // The oldest wait still grows between reads: it is computed at each scrape.
    expect(sample(await scrape(t), 'sl_longest_wait_seconds{line="all"}')).toBeGreaterThanOrEqual(0);
  });

  it('asks for METRICS_TOKEN as a bearer token when one is set', async () => {
    const token = 'm'.repeat(12) + randomUUID();
    const t = await startTestApp({ METRICS_TOKEN: token });
    apps.push(t);
    const get = (authorization?: string) =>
      fetch(`${t.url}/metrics`, authorization ? { headers: { authorization } } : {});
    for (const refused of [await get(), await get(`Bearer ${token}x`), await get(token)]) {
      expect(refused.status).toBe(401);
      const body = await refused.text();
      expect(JSON.parse(body)).toEqual({ error: 'unauthorized' });
      expect(body).not.toContain('sl_');
    }
    const ok = await get(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('sl_visitors_connected');
  });

  it('marks every log line with the instance it came from', async () => {
    const t = await startTestApp();
    apps.push(t);
    await scrape(t);
    await fetch(`${t.url}/no-such-page`);
    const lines = t.logs.map((l) => JSON.parse(l) as { instance?: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.instance).toMatch(/^.+:\d+:[0-9a-f]{4}$/);
  });
});
