import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { AppError } from '@stille-lijn/shared/errors';
import type { DailyStatsQuery, DailyFigures as Day } from '@stille-lijn/shared/rest';
import type { Redis } from 'ioredis';
import type { LineRegistry } from '../lines/registry.ts';
import type { RedisKeys } from '../redis/keys.ts';

/** Days of daily figures kept (PROTOCOL.md, "Lines"); older days can no longer be asked for. */
export const DAILY_DAYS_KEPT = 400;
/** The keys live a little longer than the days that may be asked for, so the oldest day is whole. */
export const DAILY_TTL_MS = (DAILY_DAYS_KEPT + 2) * 86_400_000;
/** The range `GET /api/stats/daily` gives without `from`: the last 30 days, today included. */
export const DAILY_DEFAULT_DAYS = 30;

/** The counters of one line's day; `ended` feeds `/api/stats` but is not a daily column. */
type Counter = 'started' | 'answered' | 'abandoned' | 'ended' | 'urgent' | 'reports';

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Whether `YYYY-MM-DD` names a real calendar day (`2026-02-30` does not). */
export function isCalendarDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`))
    ? addDays(date, 0) === date
    : false;
}

/**
 * The inclusive range of Amsterdam days a query asks for: `to` defaults to today, `from` to
 * 29 days before `to`. A date that is not a day, `from` after `to`, a day after today or one
 * more than 400 days back → `invalid_payload` (400), naming the field.
 */
export function dailyRange(q: DailyStatsQuery, now: number): { from: string; to: string } {
  const today = amsterdamDate(new Date(now));
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !isCalendarDate(v))
      throw new AppError('invalid_payload', `${field} is not a calendar day (YYYY-MM-DD).`, [field]);
  }
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -(DAILY_DEFAULT_DAYS - 1));
  if (to > today) throw new AppError('invalid_payload', 'to lies in the future.', ['to']);
  if (from > to) throw new AppError('invalid_payload', 'from lies after to.', ['from']);
  if (from < addDays(today, -DAILY_DAYS_KEPT))
    throw new AppError('invalid_payload', `Days are kept ${DAILY_DAYS_KEPT} days.`, ['from']);
  return { from, to };
}

/** The value of rank `rank` (1-based) in a histogram of whole seconds → count. */
function atRank(sorted: readonly [number, number][], rank: number): number {
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return 0;
}

/**
 * Median and 90th percentile (nearest rank) of a histogram of waits, 0 when empty. The
 * median of an even count is the mean of the two middle values, as `/api/stats` does.
 * @example waitFigures(new Map([[10, 1], [20, 1]])) // { median: 15, p90: 20 }
 */
export function waitFigures(hist: ReadonlyMap<number, number>): { median: number; p90: number } {
  const sorted = [...hist].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return { median: 0, p90: 0 };
  const median =
    n % 2 ? atRank(sorted, (n + 1) / 2) : (atRank(sorted, n / 2) + atRank(sorted, n / 2 + 1)) / 2;
  return { median, p90: atRank(sorted, Math.ceil(0.9 * n)) };
}

export interface DailyFiguresDeps {
  redis: Redis;
  keys: RedisKeys;
  lines: LineRegistry;
}

/**
 * Figures per line and per Europe/Amsterdam day (PROTOCOL.md, "Lines"): counters and a
 * histogram of whole wait seconds, nothing else: no conversation id, no content, no
 * operator. Each conversation counts on the line it started on (`registry.lineOf`), on the
 * Amsterdam day of the event. Every key expires after 400 days and a little.
 */
export class DailyFigures {
  readonly #d: DailyFiguresDeps;
  constructor(deps: DailyFiguresDeps) {
    this.#d = deps;
  }

  /** The line a conversation counts on (its stored `line`, the first line for older records). */
  async #lineOf(conversationId: string): Promise<string> {
    return this.#d.lines.lineOf(
      (await this.#d.redis.hget(this.#d.keys.conversation(conversationId), 'line')) ?? '',
    );
  }

  async #count(line: string, at: number, counters: Counter[], waitSeconds?: number): Promise<void> {
    const day = amsterdamDate(new Date(at));
    const key = this.#d.keys.lineDay(line, day);
    const tx = this.#d.redis.multi();
    for (const c of counters) tx.hincrby(key, c, 1);
    tx.pexpire(key, DAILY_TTL_MS);
    if (waitSeconds !== undefined) {
      const waits = this.#d.keys.lineDayWaits(line, day);
      tx.hincrby(waits, String(waitSeconds), 1).pexpire(waits, DAILY_TTL_MS);
    }
    await tx.exec();
  }

  /** A conversation was started (and, with `urgent` on `chat:start`, started urgent). */
  async started(conversationId: string, at = Date.now()): Promise<void> {
    const [line, urgent] = await this.#d.redis.hmget(
      this.#d.keys.conversation(conversationId),
      'line',
      'urgent',
    );
    const counters: Counter[] = urgent === '1' ? ['started', 'urgent'] : ['started'];
    await this.#count(this.#d.lines.lineOf(line ?? ''), at, counters);
  }

  /**
   * A waiting conversation was given to an operator after waiting since `waitingSince`. Only
   * its first answer counts: one requeued or transferred and taken again is not answered twice
   * (the conversation's `answeredCounted` field marks it).
   */
  async answered(conversationId: string, waitingSince: number, at = Date.now()): Promise<void> {
    const first = await this.#d.redis.hsetnx(
      this.#d.keys.conversation(conversationId),
      'answeredCounted',
      '1',
    );
    if (first !== 1) return;
    const waited = Math.max(0, Math.round((at - waitingSince) / 1000));
    await this.#count(await this.#lineOf(conversationId), at, ['answered'], waited);
  }

  /** A conversation ended; from `waiting` it was abandoned. */
  async ended(conversationId: string, previous: string, at = Date.now()): Promise<void> {
    const counters: Counter[] = previous === 'waiting' ? ['ended', 'abandoned'] : ['ended'];
    await this.#count(await this.#lineOf(conversationId), at, counters);
  }

  /** A Veilig Thuis report was made about a conversation. */
  async report(conversationId: string, at = Date.now()): Promise<void> {
    await this.#count(await this.#lineOf(conversationId), at, ['reports']);
  }

  /**
   * The days `from`…`to` (inclusive) of `lines` together, oldest first, each day present
   * (zeros when nothing happened), with `ended` beside the daily columns.
   */
  async read(lines: readonly string[], from: string, to: string): Promise<(Day & { ended: number })[]> {
    const days: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
    const pipe = this.#d.redis.pipeline();
    for (const day of days)
      for (const line of lines) {
        pipe.hgetall(this.#d.keys.lineDay(line, day));
        pipe.hgetall(this.#d.keys.lineDayWaits(line, day));
      }
    const rows = ((await pipe.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
    return days.map((date, i) => {
      const sum = { started: 0, answered: 0, abandoned: 0, ended: 0, urgent: 0, reports: 0 };
      const hist = new Map<number, number>();
      for (let j = 0; j < lines.length; j++) {
        const counts = rows[(i * lines.length + j) * 2]!;
        const waits = rows[(i * lines.length + j) * 2 + 1]!;
        for (const c of Object.keys(sum) as Counter[]) sum[c] += Number(counts[c] ?? 0) || 0;
        for (const [s, n] of Object.entries(waits))
          hist.set(Number(s), (hist.get(Number(s)) ?? 0) + Number(n));
      }
      const w = waitFigures(hist);
      return { date, ...sum, medianWaitSeconds: w.median, p90WaitSeconds: w.p90 };
    });
  }
}
