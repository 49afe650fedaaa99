import { AppError } from '@stille-lijn/shared/errors';
import {
  idempotencyKeySchema,
  idParamsSchema,
  recentReportsQuerySchema,
  regionsResponseSchema,
  reportCreatedResponseSchema,
  reportListResponseSchema,
  reportStatusSchema,
} from '@stille-lijn/shared/rest';
import { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HourlyLimit } from '../audit/index.ts';
import { currentOperator } from '../auth/plugin.ts';
import { parseOrThrow } from '../http/parse.ts';
import { logErrorsOf } from '../queues/errors.ts';
import { JOB_RETENTION } from '../queues/plugin.ts';
import { closeQueue } from '../redis/close.ts';
import { QUEUE_REPORTS, startReportWorker } from './delivery.ts';
import { loadRegions } from './regions.ts';
import { ReportService } from './service.ts';
import { ReportStore } from './store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Veilig Thuis reports: submission, status, retry. */
    reports: ReportService;
    /** The BullMQ `report-delivery` queue (for its figures). */
    reportQueue: Queue;
  }
}

const idParams = idParamsSchema;

/** A report body may quote up to 100 messages; more room than the global 64 KiB. */
const REPORT_BODY_LIMIT = 512 * 1024;

/**
 * Report submissions one account may make per hour (a fixed window from its first), each
 * counted before its body (up to 512 KiB) is read, accepted or not. An operator writes a
 * report or two a shift, and corrects a refused form a few times; each report is kept
 * (REPORT_RETENTION_DAYS), so without a limit one account could fill Redis with them.
 * Past it a submission is refused `rate_limited` (`report_limit`, `retryAfterSeconds`).
 * @default 20
 */
export const REPORTS_PER_HOUR = 20;

/** The submissions' own budget, spent together with the account's actions (`ActionBudget`). */
const REPORT_LIMIT: HourlyLimit = {
  scope: 'report-submissions',
  perHour: REPORTS_PER_HOUR,
  reason: 'report_limit',
};

/**
 * Escalation to Veilig Thuis: `POST /api/conversations/:id/reports` seals and queues a
 * report, `GET /api/reports/:id` and `GET /api/conversations/:id/reports` show its
 * status (`GET /api/reports`: the newest, for supervisors), `POST /api/reports/:id/retry` sends a failed one again, `GET /api/regions`
 * lists where reports can go. The delivery worker runs here when WORKERS=inline.
 */
export default fp(
  async (app) => {
    // A bad regions file stops the boot, one line per problem.
    const regions = loadRegions(app.config);
    const store = new ReportStore({
      redis: app.redis,
      keys: app.keys,
      retentionMs: app.config.reportRetentionMs,
    });
    const queue = new Queue(QUEUE_REPORTS, { ...app.bullOptions(), defaultJobOptions: JOB_RETENTION });
    logErrorsOf(queue, app.log, 'report queue error');
    // Connected before the app is ready (see the queues plugin).
    await queue.waitUntilReady();
    app.decorate('reportQueue', queue);
    app.addHook('onClose', async () => {
      await closeQueue(queue);
    });
    const service = new ReportService({
      store,
      queue,
      regions,
      conversations: app.store,
      notifier: app.notifier,
      audit: app.audit,
      redis: app.redis,
      keys: app.keys,
      config: app.config,
      log: app.log,
      durable: app.durable,
      lineAccess: app.lineAccess,
    });
    app.decorate('reports', service);
    if (regions.size === 0) app.log.info('no Veilig Thuis regions configured (VT_REGIONS_FILE)');

    if (app.config.workers === 'inline') {
      const worker = await startReportWorker(app, { regions });
      app.addHook('onClose', async () => worker.close());
    }

    const routes = app.withTypeProvider<ZodTypeProvider>();
    const preValidation = app.requireOperator;
    const regionsSchema = { response: { 200: regionsResponseSchema } };
    routes.get('/api/regions', { schema: regionsSchema, preValidation }, async () => ({
      regions: service.configuredRegions(),
    }));

    // Everything that needs no body is checked in onRequest, before Fastify reads the up
    // to 512 KiB: an anonymous or foreign request must not make the server read and parse
    // it, nor one past the account's budgets (audited actions, submissions). Such a refusal
    // also closes the connection, so the unread body is never drained.
    const mayReport = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await app.requireOperator(req, reply);
        const { id } = parseOrThrow(idParams, req.params);
        const actor = currentOperator(req);
        await service.assertConversationAccess(id, actor);
        await app.actionBudget.spend(actor.id, [REPORT_LIMIT]);
      } catch (err) {
        reply.header('connection', 'close');
        throw err;
      }
    };
    // The body is left to the service: it checks the shared report schema together with
    // what only the stored conversation knows (excerpts, the acute record, regions), so
    // that one 400 names every failing field.
    routes.post(
      '/api/conversations/:id/reports',
      {
        schema: { params: idParams, response: { 201: reportCreatedResponseSchema } },
        onRequest: mayReport,
        bodyLimit: REPORT_BODY_LIMIT,
        // mayReport spends the account's budget (and the submissions' own) before the body.
        config: { actionBudget: 'own' },
      },
      async (req, reply) => {
        const { id } = req.params;
        const key = idempotencyKeySchema.safeParse(req.headers['idempotency-key']);
        if (!key.success) throw new AppError('invalid_payload', undefined, ['Idempotency-Key']);
        const created = await service.submit(id, currentOperator(req), req.body, key.data);
        if (created.replayed) reply.header('idempotent-replayed', 'true');
        else
          await app.dailyFigures
            .report(id)
            .catch((err: unknown) => req.log.warn({ err }, 'report not counted'));
        return reply.status(201).send({ reportId: created.reportId, status: created.status });
      },
    );

    const list = { params: idParams, response: { 200: reportListResponseSchema } };
    routes.get('/api/conversations/:id/reports', { schema: list, preValidation }, async (req) => {
      const { id } = req.params;
      return { reports: await service.listForConversation(id, currentOperator(req)) };
    });

    const recent = { querystring: recentReportsQuerySchema, response: { 200: reportListResponseSchema } };
    const supervisors = app.requireRole('supervisor', 'admin');
    routes.get('/api/reports', { schema: recent, preValidation: supervisors }, async (req) => {
      const q = req.query;
      return {
        reports: await service.listRecent({ status: q.status, limit: q.limit }, currentOperator(req)),
      };
    });

    const one = { params: idParams, response: { 200: reportStatusSchema } };
    routes.get('/api/reports/:id', { schema: one, preValidation }, async (req) => {
      const { id } = req.params;
      return service.status(id, currentOperator(req));
    });

    // An audited action: the app's preHandler spends the account's budget before it runs.
    routes.post('/api/reports/:id/retry', { schema: one, preValidation }, async (req) => {
      const { id } = req.params;
      return service.retry(id, currentOperator(req));
    });
  },
  {
    name: 'reports',
    dependencies: ['auth', 'conversation-store', 'notify', 'audit', 'queues', 'lines'],
  },
);
