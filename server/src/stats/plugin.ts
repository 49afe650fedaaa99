import type { StatsResponse } from '@stille-lijn/shared';
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
      const [waiting, active, oldestUrgent, oldestOther, ops, todayStats, waits] = await Promise.all([
        r.zcard(k('waiting')),
        r.scard(k('active')),
        r.zrangebyscore(k('waiting'), '-inf', `(${URGENT_OFFSET}`, 'WITHSCORES', 'LIMIT', 0, 1),
        r.zrangebyscore(k('waiting'), URGENT_OFFSET, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
        r.smembers(k('route', 'ops')),
        r.hgetall(today),
        r.lrange(`${today}:waits`, 0, -1),
      ]);
      const since = [oldestUrgent[1], oldestOther[1]]
        .filter((s): s is string => s !== undefined)
        .map((s) => Number(s) % URGENT_OFFSET);
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
  { name: 'stats', dependencies: ['redis', 'auth'] },
);
