import type { Ack } from '@stille-lijn/shared';
import { givenUp, RetryRound } from '@stille-lijn/shared/domain/retry';

type Answer = Ack<object> | undefined;

/**
 * An answer that says "not now" rather than no: nothing was stored and the same send may
 * well succeed a moment later. `unavailable` is an instance shutting down, a Redis failover,
 * a timeout or a connection that is down (`settle`, `createOperatorApi`); `internal` a fault
 * of the server's own.
 */
export function isNotNow(res: Answer): boolean {
  return res !== undefined && !res.ok && (res.error.code === 'unavailable' || res.error.code === 'internal');
}

interface Waiting {
  send: () => Promise<Answer>;
  settle: (res: Answer) => void;
  answer: Promise<Answer>;
  /**
   * When it was first answered "not now". Given up NOT_NOW_GIVE_UP_MS later (the operator
   * sees it as not sent, with a retry), so that no words reach a victim much later than the
   * operator saw them go.
   */
  since: number | undefined;
  last: Answer;
}

/**
 * What the operator sends that the server deduplicates by a client id (`chat:message`,
 * `chat:note`): each goes once, and while the server answers "not now" it is sent again under
 * the same id (a resend of a stored one is acknowledged, not stored twice), in the order
 * written and never twice at once: on the same connection after NOT_NOW_RETRY_MS, doubling
 * to NOT_NOW_RETRY_MAX_MS (or as long as the server asks), and in any case at once after a
 * reconnect. While such a retry waits, what is written after it waits too, so as not to
 * overtake it. Only a final answer settles: stored, refused, or "not now" for
 * NOT_NOW_GIVE_UP_MS.
 */
export class Outbox {
  private readonly waiting = new Map<string, Waiting>();
  private readonly inFlight = new Set<string>();
  private readonly round = new RetryRound();

  private readonly connected: () => boolean;

  constructor(connected: () => boolean) {
    this.connected = connected;
  }

  /**
   * Sends under `id` until a final answer, which the promise gives (undefined: there was no
   * connection object to send on). The same id while it is still on its way gets the same answer.
   */
  send<T extends object>(id: string, send: () => Promise<Ack<T> | undefined>): Promise<Ack<T> | undefined> {
    const known = this.waiting.get(id);
    if (known) return known.answer as Promise<Ack<T> | undefined>;
    let settle: (res: Answer) => void = () => {};
    const answer = new Promise<Answer>((resolve) => {
      settle = resolve;
    });
    this.waiting.set(id, { send, settle, answer, since: undefined, last: undefined });
    if (!this.round.waiting) this.go(id);
    return answer as Promise<Ack<T> | undefined>;
  }

  /** A new connection: everything waiting goes now, in order (what waited too long is given up). */
  reconnected(): void {
    this.round.stop();
    const now = Date.now();
    for (const [id, w] of this.waiting) {
      if (w.since !== undefined && givenUp(w.since, now) && !this.inFlight.has(id))
        this.finish(id, w, w.last);
    }
    this.flush();
  }

  private flush(): void {
    for (const id of this.waiting.keys()) this.go(id);
  }

  private finish(id: string, w: Waiting, res: Answer): void {
    this.waiting.delete(id);
    w.settle(res);
  }

  private go(id: string): void {
    const w = this.waiting.get(id);
    if (!w || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    void w.send().then((res) => {
      this.inFlight.delete(id);
      if (this.waiting.get(id) !== w) return;
      if (isNotNow(res)) {
        this.notNow(id, w, res as Ack<object>);
        return;
      }
      this.finish(id, w, res);
      if (![...this.waiting.values()].some((other) => other.since !== undefined)) this.round.reset();
    });
  }

  private notNow(id: string, w: Waiting, res: Ack<object>): void {
    const now = Date.now();
    w.since ??= now;
    w.last = res;
    if (givenUp(w.since, now)) {
      this.finish(id, w, res);
      return;
    }
    const asked = res.ok ? 0 : (res.error.retryAfterSeconds ?? 0) * 1_000;
    this.round.schedule(asked, () => {
      // Down: all of it goes after the reconnect.
      if (this.connected()) this.flush();
    });
  }
}
