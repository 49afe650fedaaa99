import { AppError } from '@stille-lijn/shared/errors';
import type { Redis } from 'ioredis';

/**
 * Durable acks (REDIS_ACK_REPLICAS): a write is acknowledged only once that many replicas
 * have it, so an acknowledged message survives the loss of the primary.
 *
 * The message path writes on a connection of its own (`connection`), whatever
 * REDIS_ACK_REPLICAS says:
 * - Redis' `WAIT` covers the writes made on the connection that sends it, and it blocks
 *   that connection while it waits. On the shared connection a replica outage would stall
 *   every command for REDIS_ACK_TIMEOUT_MS.
 * - ioredis copies every script a connection knows into each (auto-)pipeline it makes:
 *   with the shared connection's two dozen scripts that was 26 µs per pipeline against
 *   1.6 µs with the message script alone, and at a few hundred messages a second each
 *   message is a pipeline of its own.
 *
 * - `write(fn)`: the hot path. The write goes out on this connection, and with
 *   REDIS_ACK_REPLICAS its WAIT in the same pipeline: one socket write, one round trip.
 * - `confirm()`: after a write made on another connection has been answered. A tiny write
 *   on this connection (the fence) comes after it in the replication stream, so a WAIT
 *   for the fence covers it too.
 */
export class DurableAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
  readonly #conn: Redis;
  readonly #fenceKey: string;
  /** The WAIT this turn's writes will share, until it is sent. */
  #batch: Promise<void> | undefined;

  constructor(opts: { conn: Redis; replicas: number; timeoutMs: number; fenceKey: string }) {
    this.replicas = opts.replicas;
    this.timeoutMs = opts.timeoutMs;
    this.#conn = opts.conn;
    this.#fenceKey = opts.fenceKey;
  }

  /** The message path's connection, that `write` runs on: prepare its scripts here. */
  get connection(): Redis {
    return this.#conn;
  }

  /**
   * Runs `fn` on the message path's connection and resolves with its result once the
   * replicas have it. `fn` must send its write synchronously, as ioredis does on call, so
   * the WAIT follows it in the same pipeline.
   * @example const r = await durable.write((conn) => runScript(conn, script, keys, args));
   */
  async write<T>(fn: (conn: Redis) => Promise<T>): Promise<T> {
    const conn = this.#conn;
    if (this.replicas === 0) return fn(conn);
    // The WAIT is scheduled before the write (see #wait).
    const waited = this.#wait(conn);
    // When the write itself fails, its error counts, not the WAIT's.
    waited.catch(() => {});
    const result = fn(conn);
    const value = await result;
    await waited;
    return value;
  }

  /** Resolves once the replicas have every write answered before this call; `unavailable` otherwise. */
  async confirm(): Promise<void> {
    if (this.replicas === 0) return;
    const conn = this.#conn;
    const waited = this.#wait(conn);
    waited.catch(() => {});
    const fence = conn.set(this.#fenceKey, '1', 'PX', 60_000);
    fence.catch(() => {});
    await waited;
  }

  /**
   * One WAIT for every write sent on `conn` in this turn of the event loop: it goes out in
   * `setImmediate`, after them, and covers them all. One WAIT per write would serialise
   * the writes behind each other's replica round trip (a WAIT holds its connection), which
   * the bench showed at 400 msg/s on a loaded machine.
   *
   * Call it before the turn's first write. ioredis sends an auto-pipeline in a
   * `setImmediate` of its own, scheduled by the first command queued on it, and holds
   * any later pipeline until that one is answered. This immediate, scheduled first, runs
   * first: the WAIT joins the writes' pipeline and goes out in the same socket write.
   * Scheduled after it, the WAIT went out only once the writes were answered: two round
   * trips per ack (durable.int.test.ts).
   */
  #wait(conn: Redis): Promise<void> {
    this.#batch ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#batch = undefined;
        this.#waitNow(conn).then(resolve, reject);
      });
    });
    return this.#batch;
  }

  /** WAIT on `conn`, bounded by the timeout on our side too (a stalled connection must not hold an ack). */
  async #waitNow(conn: Redis): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.timeoutMs + 250);
    });
    const acked = conn.wait(this.replicas, this.timeoutMs).then(
      (n) => n,
      () => -1,
    );
    try {
      const n = await Promise.race([acked, late]);
      if (n === 'late' || n < this.replicas) throw new AppError('unavailable');
    } finally {
      clearTimeout(timer);
    }
  }
}
