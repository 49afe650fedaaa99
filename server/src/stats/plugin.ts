import type { StatsResponse } from '@stille-lijn/shared';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import {
  DAILY_CSV_COLUMNS,
  type DailyFigures as Day,
  dailyStatsQuerySchema,
  dailyStatsResponseSchema,
  statsQuerySchema,
  statsResponseSchema,
} from '@stille-lijn/shared/rest';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import type { OperatorAccount } from '../auth/types.ts';
import { assertLineMember, memberLines } from '../lines/access.ts';
import { today } from '../routing/index.ts';
import { dailyRange } from './daily.ts';

/** The median of a list of numbers (0 when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The daily figures as CSV: the `DAILY_CSV_COLUMNS` header, then one row per day (numbers only). */
export function dailyCsv(days: readonly Day[]): string {
  const rows = days.map((d) => DAILY_CSV_COLUMNS.map((c) => String(d[c])).join(','));
  return `${[DAILY_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * The lines a figures request covers: `line` when given (403 unless the caller belongs to
 * it), else every line of the caller (admins: all).
 */
function linesAsked(app: FastifyInstance, op: OperatorAccount, line: string | undefined): string[] {
  if (line !== undefined) {
    assertLineMember(app.lines, op, line);
    return [line];
  }
  return [...memberLines(app.lines, op)];
}

/** The deployment-wide live figures, as before lines ("today" being the UTC day). */
async function allLines(app: FastifyInstance, now: number): Promise<StatsResponse> {
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
  return {
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
}

/**
 * The live figures of some lines only: the conversations started on them (waiting and
 * active), the operators on the route who belong to one of them, and today's counts of
 * their daily figures and of their danger signals ("today" being the Amsterdam day).
 */
async function someLines(
  app: FastifyInstance,
  lines: ReadonlySet<string>,
  now: number,
): Promise<StatsResponse> {
  const keys = await app.queueView.waitingKeys();
  const read = app.redis.pipeline();
  for (const k of keys) read.zrange(k, 0, -1);
  read.smembers(app.keys.active);
  const sets = ((await read.exec()) ?? []).map(([, v]) => (v ?? []) as string[]);
  const activeIds = sets.pop() ?? [];
  const waitingIds = [...new Set(sets.flat())];
  const fields = app.redis.pipeline();
  for (const id of [...waitingIds, ...activeIds])
    fields.hmget(app.keys.conversation(id), 'line', 'waitingSince', 'state');
  const recs = ((await fields.exec()) ?? []).map(([, v]) => (v ?? []) as (string | null)[]);
  const ours = (r: (string | null)[] | undefined) =>
    r !== undefined && lines.has(app.lines.lineOf(r[0] ?? ''));
  const waiting = recs.slice(0, waitingIds.length).filter((r) => ours(r) && r[2] === 'waiting');
  const active = recs.slice(waitingIds.length).filter((r) => ours(r)).length;
  const since = waiting.map((r) => Number(r[1])).filter((n) => Number.isFinite(n) && n > 0);
  const operators = (await app.roster.onRoute(now)).filter((o) => o.connected);
  const accounts = await Promise.all(operators.map((o) => app.operators.get(o.id)));
  const live = operators.filter((_o, i) => {
    const a = accounts[i];
    return a !== null && a !== undefined && [...memberLines(app.lines, a)].some((l) => lines.has(l));
  });
  const day = amsterdamDate(new Date(now));
  const [figures] = await app.dailyFigures.read([...lines], day, day);
  return {
    waiting: waiting.length,
    longestWaitSeconds: since.length ? Math.max(0, Math.round((now - Math.min(...since)) / 1000)) : 0,
    active,
    operatorsAvailable: live.filter((o) => o.status === 'available').length,
    operatorsBusy: live.filter((o) => o.load > 0).length,
    answeredToday: figures?.answered ?? 0,
    endedToday: figures?.ended ?? 0,
    abandonedToday: figures?.abandoned ?? 0,
    medianWaitSecondsToday: Math.round(figures?.medianWaitSeconds ?? 0),
    signalsToday: await app.signals.figuresOfLines([...lines], day),
  };
}

/**
 * `GET /api/stats?line=`: live figures, and `GET /api/stats/daily?line=&from=&to=`: figures
 * per Amsterdam day (JSON, or CSV with `Accept: text/csv`). Supervisors and admins only;
 * a line the caller does not belong to → 403.
 */
export default fp(
  async (app) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const preValidation = app.requireRole('supervisor', 'admin');
    const schema = { querystring: statsQuerySchema, response: { 200: statsResponseSchema } };
    routes.get('/api/stats', { schema, preValidation }, async (req, reply) => {
      const now = Date.now();
      const lines = linesAsked(app, currentOperator(req), req.query.line);
      const everyLine = app.lines.all.every((l) => lines.includes(l.id));
      const body = everyLine ? await allLines(app, now) : await someLines(app, new Set(lines), now);
      return reply.header('cache-control', 'no-store').send(body);
    });

    const daily = { querystring: dailyStatsQuerySchema, response: { 200: dailyStatsResponseSchema } };
    routes.get('/api/stats/daily', { schema: daily, preValidation }, async (req, reply) => {
      const lines = linesAsked(app, currentOperator(req), req.query.line);
      const { from, to } = dailyRange(req.query, Date.now());
      const days: Day[] = (await app.dailyFigures.read(lines, from, to)).map(({ ended: _ended, ...d }) => d);
      reply.header('cache-control', 'no-store').header('vary', 'accept');
      if (wantsCsv(req.headers.accept)) {
        const name = `stille-lijn-${req.query.line ?? 'lines'}-${from}-${to}.csv`;
        // CSV is text, sent as it is: the JSON schema above serialises only JSON answers.
        return (reply as FastifyReply)
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(dailyCsv(days));
      }
      return reply.send({ days });
    });
  },
  { name: 'stats', dependencies: ['redis', 'auth', 'routing', 'signals', 'lines', 'daily-figures'] },
);

/** Whether the client asked for CSV rather than JSON. */
function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}
