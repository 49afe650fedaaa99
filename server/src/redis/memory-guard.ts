import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/** How often the guard reads Redis' memory (`INFO memory`): one small command per instance. */
export const MEMORY_CHECK_MS = 5_000;

/** The share of Redis' `maxmemory` past which new conversations are refused, when REDIS_MEMORY_HIGH_MB is unset. */
export const MAXMEMORY_SHARE = 0.9;

/**
 * Redis evicts nothing (`noeviction`): full, every write fails and the whole line is down,
 * for the conversations under way too. Each per-address and per-network limit bounds what
 * one source can store, but not what many together can; this guard is the last bound.
 * Past the high-water mark (REDIS_MEMORY_HIGH_MB, or 90 % of `maxmemory`) no new
 * conversation is started (`unavailable`, reason `line_full`); conversations under way,
 * resumes and everything staff do go on, and retention frees memory as conversations end.
 * Read every MEMORY_CHECK_MS; with neither a mark nor a `maxmemory` it never refuses.
 */
export class MemoryGuard {
  readonly #redis: Redis;
  readonly #log: FastifyBaseLogger;
  /** REDIS_MEMORY_HIGH_MB in bytes; 0: derived from `maxmemory`. */
  readonly #configuredBytes: number;
  #full = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: { redis: Redis; log: FastifyBaseLogger; highBytes: number }) {
    this.#redis = opts.redis;
    this.#log = opts.log;
    this.#configuredBytes = opts.highBytes;
  }

  /** Whether Redis is past its high-water mark, as last read. */
  get full(): boolean {
    return this.#full;
  }

  /** Reads Redis' memory now; a failed read keeps the last answer (Redis away is not "full"). */
  async check(): Promise<boolean> {
    let info: string;
    try {
      info = await this.#redis.info('memory');
    } catch {
      return this.#full;
    }
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const used = field('used_memory');
    const high = this.#configuredBytes || Math.floor(field('maxmemory') * MAXMEMORY_SHARE);
    const full = high > 0 && used >= high;
    if (full !== this.#full) {
      // Figures only: how much, never what.
      if (full)
        this.#log.warn({ usedBytes: used, highBytes: high }, 'redis memory high: new conversations refused');
      else
        this.#log.info({ usedBytes: used, highBytes: high }, 'redis memory below its high-water mark again');
    }
    this.#full = full;
    return full;
  }

  /** Reads now and every MEMORY_CHECK_MS until `stop`. */
  start(): void {
    void this.check();
    this.#timer = setInterval(() => void this.check(), MEMORY_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
