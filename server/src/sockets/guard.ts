import { AppError, errorBody, refusal } from '@stille-lijn/shared/errors';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';

type AckFn = (res: unknown) => void;

/** A token bucket per socket: `rate` events a second, bursts of twice that. */
export class EventBudget {
  #tokens: number;
  #last = Date.now();
  readonly #rate: number;
  constructor(rate: number) {
    this.#rate = rate;
    this.#tokens = rate * 2;
  }
  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(this.#rate * 2, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Counts handlers in flight, so shutdown can wait for their acks. */
export class InFlight {
  #n = 0;
  /** Set at shutdown: new events and connections are refused, so the count can reach zero. */
  draining = false;
  #waiters: (() => void)[] = [];
  get count(): number {
    return this.#n;
  }
  enter(): void {
    this.#n++;
  }
  leave(): void {
    this.#n--;
    if (this.#n === 0) for (const w of this.#waiters.splice(0)) w();
  }
  idle(timeoutMs: number): Promise<void> {
    if (this.#n === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** A handler may return work to run right after its ack is sent (the relay to the other side). */
export const afterAck: unique symbol = Symbol('afterAck');
export type HandlerResult = (object & { [afterAck]?: () => void }) | undefined;
export type Handler<T> = (payload: T) => Promise<HandlerResult> | HandlerResult;

/** The event names of each namespace's schemas, built once rather than per socket. */
const knownEvents = new WeakMap<object, ReadonlySet<string>>();
function knownEventsOf(schemas: object): ReadonlySet<string> {
  let known = knownEvents.get(schemas);
  if (!known) {
    known = new Set(Object.keys(schemas));
    knownEvents.set(schemas, known);
  }
  return known;
}

/**
 * Binds the events of a namespace: each payload is validated with its shared zod
 * schema, rate-limited, and answered exactly once with `{ ok: true, ... }` or
 * `{ ok: false, error }`. Unknown events get `unknown_event`. Nothing here throws
 * into Socket.IO, so bad input never takes the connection or the process down.
 */
export function bindEvents<S extends Record<string, ZodType>>(
  socket: Socket,
  schemas: S,
  handlers: { [K in keyof S]: Handler<import('zod').output<S[K]>> },
  opts: { budget: EventBudget; inFlight: InFlight; log: Logger },
): void {
  const known = knownEventsOf(schemas);
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && known.has(event)) return;
    // An unknown event costs the budget like any other: a flood of them is still a flood.
    const allowed = opts.budget.take();
    const ack = args.at(-1);
    if (typeof ack === 'function')
      (ack as AckFn)({ ok: false, error: allowed ? errorBody('unknown_event') : tooFast });
  });
  for (const event of known) {
    const schema = schemas[event]!;
    const handler = handlers[event] as Handler<unknown>;
    socket.on(event, async (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as AckFn) : undefined;
      if (opts.inFlight.draining) {
        // Not stored: the client resends it after reconnecting to another instance.
        ack?.({ ok: false, error: errorBody('unavailable') });
        return;
      }
      if (!opts.budget.take()) {
        ack?.({ ok: false, error: tooFast });
        return;
      }
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success || args.length > 1) {
        ack?.({ ok: false, error: errorBody('invalid_payload') });
        return;
      }
      opts.inFlight.enter();
      try {
        const data = await handler(parsed.data);
        const after = data?.[afterAck];
        if (ack) {
          // The answer's own fields; `afterAck` is a symbol, which `for…in` leaves out
          // (no `delete`, which turns the object into a slow dictionary, on every message).
          const body: Record<string, unknown> = { ok: true };
          for (const key in data) body[key] = (data as Record<string, unknown>)[key];
          ack(body);
        }
        after?.();
      } catch (err) {
        if (err instanceof AppError) {
          const error = err.toBody();
          // retryAfterSeconds also at the top, where a client of the core protocol looks first.
          ack?.(
            error.retryAfterSeconds === undefined
              ? { ok: false, error }
              : { ok: false, error, retryAfterSeconds: error.retryAfterSeconds },
          );
        } else {
          opts.log.error({ err, event }, 'socket handler failed');
          ack?.({ ok: false, error: errorBody(isRedisDown(err) ? 'unavailable' : 'internal') });
        }
      } finally {
        opts.inFlight.leave();
      }
    });
  }
}

/** The answer to an event beyond the socket's budget. */
const tooFast = refusal('too_fast').toBody();

function isRedisDown(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : '';
  return /Connection is closed|max retries|ECONNREFUSED|Stream isn't writeable|LOADING/i.test(msg);
}
