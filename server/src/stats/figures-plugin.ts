import fp from 'fastify-plugin';
import { DailyFigures } from './daily.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Figures per line and Amsterdam day (stats/daily.ts). */
    dailyFigures: DailyFigures;
  }
}

/**
 * Counts every start, first answer and end into the daily figures of its line. Registered
 * in the servers and in `npm run worker`, since routing passes and timeouts run in both.
 * A failed count is logged and never fails the conversation.
 */
export default fp(
  async (app) => {
    const figures = new DailyFigures({ redis: app.redis, keys: app.keys, lines: app.lines });
    app.decorate('dailyFigures', figures);
    app.lifecycle.onStarted((id) => figures.started(id));
    app.router.onAssigned((id, waitingSince) => figures.answered(id, waitingSince));
    app.lifecycle.onEnded((e) => figures.ended(e.conversationId, e.previous));
  },
  { name: 'daily-figures', dependencies: ['redis', 'lines', 'routing', 'conversations'] },
);
