import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { AppError } from '@stille-lijn/shared/errors';
import { type AuditEntry, auditQuerySchema, auditResponseSchema } from '@stille-lijn/shared/rest';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { currentOperator } from '../auth/plugin.ts';
import { assertLineMember, memberLines } from '../lines/access.ts';
import { addDays, isCalendarDate } from '../stats/daily.ts';

/** Days the reader shows without `from`: the last 7, today included. */
const DEFAULT_DAYS = 7;
/** Entries read from the stream per round trip while filtering. */
const CHUNK = 500;
/** At most this many entries are looked at for one answer; then `next` says where to go on. */
const SCAN_MAX = 10_000;
/** The default page. */
const PAGE = 100;

/** The first millisecond of an Amsterdam day (midnight is never inside a DST change there). */
export function amsterdamMidnight(date: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  for (const offsetH of [1, 2, 0, 3, -1]) {
    const t = utc - offsetH * 3_600_000;
    if (amsterdamDate(new Date(t)) === date && amsterdamDate(new Date(t - 1)) !== date) return t;
  }
  return utc;
}

/**
 * `GET /api/audit`: the audit stream for supervisors and admins, newest first, filtered by
 * line, Amsterdam days and action. Supervisors see only entries about conversations of
 * their lines (entries without a line, such as sign-ins, are for admins); a line they do not
 * belong to → 403. The stream holds no content, and neither does the answer.
 */
export default fp(
  async (app) => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const schema = { querystring: auditQuerySchema, response: { 200: auditResponseSchema } };
    const preValidation = app.requireRole('supervisor', 'admin');
    routes.get('/api/audit', { schema, preValidation }, async (req, reply) => {
      const q = req.query;
      const op = currentOperator(req);
      if (q.line !== undefined) assertLineMember(app.lines, op, q.line);
      const admin = op.role === 'admin';
      const mine = memberLines(app.lines, op);
      for (const field of ['from', 'to'] as const) {
        const v = q[field];
        if (v !== undefined && !isCalendarDate(v))
          throw new AppError('invalid_payload', `${field} is not a calendar day (YYYY-MM-DD).`, [field]);
      }
      const to = q.to ?? amsterdamDate(new Date());
      const from = q.from ?? addDays(to, -(DEFAULT_DAYS - 1));
      if (from > to) throw new AppError('invalid_payload', 'from lies after to.', ['from']);
      const startMs = amsterdamMidnight(from);
      const endMs = amsterdamMidnight(addDays(to, 1)) - 1;
      const limit = q.limit ?? PAGE;

      const keep = (f: Record<string, string>) => {
        if (q.action !== undefined && f.action !== q.action) return false;
        if (q.line !== undefined) return f.line === q.line;
        return admin || (f.line !== undefined && mine.has(f.line));
      };
      const entries: AuditEntry[] = [];
      let end = q.before ? `(${q.before}` : String(endMs);
      let scanned = 0;
      let next: string | undefined;
      while (entries.length < limit && scanned < SCAN_MAX) {
        const chunk = await app.redis.xrevrange(app.keys.audit, end, String(startMs), 'COUNT', CHUNK);
        if (chunk.length === 0) break;
        scanned += chunk.length;
        for (const [id, flat] of chunk) {
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
          if (!keep(f)) continue;
          entries.push({
            id,
            at: new Date(Number(id.split('-')[0])).toISOString(),
            action: f.action ?? '',
            actor: f.actor ?? '',
            target: f.conversation ?? '',
            ...(f.report ? { report: f.report } : {}),
            ...(f.line ? { line: f.line } : {}),
          });
          if (entries.length === limit) break;
        }
        const last = entries.length === limit ? entries[entries.length - 1]!.id : chunk[chunk.length - 1]![0];
        if (entries.length === limit || scanned >= SCAN_MAX) next = last;
        if (chunk.length < CHUNK && entries.length < limit) {
          next = undefined;
          break;
        }
        end = `(${last}`;
      }
      // Names of the actors, for reading; ids stay beside them.
      const actors = [...new Set(entries.map((e) => e.actor))];
      const names = new Map<string, string>();
      await Promise.all(
        actors.map(async (id) => {
          const a = id === 'system' ? null : await app.operators.get(id);
          if (a) names.set(id, a.displayName);
        }),
      );
      const body = {
        entries: entries.map((e) => (names.has(e.actor) ? { ...e, actorName: names.get(e.actor)! } : e)),
        ...(next ? { next } : {}),
      };
      return reply.header('cache-control', 'no-store').send(body);
    });
  },
  { name: 'audit-routes', dependencies: ['auth', 'lines', 'audit'] },
);
