import type { Job } from 'bullmq';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ConversationLifecycle } from '../conversations/index.ts';
import type { OnCall } from '../oncall/index.ts';
import type { Presence } from '../presence/index.ts';
import { errorKind, logErrorsOf } from '../queues/errors.ts';
import { conversationJobs, jobData, retentionJobs } from '../queues/jobs.ts';
import { JOB_RETENTION, QUEUE_CONVERSATIONS, QUEUE_RETENTION } from '../queues/plugin.ts';
import { Worker } from '../queues/workers.ts';
import { QUEUE_REPORTS } from '../reports/delivery.ts';
import { type LostDeliveries, lostDeliveries } from '../reports/recovery.ts';
import type { Shift } from '../shift/index.ts';
import type { Supervision } from '../supervision/index.ts';
import type { QueueView } from './queue-view.ts';
import type { Router } from './router.ts';
import type { Waiters } from './waiters.ts';

/** How often the safety-net sweep runs: presence, routing, positions. @default 10 s */
export const SWEEP_EVERY_MS = 10_000;

/** What the jobs of the `conversations` and `retention` queues act on. */
export interface JobServices {
  router: Router;
  waiters: Waiters;
  view: QueueView;
  presence: Presence;
  lifecycle: ConversationLifecycle;
  supervision: Supervision;
  shift: Shift;
  oncall: OnCall;
  reports: Pick<LostDeliveries, 'requeueLost'>;
  /** Empties the queues' event streams (`dropQueueEvents`). */
  dropQueueEvents: () => Promise<unknown>;
  log: FastifyBaseLogger;
}

/**
 * The sweep's steps, in order: the clean-ups catch what a lost event, a lost job or a dead
 * instance left behind (operators gone, visitors gone, release 1's waiting set, return
 * windows closed, waiters gone too long), then routing, then the queue pushed to everyone.
 */
const SWEEP_STEPS: readonly (readonly [step: string, run: (s: JobServices) => Promise<unknown>])[] = [
  ['presence.sweepOperators', (s) => s.presence.sweepOperators()],
  ['waiters.migrateLegacyWaiting', (s) => s.waiters.migrateLegacyWaiting()],
  ['presence.sweepVisitors', (s) => s.presence.sweepVisitors()],
  ['lifecycle.endOverdueAway', (s) => s.lifecycle.endOverdueAway()],
  ['lifecycle.finishPendingEnds', (s) => s.lifecycle.finishPendingEnds()],
  ['waiters.holdGoneWaiters', (s) => s.waiters.holdGoneWaiters()],
  ['waiters.fallbackUnspoken', (s) => s.waiters.fallbackUnspoken()],
  ['router.routeNow', (s) => s.router.routeNow()],
  ['view.pushPositions', (s) => s.view.pushPositions(true)],
  ['view.pushSnapshot', (s) => s.view.pushSnapshot()],
  // A line that stays unstaffed is paged again once ONCALL_MIN_INTERVAL_S has passed.
  ['oncall.pageUnstaffedLines', (s) => s.oncall.pageUnstaffedLines()],
  // A report queued for a minute without its delivery job (a crash, a Redis error) gets one.
  ['reports.requeueLost', (s) => s.reports.requeueLost()],
  // Nothing reads BullMQ's event streams, and their entries name jobs such as
  // `purge-<conversation id>` with the moment it ended: kept no longer than a sweep.
  ['queues.dropEvents', (s) => s.dropQueueEvents()],
];

/**
 * The sweep: every step runs, even after one failed, or one bad record would stop routing,
 * ending and paging on every sweep. A failed step is logged by name and error code only
 * (an error's message may quote what it read); the job then fails, naming the steps.
 */
export async function sweep(s: JobServices): Promise<void> {
  const failed: string[] = [];
  for (const [step, run] of SWEEP_STEPS) {
    try {
      await run(s);
    } catch (err) {
      failed.push(step);
      s.log.warn({ step, ...errorKind(err) }, 'sweep step failed');
    }
  }
  // Step names only: the worker's 'failed' handler logs this error, and BullMQ keeps it.
  if (failed.length > 0) throw new AggregateError(failed, `sweep steps failed: ${failed.join(', ')}`);
}

