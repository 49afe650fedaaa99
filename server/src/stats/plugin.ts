import { languages, type StatsResponse } from '@stille-lijn/shared';
import fp from 'fastify-plugin';
import { URGENT_OFFSET } from '../conversations/lua.ts';

/** The median of a list of numbers (0 when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `GET /api/stats`: live figures of the line, for supervisors. */
export default fp(
  async (app) => {
    app.get('/api/stats', { preHandler: app.requireRole('supervisor', 'admin') }, async (_req, reply) => {
      const r = app.redis;
      const k = app.key;
      const now = Date.now();
      const today = k('stats', new Date(now).toISOString().slice(0, 10));
      const queues = r.pipeline();
      for (const lang of languages) {
        const wk = app.conversations.waitingKey(lang);
        queues.zcard(wk);
        queues.zrangebyscore(wk, '-inf', `(${URGENT_OFFSET}`, 'WITHSCORES', 'LIMIT', 0, 1);
        queues.zrangebyscore(wk, URGENT_OFFSET, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
      }
      const [queueRows, active, ops, todayStats, waits] = await Promise.all([
        queues.exec(),
        r.scard(k('active')),
        r.smembers(k('route', 'ops')),
        r.hgetall(today),
        r.lrange(`${today}:waits`, 0, -1),
      ]);
      let waiting = 0;
      const since: number[] = [];
      (queueRows ?? []).forEach(([, v], i) => {
        if (i % 3 === 0) waiting += Number(v ?? 0);
        else if (Array.isArray(v) && v[1] !== undefined) since.push(Number(v[1]) % URGENT_OFFSET);
      });
      const longestWaitSeconds = since.length ? Math.round((now - Math.min(...since)) / 1000) : 0;
      let operatorsAvailable = 0;
      let operatorsBusy = 0;
      const pipe = r.pipeline();
      for (const id of ops) {
        pipe.zcount(k('op', id, 'conns'), now, '+inf');
        pipe.hget(k('route', 'op', id), 'status');
        pipe.scard(k('op', id, 'convs'));
      }
      const rows = (await pipe.exec()) ?? [];
      for (let i = 0; i < ops.length; i++) {
        const live = Number(rows[i * 3]?.[1] ?? 0) > 0;
        const status = rows[i * 3 + 1]?.[1];
        const load = Number(rows[i * 3 + 2]?.[1] ?? 0);
        if (!live) continue;
        if (load > 0) operatorsBusy++;
        if (status === 'available') operatorsAvailable++;
      }
      const body: StatsResponse = {
        waiting,
        longestWaitSeconds,
        active,
        operatorsAvailable,
        operatorsBusy,
        answeredToday: Number(todayStats.answered ?? 0),
        endedToday: Number(todayStats.ended ?? 0),
        abandonedToday: Number(todayStats.abandoned ?? 0),
        medianWaitSecondsToday: Math.round(median(waits.map(Number)) / 1000),
      };
      return reply.header('cache-control', 'no-store').send(body);
    });
  },
  { name: 'stats', dependencies: ['redis', 'auth', 'conversations'] },
);
