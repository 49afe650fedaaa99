import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The data of every BullMQ job, by queue and job name. A worker parses what it takes from
 * Redis with these schemas (a job may have been queued by an earlier release), and
 * `addJob` only accepts data of the right shape for the name.
 */
export const conversationJobs = {
  /** A routing pass (queued when a conversation starts, so that a crash between start and route is repaired). */
  route: z.object({
    conversationId: z.string().optional(),
    /** Version 2 (lines): an overflow step fell due; the queue is shown again to whom it now reaches. */
    overflow: z.boolean().optional(),
  }),
  /** An operator's grace period is over: requeue their conversations if they are still gone. */
  grace: z.object({ operatorId: z.string(), since: z.number().optional() }),
  /** A visitor's return window closed: end the conversation if they did not come back. */
  'away-expire': z.object({ conversationId: z.string(), awaySince: z.number() }),
  /** A waiting visitor has been gone WAITER_HOLD_S: hold the conversation out of routing. */
  hold: z.object({ conversationId: z.string() }),
  /** The safety-net sweep. */
  sweep: z.object({}).loose(),
  /** LANGUAGE_FALLBACK_S after a start: nobody on shift speaks its language, so Dutch and English speakers may take it. */
  fallback: z.object({ conversationId: z.string() }),
  /**
   * An urgent conversation has waited URGENT_ALERT_S (and again every URGENT_ALERT_REPEAT_S): alert supervisors.
   * Queued at its start and whenever it goes back to a queue; one chain per conversation
   * (`conversationJobOptions`).
   */
  'urgent-alert': z.object({ conversationId: z.string() }),
  /**
   * A conversation was given to an operator but telling them failed (a Redis error after the
   * move): `chat:assigned` and `operator:state` again, while they still hold it.
   */
  assigned: z.object({
    conversationId: z.string(),
    operatorId: z.string(),
    /**
     * The move's audit entries (`OwedMove`), when its call was cut before writing them: written
     * by the job once each (gated by `movedAt`), the visitor told with the move's entry.
     */
    move: z
      .object({
        action: z.string(),
        actorId: z.string(),
        /** As the move's gate names it (a transfer's is the stored string). */
        movedAt: z.number().or(z.string()),
        /** Who wrote the move's hand-over note, when it had one (its own entry). */
        noteBy: z.string().optional(),
        /** The visitor was told of it whatever failed (a supervisor's assignment): not again. */
        visitorTold: z.boolean().optional(),
      })
      .optional(),
  }),
  /** An operator's break after a high-risk conversation is over. */
  'break-end': z.object({ operatorId: z.string(), until: z.number() }),
} as const;

/**
 * Options a job of the `conversations` queue always gets, whoever queues it (the queue adds
 * them: `ConversationsQueue`). An `urgent-alert` is deduplicated per conversation, so that a
 * conversation never has two alert chains (two alerts each time): one queued while another
 * is still to run is dropped (a start's and a requeue's, a repeat queued by a run that ran
 * again after a stall); one queued by the running job itself (its repeat) is kept and queued
 * when that job ends (`keepLastIfActive`).
 */
export function conversationJobOptions(name: string, data: unknown): JobsOptions {
  if (name !== 'urgent-alert') return {};
  const { conversationId } = conversationJobs['urgent-alert'].parse(data);
  return { deduplication: { id: `urgent-alert:${conversationId}`, keepLastIfActive: true } };
}

export const retentionJobs = {
  /** Deletes what is left of an ended conversation. */
  purge: z.object({ conversationId: z.string() }),
} as const;

export const reportJobs = {
  /** Delivers one sealed report to its region. */
  deliver: z.object({ reportId: z.string() }),
} as const;

type Schemas = Record<string, z.ZodType>;

/**
 * A queue as the services see it: `add` takes only the job names of `S`, each with the
 * data its schema accepts. A BullMQ `Queue` is one; give a service this type, not `Queue`.
 * @example const q: JobQueue<typeof conversationJobs> = app.queues.conversations; await q.add('hold', { conversationId });
 */
export interface JobQueue<S extends Schemas> {
  add<N extends keyof S & string>(name: N, data: z.input<S[N]>, opts?: JobsOptions): Promise<unknown>;
}

export type ConversationJobQueue = JobQueue<typeof conversationJobs>;
export type RetentionJobQueue = JobQueue<typeof retentionJobs>;
export type ReportJobQueue = JobQueue<typeof reportJobs>;

/** A job's data parsed with its name's schema; throws for an unknown name or bad data. */
export function jobData<S extends Schemas, N extends keyof S & string>(
  jobs: S,
  name: N,
  data: unknown,
): z.output<S[N]> {
  const schema = jobs[name];
  if (!schema) throw new Error(`unknown job ${name}`);
  return schema.parse(data) as z.output<S[N]>;
}
