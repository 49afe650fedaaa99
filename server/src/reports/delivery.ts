import type { RegionId } from '@stille-lijn/shared/domain/regions';
import type { ReportDelivery } from '@stille-lijn/shared/domain/report';
import type { Job } from 'bullmq';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/index.ts';
import { logErrorsOf } from '../queues/errors.ts';
import { jobData, reportJobs } from '../queues/jobs.ts';
import { closeWorkers, Worker } from '../queues/workers.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { loadRegions, type RegionEndpoint } from './regions.ts';
import { publicStatus, type ReportRecord, ReportStore } from './store.ts';

/** The BullMQ queue of deliveries. */
export const QUEUE_REPORTS = 'report-delivery';

/** How long one delivery attempt may take. @default 10 s */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Why an attempt failed, in a few words fit for `lastError`: never content, never the URL. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  const code = e.cause?.code;
  if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code;
  return 'network error';
}

/**
 * POSTs `{ reportId, region, sealed }` to a region's endpoint with
 * `Idempotency-Key: <reportId>`. A 2xx answer means received; anything else, a redirect
 * or a timeout throws a DeliveryError.
 */
export async function postDelivery(
  endpoint: string,
  body: ReportDelivery,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': body.reportId },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      // A redirect could send the box elsewhere and would not prove receipt.
      redirect: 'manual',
    });
  } catch (err) {
    throw new DeliveryError(describeFetchError(err));
  }
  // Only the status matters; whatever the body holds is not read.
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`HTTP ${res.status}`);
}

/** Tells the reporting operator and the supervisors of a status change (from any process). */
export function publishReportStatus(notifier: Notifier, record: ReportRecord): void {
  const payload = publicStatus(record);
  // The supervisors (and admins) of the lines that may reach the conversation, one copy each.
  if (!record.bySupervisor) notifier.toOperator(record.operatorId, 'report:status', payload);
  void notifier
    .toSupervisorsAboutKept(record.conversationId, keptLines(record), 'report:status', payload)
    .catch(() => {});
}

/** The lines a report was made on: it outlives its conversation, and they still follow it. */
function keptLines(record: ReportRecord): string[] {
  return [record.line, record.servedLine].filter((l): l is string => Boolean(l));
}

/** A report's audit extras: its id, and its line, which a purged conversation no longer gives. */
export function auditOf(record: ReportRecord, reportId: string): { report: string; line?: string } {
  return { report: reportId, ...(record.line ? { line: record.line } : {}) };
}

export interface DeliveryContext {
  store: ReportStore;
  regions: ReadonlyMap<RegionId, RegionEndpoint>;
  notifier: Notifier;
  audit: AuditLog;
  log: FastifyBaseLogger;
  /** Counts attempts by outcome (this process's `sl_report_deliveries_total`). */
  deliveries?: { inc(labels: { outcome: 'delivered' | 'retry' | 'failed' }): void };
  /** @default DELIVERY_TIMEOUT_MS */
  timeoutMs?: number;
}

/** Marks a report failed (once) and alerts the supervisors. */
async function giveUp(ctx: DeliveryContext, reportId: string, error: string): Promise<void> {
  const before = await ctx.store.get(reportId);
  if (!before || !(await ctx.store.markFailed(reportId, before.conversationId, error))) return;
  const record = (await ctx.store.get(reportId)) ?? {
    ...before,
    status: 'failed' as const,
    lastError: error,
  };
  publishReportStatus(ctx.notifier, record);
  const alert = {
    kind: 'report-failed' as const,
    reportId,
    conversationId: record.conversationId,
    operatorId: record.operatorId,
    operatorName: record.operatorName,
    at: new Date().toISOString(),
  };
  await ctx.notifier.toSupervisorsAboutKept(
    record.conversationId,
    keptLines(record),
    'supervisor:alert',
    alert,
  );
  await ctx.audit.record('report-failed', 'system', record.conversationId, auditOf(record, reportId));
  ctx.log.warn({ reportId, attempts: record.attempts, error }, 'report delivery failed for good');
}

/**
 * One delivery attempt of a `report-delivery` job. A failure throws, so BullMQ retries
 * with exponential backoff; the last failure marks the report failed and alerts the
 * supervisors. A report already delivered is not sent again.
 */
