import type { Worker } from 'bullmq';
import { closeConnection, withDeadline } from '../redis/close.ts';

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
