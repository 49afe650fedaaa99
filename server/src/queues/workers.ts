import { setTimeout as sleep } from 'node:timers/promises';
import { Worker as BullWorker, isNotConnectionError, type RedisClient } from 'bullmq';
import { closeConnection, withDeadline } from '../redis/close.ts';

/** How long a worker waits after a failed fetch before it asks Redis for a job again. */
export const FETCH_RETRY_MS = 1_000;

/**
 * BullMQ's worker, waiting FETCH_RETRY_MS after a fetch (`moveToActive`) that failed. BullMQ
 * waits (`runRetryDelay`) only after a lost connection; after any other error its main loop
 * asks again at once, and Redis at `maxmemory` answers each with OOM: measured, up to 20,000
 * commands a second once a sweep fell due, half a core here and a quarter of Redis'
 * (test/integration/redis-full.test.ts). Once memory is freed, the next fetch takes the job.
 */
export class Worker extends BullWorker {
  readonly #closing = new AbortController();

  protected override async moveToActive(client: RedisClient, token: string, name?: string) {
    try {
      return await super.moveToActive(client, token, name);
    } catch (err) {
      if (err instanceof Error && isNotConnectionError(err)) {
        await sleep(FETCH_RETRY_MS, undefined, { signal: this.#closing.signal }).catch(() => {});
      }
      throw err;
    }
  }

  override close(force?: boolean): Promise<void> {
    this.#closing.abort();
    return super.close(force);
  }
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
        w.client.then((c) => closeConnection(c, 1000)),
        1500,
      );
    }),
  );
}
