import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { errorKind, logErrorsOf, QUEUE_ERROR_LOG_EVERY_MS } from './errors.ts';

/** A logger that keeps what it was given. */
function recorder() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  const log = { warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
  return { log, lines };
}

const oom = () =>
  Object.assign(new Error("OOM command not allowed when used memory > 'maxmemory'."), { name: 'ReplyError' });
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' });

describe("a queue's or worker's error events", () => {
  it('are logged once per kind and interval, however many come (a worker at maxmemory asks again at once)', () => {
    const { log, lines } = recorder();
    const worker = new EventEmitter();
    let now = 1_000_000;
    logErrorsOf(worker, log as never, 'worker error', () => now);
    for (let i = 0; i < 5_000; i++) worker.emit('error', oom());
    worker.emit('error', refused());
    expect(lines.map((l) => [l.msg, l.obj.code])).toEqual([
      ['worker error', 'OOM'],
      ['worker error', 'ECONNREFUSED'],
    ]);
    now += QUEUE_ERROR_LOG_EVERY_MS - 1;
    worker.emit('error', oom());
    expect(lines).toHaveLength(2);
    // Once the interval is over, the next one is logged with how many were left out.
    now += 1;
    worker.emit('error', oom());
    expect(lines).toHaveLength(3);
    expect(lines[2]!.obj).toMatchObject({ code: 'OOM', leftOut: 5_000 });
    expect(lines[0]!.obj.leftOut).toBeUndefined();
  });

  it('tell apart two errors without a code by their message, numbers aside', () => {
    const { log, lines } = recorder();
    const worker = new EventEmitter();
    logErrorsOf(worker, log as never, 'worker error', () => 0);
    worker.emit('error', new Error('Missing lock for job 12. moveToFinished'));
    worker.emit('error', new Error('Missing lock for job 13. moveToFinished'));
    worker.emit('error', new Error('Connection is closed.'));
    expect(lines).toHaveLength(2);
    // However many different ones come, the memory of them stays bounded.
    for (let i = 0; i < 5_000; i++)
      worker.emit('error', new Error(`kind ${String.fromCharCode(65 + (i % 26))}${i}`));
    expect(lines.length).toBeLessThan(5_000);
  });

  it('are named by kind without their message: a Redis reply by its leading word, a system error by its code', () => {
    expect(errorKind(oom())).toEqual({ error: 'ReplyError', code: 'OOM' });
    expect(errorKind(refused())).toEqual({ error: 'Error', code: 'ECONNREFUSED' });
    expect(errorKind('thrown string')).toEqual({});
  });
});