/** Runs one job of the `conversations` queue, its data parsed by its name's schema. */
export async function processConversationJob(s: JobServices, job: Job): Promise<unknown> {
  switch (job.name) {
    case 'route': {
      const d = jobData(conversationJobs, 'route', job.data);
      const assigned = await s.router.routeNow();
      // An overflow step: operators of the next line see it now, and its visitor's staffing may change.
      if (d.overflow) s.view.changed();
      return assigned;
    }
    case 'grace':
      return s.presence.graceExpired(jobData(conversationJobs, 'grace', job.data).operatorId);
    case 'away-expire': {
      const d = jobData(conversationJobs, 'away-expire', job.data);
      return s.lifecycle.expireAway(d.conversationId, d.awaySince);
    }
    case 'hold':
      return s.waiters.holdIfGone(jobData(conversationJobs, 'hold', job.data).conversationId);
    case 'sweep':
      return sweep(s);
    case 'fallback': {
      const moved = await s.waiters.fallbackIfUnspoken(
        jobData(conversationJobs, 'fallback', job.data).conversationId,
      );
      // Dutch and English speakers may take it now.
      if (moved) await s.router.routeNow();
      return moved;
    }
    case 'break-end': {
      const d = jobData(conversationJobs, 'break-end', job.data);
      return s.shift.breakOver(d.operatorId, d.until);
    }
    case 'assigned': {
      const d = jobData(conversationJobs, 'assigned', job.data);
      return s.router.tellHolder(d.conversationId, d.operatorId, d.move);
    }
    case 'urgent-alert':
      return s.supervision.urgentStillWaiting(
        jobData(conversationJobs, 'urgent-alert', job.data).conversationId,
      );
    default:
      throw new Error(`unknown job ${job.name}`);
  }
}

export async function processRetentionJob(s: JobServices, job: Job): Promise<unknown> {
  return s.lifecycle.purge(jobData(retentionJobs, 'purge', job.data).conversationId);
}

/** The services of an app, for the jobs. */
export function jobServices(app: FastifyInstance): JobServices {
  return {
    router: app.router,
    waiters: app.waiters,
    view: app.queueView,
    presence: app.presence,
    lifecycle: app.lifecycle,
    supervision: app.supervision,
    shift: app.shift,
    oncall: app.oncall,
    reports: lostDeliveries(app),
    dropQueueEvents: () =>
      app.redis
        .pipeline(
          [QUEUE_CONVERSATIONS, QUEUE_RETENTION, QUEUE_REPORTS].map((queue) => [
            'xtrim',
            `${app.config.redisPrefix}:${queue}:events`,
            'MAXLEN',
            '0',
          ]),
        )
        .exec()
        .then((replies) => {
          const failed = replies?.find(([err]) => err)?.[0];
          if (failed) throw failed;
        }),
    log: app.log,
  };
}

/** Starts the BullMQ workers and the sweep scheduler; returns them for closing. */
export async function startWorkers(app: FastifyInstance): Promise<Worker[]> {
  const s = jobServices(app);
  const conversations = new Worker(QUEUE_CONVERSATIONS, (job) => processConversationJob(s, job), {
    ...app.bullOptions(),
    concurrency: 4,
  });
  const retention = new Worker(QUEUE_RETENTION, (job) => processRetentionJob(s, job), {
    ...app.bullOptions(),
    concurrency: 2,
  });
  for (const w of [conversations, retention]) {
    logErrorsOf(w, app.log, 'worker error');
    w.on('failed', (job, err) => app.log.warn({ err, job: job?.name }, 'job failed'));
  }
  // A purge that failed for good leaves no job to look at (queues/plugin.ts): it is counted.
  retention.on('failed', (job, err) => {
    if (job && (err?.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)))
      app.metrics.purgesFailed.inc();
  });
  // Connected before anyone can close them: a worker closed while its connections still
  // initialise leaves BullMQ's own init promise rejected with nobody to catch it.
  await Promise.all([conversations, retention].flatMap((w) => [w.waitUntilReady(), w.client]));
  // A sweep every 10 s is 8,640 jobs a day: none is kept once done, and few failed ones.
  // A failed one is not retried: the next is 10 s away.
  await app.queues.conversations.upsertJobScheduler(
    'sweep',
    { every: SWEEP_EVERY_MS },
    { name: 'sweep', opts: { ...JOB_RETENTION, attempts: 1 } },
  );
  return [conversations, retention];
}
