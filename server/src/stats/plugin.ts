import type { StatsResponse } from '@stille-lijn/shared';
import { statsResponseSchema } from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { today } from '../routing/index.ts';

/** The median of a list of numbers (0 when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `GET /api/stats`: live figures of the line, for supervisors, read through the stores. */
export default fp(
  async (app) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const schema = { response: { 200: statsResponseSchema } };
    routes.get(
      '/api/stats',
      { schema, preValidation: app.requireRole('supervisor', 'admin') },
      async (_req, reply) => {
        const now = Date.now();
        const day = today();
        const [queue, active, operators, todayStats, waits, signalsToday] = await Promise.all([
          app.queueView.figures(),
          app.redis.scard(app.keys.active),
          app.roster.onRoute(now),
          app.redis.hgetall(app.keys.statsDay(day)),
          app.redis.lrange(app.keys.statsDayWaits(day), 0, -1),
          app.signals.figures(day),
        ]);
        const live = operators.filter((o) => o.connected);
        const body: StatsResponse = {
          waiting: queue.waiting,
          longestWaitSeconds: queue.oldestSince === null ? 0 : Math.round((now - queue.oldestSince) / 1000),
          active,
          operatorsAvailable: live.filter((o) => o.status === 'available').length,
          operatorsBusy: live.filter((o) => o.load > 0).length,
          answeredToday: Number(todayStats.answered ?? 0),
          endedToday: Number(todayStats.ended ?? 0),
          abandonedToday: Number(todayStats.abandoned ?? 0),
          medianWaitSecondsToday: Math.round(median(waits.map(Number)) / 1000),
          signalsToday,
        };
        return reply.header('cache-control', 'no-store').send(body);
      },
    );
  },
  { name: 'stats', dependencies: ['redis', 'auth', 'routing', 'signals'] },
);
