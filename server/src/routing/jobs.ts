import { type Job, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { ConversationService } from '../conversations/service.ts';
import { JOB_RETENTION, QUEUE_CONVERSATIONS, QUEUE_RETENTION } from '../queues/plugin.ts';
import { closeConnection, withDeadline } from '../redis/close.ts';

/** How often the safety-net sweep runs: presence, routing, positions. @default 10 s */
export const SWEEP_EVERY_MS = 10_000;

/** Runs one job of the `conversations` queue. */
export async function processConversationJob(service: ConversationService, job: Job): Promise<unknown> {
  const data = job.data as { conversationId?: string; operatorId?: string; awaySince?: number };
  switch (job.name) {
    case 'route':
      return service.routeNow();
    case 'grace':
      return service.graceExpired(String(data.operatorId));
    case 'away-expire':
      return service.expireAway(String(data.conversationId), Number(data.awaySince));
    case 'hold':
      return service.holdIfGone(String(data.conversationId));
    case 'sweep':
      return service.sweep();
    default:
      throw new Error(`unknown job ${job.name}`);
  }
}

export async function processRetentionJob(service: ConversationService, job: Job): Promise<unknown> {
  if (job.name !== 'purge') throw new Error(`unknown job ${job.name}`);
  return service.purge(String((job.data as { conversationId: string }).conversationId));
}

/** Starts the BullMQ workers and the sweep scheduler; returns them for closing. */
export async function startWorkers(app: FastifyInstance): Promise<Worker[]> {
  const service = app.conversations;
  const conversations = new Worker(QUEUE_CONVERSATIONS, (job) => processConversationJob(service, job), {
    ...app.bullOptions(),
    concurrency: 4,
  });
  const retention = new Worker(QUEUE_RETENTION, (job) => processRetentionJob(service, job), {
    ...app.bullOptions(),
    concurrency: 2,
  });
  for (const w of [conversations, retention]) {
    w.on('error', (err) => app.log.warn({ err }, 'worker error'));
    w.on('failed', (job, err) => app.log.warn({ err, job: job?.name }, 'job failed'));
  }
  // A sweep every 10 s is 8,640 jobs a day: none is kept once done, and few failed ones.
  await app.queues.conversations.upsertJobScheduler(
    'sweep',
    { every: SWEEP_EVERY_MS },
    { name: 'sweep', opts: JOB_RETENTION },
  );
  return [conversations, retention];
}

/**
 * Closes workers, letting a running job finish for up to `graceMs`. Never hangs: BullMQ's
 * `close()` does not settle when the blocking client sits between two reconnect attempts
 * (taskforcesh/bullmq#4656, seen here after a Redis restart), so past the grace period the
 * worker's sockets are dropped and shutdown goes on. An unfinished job is then picked up
 * again by the stalled-job check of another instance.
 */
export async function closeWorkers(workers: Worker[], graceMs = 5000): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      let settled = false;
      const closing = w.close().finally(() => {
        settled = true;
      });
      await withDeadline(closing, graceMs);
      if (!settled) {
        await withDeadline(
          w.waitUntilReady().then((blocking) => blocking.disconnect()),
          500,
        );
        await withDeadline(closing, 1000);
      }
      await withDeadline(
        w.client.then((c) => closeConnection(c as unknown as Parameters<typeof closeConnection>[0], 1000)),
        1500,
      );
    }),
  );
}
