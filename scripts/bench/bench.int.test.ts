import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { relaySummary } from './json.ts';
import { formatBench } from './report.ts';
import { randomPrefix, runBench } from './run.ts';

// A tiny run of the real bench, so `npm run bench` cannot silently rot: both servers,
// assignment, a fixed-rate relay phase and a two-step search, nothing printed.
describe('npm run bench (smoke)', () => {
  it('produces figures at a tiny scale, with nothing lost and no duplicates', async () => {
    const r = await runBench({
      visitors: 10,
      operators: 2,
      rate: 20,
      durationMs: 1000,
      searchRates: [20],
      searchStepMs: 500,
      staggerMs: 10,
      skipBaseline: false,
      skipSearch: false,
      redisUrl: inject('redisUrl'),
      prefix: randomPrefix(),
    });
    for (const t of [r.ours, r.bare!]) {
      expect(t.assignment.n).toBe(10);
      expect(t.assignment.wrongName).toBe(0);
      expect(Number.isFinite(t.assignment.visitor.p99)).toBe(true);
      expect(t.freeCapacity?.n).toBeGreaterThan(0);
      for (const d of [t.main.v2o, t.main.o2v]) {
        expect(d.sent).toBe(20);
        expect(d.received).toBe(20);
        expect(d.acked).toBe(20);
        expect(d.lost).toBe(0);
        expect(d.duplicates).toBe(0);
        expect(d.misrouted).toBe(0);
        expect(Number.isFinite(d.latency.p50)).toBe(true);
        expect(Number.isFinite(d.latency.p99)).toBe(true);
        expect(d.achievedPerS).toBeGreaterThan(0);
      }
      expect(t.search.length).toBeGreaterThan(0);
      expect(t.integrity.sent).toBeGreaterThan(0);
      expect(t.integrity.exactlyOnce).toBe(t.integrity.sent);
      expect(t.integrity.duplicates).toBe(0);
      expect(t.unexpectedDisconnects).toBe(0);
      expect(t.rssAfterConnectBytes).toBeGreaterThan(0);
    }
    expect(r.ours.persisted).toMatchObject({ encrypted: true });
    expect(r.ours.persisted!.found).toBe(r.ours.persisted!.expected);
    const text = formatBench(r).join('\n');
    expect(text).toContain('RELAY');
    expect(text).toContain('TARGETS');
    // The headline of `--json`: both targets and their ratios.
    const summary = relaySummary(r);
    expect(summary.ours.p99).toBe(r.ours.main.both.p99);
    expect(summary.bare?.highestHeld).toBe(r.bare!.highestHeld);
    expect(summary.ratios.p99).toBeGreaterThan(0);
  }, 90_000);

  it('with bareRedis, the bare relay stores every message it acks in Redis first', async () => {
    const redis = new Redis(inject('redisUrl'));
    const stored = async () => {
      const keys = await redis.keys('bare:conv:*:msgs');
      let n = 0;
      for (const k of keys) n += await redis.xlen(k);
      return n;
    };
    try {
      const before = await stored();
      const r = await runBench({
        visitors: 6,
        operators: 2,
        rate: 20,
        durationMs: 500,
        searchRates: [],
        searchStepMs: 500,
        staggerMs: 10,
        skipBaseline: false,
        skipSearch: true,
        bareRedis: true,
        redisUrl: inject('redisUrl'),
        prefix: randomPrefix(),
      });
      const bare = r.bare!;
      expect(bare.main.v2o.acked + bare.main.o2v.acked).toBe(20);
      expect(bare.integrity.lost).toBe(0);
      expect((await stored()) - before).toBe(bare.integrity.acked);
      expect(bare.redisCpuPct).toBeGreaterThanOrEqual(0);
      expect(formatBench(r).join('\n')).toContain('--bare-redis');
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