export async function processReportJob(ctx: DeliveryContext, job: Job): Promise<string> {
  const { reportId } = jobData(reportJobs, 'deliver', job.data);
  const attempt = await ctx.store.beginAttempt(reportId);
  if (!attempt) return 'gone';
  if (attempt.status !== 'queued') return attempt.status;
  const region = ctx.regions.get(attempt.region);
  let error: string | undefined;
  if (!region) {
    error = 'region not configured';
  } else {
    try {
      const body = { reportId, region: attempt.region, sealed: attempt.sealed };
      await postDelivery(region.endpoint, body, { timeoutMs: ctx.timeoutMs ?? DELIVERY_TIMEOUT_MS });
    } catch (err) {
      error = err instanceof DeliveryError ? err.message : 'error';
    }
  }
  const record = await ctx.store.get(reportId);
  if (!record) return 'gone';
  if (error === undefined) {
    await ctx.store.markDelivered(reportId, record.conversationId);
    publishReportStatus(ctx.notifier, (await ctx.store.get(reportId)) ?? record);
    await ctx.audit.record('report-delivered', 'system', record.conversationId, auditOf(record, reportId));
    ctx.deliveries?.inc({ outcome: 'delivered' });
    ctx.log.info({ reportId, attempts: attempt.attempts }, 'report delivered');
    return 'delivered';
  }
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  ctx.deliveries?.inc({ outcome: lastAttempt ? 'failed' : 'retry' });
  if (lastAttempt) {
    await giveUp(ctx, reportId, error);
  } else {
    await ctx.store.recordError(reportId, error);
    publishReportStatus(ctx.notifier, { ...record, lastError: error });
  }
  throw new DeliveryError(error);
}

/**
 * Starts the `report-delivery` worker: in the server when WORKERS=inline, and in
 * `npm run worker`. Reads VT_REGIONS_FILE unless `regions` is given.
 * @example const worker = await startReportWorker(app); app.addHook('onClose', () => worker.close());
 */
export async function startReportWorker(
  app: FastifyInstance,
  opts: { regions?: ReadonlyMap<RegionId, RegionEndpoint>; timeoutMs?: number } = {},
): Promise<{ close(): Promise<void> }> {
  const ctx: DeliveryContext = {
    store: new ReportStore({ redis: app.redis, keys: app.keys, retentionMs: app.config.reportRetentionMs }),
    regions: opts.regions ?? loadRegions(app.config),
    notifier: app.notifier,
    audit: app.audit,
    log: app.log,
    deliveries: app.metrics.reportDeliveries,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  };
  if (ctx.regions.size === 0 && !opts.regions) {
    app.log.warn('no Veilig Thuis regions configured (VT_REGIONS_FILE): queued reports cannot be delivered');
  }
  const worker = new Worker(QUEUE_REPORTS, (job) => processReportJob(ctx, job), {
    ...app.bullOptions(),
    concurrency: 4,
    // A delivery is idempotent, so a job caught in a crash may safely run again.
    maxStalledCount: 5,
  });
  logErrorsOf(worker, app.log, 'report worker error');
  worker.on('failed', (job, err) => {
    if (!job) return;
    // A job can also end without the processor's last word: an error of ours on the last
    // attempt, or a job that stalled too often (its worker died mid-attempt, repeatedly).
    // A DeliveryError is the processor's own last word: it already gave up, and doing so
    // again here could undo a retry asked for in between.
    const exhausted =
      job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable limit/.test(err.message);
    if (exhausted && !(err instanceof DeliveryError)) {
      const { reportId } = jobData(reportJobs, 'deliver', job.data);
      giveUp(ctx, reportId, err instanceof DeliveryError ? err.message : 'error').catch((e: unknown) =>
        app.log.warn({ err: e }, 'marking a report failed did not work'),
      );
    }
  });
  // Connected before anyone can close it (see routing/jobs.ts).
  await Promise.all([worker.waitUntilReady(), worker.client]);
  // A delivery under way when the process stops is let finish (it may take DELIVERY_TIMEOUT_MS):
  // cut, it stays `queued` until the stalled-job check of another instance sends it again.
  return { close: () => closeWorkers([worker], DELIVERY_TIMEOUT_MS + 2_000) };
}
