import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryGuard } from './memory-guard.ts';

const MB = 1024 * 1024;
const log = { warn() {}, info() {} } as unknown as FastifyBaseLogger;

/** What `INFO memory` answers, for the two fields the guard reads. */
function redisWith(memory: { used: number; max: number } | 'down'): Redis {
  return {
    info: async () => {
      if (memory === 'down') throw new Error('Connection is closed.');
      return `# Memory\r\nused_memory:${memory.used}\r\nused_memory_human:x\r\nmaxmemory:${memory.max}\r\n`;
    },
  } as unknown as Redis;
}

describe('MemoryGuard', () => {
  it('without REDIS_MEMORY_HIGH_MB, is full from 90 % of maxmemory on', async () => {
    const guard = (used: number) =>
      new MemoryGuard({ redis: redisWith({ used, max: 1000 * MB }), log, highBytes: 0 }).check();
    expect(await guard(899 * MB)).toBe(false);
    expect(await guard(900 * MB)).toBe(true);
  });

  it('never refuses with neither a mark nor a maxmemory', async () => {
    const guard = new MemoryGuard({ redis: redisWith({ used: 50_000 * MB, max: 0 }), log, highBytes: 0 });
    expect(await guard.check()).toBe(false);
  });

  it('REDIS_MEMORY_HIGH_MB wins over maxmemory', async () => {
    const guard = new MemoryGuard({
      redis: redisWith({ used: 200 * MB, max: 1000 * MB }),
      log,
      highBytes: 100 * MB,
    });
    expect(await guard.check()).toBe(true);
  });

  it('keeps its last answer while Redis cannot be read', async () => {
    let memory: { used: number; max: number } | 'down' = { used: 950 * MB, max: 1000 * MB };
    const redis = { info: async () => redisWith(memory).info('memory') } as unknown as Redis;
    const guard = new MemoryGuard({ redis, log, highBytes: 0 });
    expect(await guard.check()).toBe(true);
    memory = 'down';
    expect(await guard.check()).toBe(true);
    expect(guard.full).toBe(true);
  });
});
