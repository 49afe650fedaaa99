import { type JobsOptions, Queue, type QueueOptions } from 'bullmq';
import fp from 'fastify-plugin';
import { closeQueue } from '../redis/close.ts';
import { logErrorsOf } from './errors.ts';
import { conversationJobOptions } from './jobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    queues: {
      /** Routing work that must survive a crash: route passes, grace timers, return-window timers, sweeps. */
      conversations: Queue;
      /** Deletes ended conversations after RETENTION_HOURS. */
      retention: Queue;
    };
    /** BullMQ options shared by queues and workers: a dedicated connection and our key prefix. */
    bullOptions: () => QueueOptions;
  }
}

/**
 * Each queue's event stream keeps about this many entries (BullMQ's default is 10,000).
 * Nothing here reads them, and each names its job: `purge-<conversation id>` with the
 * moment it ended, kept long after the purge. Trimmed approximately (`MAXLEN ~`).
 * The sweep's `queues.dropEvents` step empties them every pass; this bound is what holds
 * where no sweep runs, as with `WORKERS=none` and no `npm run worker`.
 */
export const QUEUE_EVENTS_KEPT = 100;

/**
 * Every job removes itself once done, and at most 100 failed ones are kept per queue for a
 * look: without it the sweep alone would leave 8,640 completed jobs a day in Redis, for ever.
 */
export const JOB_RETENTION = { removeOnComplete: true, removeOnFail: 100 } as const;

/**
 * The default of the `conversations` and `retention` queues: a job that fails (a Redis
 * failover, a crash mid-job) is tried again, after 1, 2, 4 … 64 s, so about two minutes in
 * all. A lost `purge` or `away-expire` keeps a conversation's data, a lost `urgent-alert` or
 * `break-end` silences an alert or keeps an operator on a break. Every job of the two queues
 * checks the state it acts on, so a second run does nothing twice, except that an
 * `urgent-alert` whose repeat failed to queue after it alerted alerts once more.
 */
export const JOB_DEFAULTS = {
  ...JOB_RETENTION,
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
} as const;

/**
 * The `conversations` queue: every job added gets the options its name always takes
 * (`conversationJobOptions`), over the caller's, so that no caller can forget them.
 */
export class ConversationsQueue extends Queue {
  override add(name: string, data: unknown, opts?: JobsOptions) {
    return super.add(name, data, { ...opts, ...conversationJobOptions(name, data) });
  }
}

export const QUEUE_CONVERSATIONS = 'conversations';
export const QUEUE_RETENTION = 'retention';

export default fp(
  async (app) => {
    const bullOptions = (): QueueOptions => ({
      // BullMQ needs its own connections with no per-request retry limit.
      connection: app.newRedis({ maxRetriesPerRequest: null, enableReadyCheck: true }),
      prefix: app.config.redisPrefix,
      streams: { events: { maxLen: QUEUE_EVENTS_KEPT } },
    });
    const conversations = new ConversationsQueue(QUEUE_CONVERSATIONS, {
      ...bullOptions(),
      defaultJobOptions: JOB_DEFAULTS,
    });
    const retention = new Queue(QUEUE_RETENTION, {
      ...bullOptions(),
      // A purge that failed for good is not kept for a look: its record would name the
      // conversation, with a stack, for ever. The log says it failed; the content expires
      // by itself (the end set every key's TTL to RETENTION_HOURS).
      defaultJobOptions: { ...JOB_DEFAULTS, removeOnFail: true },
    });
    logErrorsOf(conversations, app.log, 'conversations queue error');
    logErrorsOf(retention, app.log, 'retention queue error');
    // Connected before the app is ready: a queue closed while its connection still
    // initialises leaves BullMQ's own init promise rejected with nobody to catch it.
    await Promise.all([conversations.waitUntilReady(), retention.waitUntilReady()]);
    app.decorate('queues', { conversations, retention });
    app.decorate('bullOptions', bullOptions);
    app.addHook('onClose', async () => {
      for (const q of [conversations, retention]) {
        await closeQueue(q);
      }
    });
  },
  { name: 'queues', dependencies: ['redis'] },
);
