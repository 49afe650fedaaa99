import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { AppError } from '@stille-lijn/shared/errors';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DurableAcks } from './durable.ts';

/** Each chunk ioredis writes to its socket, in order, as RESP text. */
function recordWrites(conn: Redis): string[] {
  const writes: string[] = [];
  const stream = (conn as unknown as { stream: Socket }).stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (chunk, ...rest) => {
    writes.push(String(chunk));
    return write(chunk, ...rest);
  };
  return writes;
}

describe('durable acks (REDIS_ACK_REPLICAS)', () => {
  const open: Redis[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.disconnect();
  });
  const connect = async () => {
    const conn = new Redis(inject('redisUrl'), { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    open.push(conn);
    await conn.ping();
    return conn;
  };
  const prefix = `test-${randomUUID()}`;
  const key = (name: string) => `${prefix}:${name}`;

  it('sends the writes of one turn and their WAIT in one pipeline, one round trip', async () => {
    const conn = await connect();
    const writes = recordWrites(conn);
    // This Redis has no replica: the WAIT answers 0 after its timeout, so the acks are refused.
    const durable = new DurableAcks({ conn, replicas: 1, timeoutMs: 50, fenceKey: key('fence') });
    const acks = await Promise.allSettled([
      durable.write((c) => c.set(key('a'), '1')),
      durable.write((c) => c.set(key('b'), '1')),
    ]);
    for (const a of acks) {
      expect(a.status).toBe('rejected');
      expect((a as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/set.*set.*wait/is);
  });

  it('sends the fence of a confirm and its WAIT in one pipeline', async () => {
    const conn = await connect();
    const writes = recordWrites(conn);
    const durable = new DurableAcks({ conn, replicas: 1, timeoutMs: 50, fenceKey: key('fence') });
    await expect(durable.confirm()).rejects.toBeInstanceOf(AppError);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/set.*wait/is);
  });

  it('with REDIS_ACK_REPLICAS=0 writes on its own connection and sends no WAIT', async () => {
    const conn = await connect();
    const writes = recordWrites(conn);
    const durable = new DurableAcks({ conn, replicas: 0, timeoutMs: 50, fenceKey: key('fence') });
    expect(await durable.write((c) => c.set(key('c'), '1'))).toBe('OK');
    await durable.confirm();
    expect(writes.join('')).not.toMatch(/wait/i);
    expect(await conn.get(key('c'))).toBe('1');
    await conn.del(key('c'));
  });
});
