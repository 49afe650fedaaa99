import { Queue } from 'bullmq';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { logErrorsOf } from '../queues/errors.ts';
import type { ReportJobQueue } from '../queues/jobs.ts';
import { closeQueue } from '../redis/close.ts';
import { QUEUE_REPORTS } from './delivery.ts';
import { ReportStore } from './store.ts';

/**
 * How long a report stays queued before the sweep looks for its delivery job: longer than
 * a submission or a retry takes from storing the report to queuing its job. @default 1 min
 */
export const LOST_JOB_AFTER_MS = 60_000;

/** How many queued reports one sweep looks at; the rest wait for the next. @default 100 */
const SWEEP_BATCH = 100;

/** The report queue as delivery needs it: a job added, or looked up by its id. */
export interface DeliveryQueue extends ReportJobQueue {
  getJob(jobId: string): Promise<unknown>;
}

type DeliveryConfig = Pick<Readonly<Config>, 'reportMaxAttempts' | 'reportBackoffMs'>;

/**
 * The BullMQ job id of a report's current round of attempts: the report id, then
 * `<id>.r<n>` after the n-th retry. A round has one id, so queuing it twice while its job
 * exists adds nothing (BullMQ keeps the first job).
 */
export function deliveryJobId(reportId: string, retries: number): string {
  return retries === 0 ? reportId : `${reportId}.r${retries}`;
}

/** Queues a round of delivery attempts: REPORT_MAX_ATTEMPTS, backing off from REPORT_BACKOFF_MS. */
export async function queueDelivery(
  queue: ReportJobQueue,
  config: DeliveryConfig,
  reportId: string,
  jobId: string,
): Promise<void> {
  await queue.add(
    'deliver',
    { reportId },
    {
      jobId,
      attempts: config.reportMaxAttempts,
      backoff: { type: 'exponential', delay: config.reportBackoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    },
  );
}

/**
 * Queues the current round of a queued report again when its job is gone: a crash or a
 * Redis error between storing the report and queuing its job. A job ends only after the
 * report left `queued` (delivered, failed), so a queued report without one would never be
 * delivered. True when it queued one.
 */
export async function requeueIfLost(
  deps: { store: ReportStore; queue: DeliveryQueue; config: DeliveryConfig },
  reportId: string,
): Promise<boolean> {
  const before = await deps.store.get(reportId);
  if (before?.status !== 'queued') return false;
  const jobId = deliveryJobId(reportId, before.retries);
  if (await deps.queue.getJob(jobId)) return false;
  // Read again once the job is known gone: a job that ended meanwhile moved the report on,
  // and a retry meanwhile has a round (and a job) of its own.
  const after = await deps.store.get(reportId);
  if (after?.status !== 'queued' || after.retries !== before.retries) return false;
  await queueDelivery(deps.queue, deps.config, reportId, jobId);
  return true;
}

/**
 * The sweep's step for reports (routing/jobs.ts): a report queued for more than a minute
 * whose delivery job is gone is queued again, in its own round, so it is sent once.
 */
export class LostDeliveries {
  readonly #store: ReportStore;
  readonly #config: DeliveryConfig;
  readonly #log: FastifyBaseLogger;
  readonly #openQueue: () => Promise<{ queue: DeliveryQueue; release(): Promise<void> }>;

  /** `openQueue`: the report queue, asked for only when a report has waited long enough. */
  constructor(deps: {
    store: ReportStore;
    config: DeliveryConfig;
    log: FastifyBaseLogger;
    openQueue: () => Promise<{ queue: DeliveryQueue; release(): Promise<void> }>;
  }) {
    this.#store = deps.store;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#openQueue = deps.openQueue;
  }

  /** Queues again the reports whose job was lost; answers how many. */
  async requeueLost(now = Date.now()): Promise<number> {
    const waiting = await this.#store.queuedBefore(now - LOST_JOB_AFTER_MS, SWEEP_BATCH);
    if (waiting.length === 0) return 0;
    const { queue, release } = await this.#openQueue();
    let requeued = 0;
    try {
      const deps = { store: this.#store, queue, config: this.#config };
      for (const { reportId } of waiting) {
        if (await requeueIfLost(deps, reportId)) {
          requeued += 1;
          this.#log.warn({ reportId }, 'report delivery job was lost: queued again');
        }
      }
      // Looked at now: the next look is a minute away, and the reports behind them get theirs.
      await this.#store.touchQueued(
        waiting.map((r) => r.reportId),
        now,
      );
    } finally {
      await release();
    }
    return requeued;
  }
}

/**
 * The sweep's LostDeliveries for an app. The report queue is the reports plugin's where it
 * runs; `npm run worker` has none, so there one is opened for the sweep that needs it.
 */
export function lostDeliveries(app: FastifyInstance): LostDeliveries {
  return new LostDeliveries({
    store: new ReportStore({ redis: app.redis, keys: app.keys, retentionMs: app.config.reportRetentionMs }),
    config: app.config,
    log: app.log,
    openQueue: async () => {
      if (app.hasDecorator('reportQueue')) return { queue: app.reportQueue, release: async () => {} };
      const queue = new Queue(QUEUE_REPORTS, app.bullOptions());
      logErrorsOf(queue, app.log, 'report queue error');
      try {
        await queue.waitUntilReady();
      } catch (err) {
        await closeQueue(queue);
        throw err;
      }
      return { queue, release: () => closeQueue(queue) };
    },
  });
}
