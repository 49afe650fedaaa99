import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { RedisKeys } from '../redis/keys.ts';

/** Why the on-call phone is paged. */
export type PageKind = 'unstaffed' | 'urgent-waiting';

/** What a page carries: no conversation content and no ids (PROTOCOL.md). */
export interface Page {
  kind: PageKind;
  line: string;
  waiting: number;
  longestWaitSeconds: number;
  at: string;
}

/** How long a webhook may take before it counts as failed. */
const WEBHOOK_TIMEOUT_MS = 5000;

export interface OnCallDeps {
  redis: Redis;
  keys: RedisKeys;
  config: Readonly<Config>;
  log: Logger;
  /** A line's waiting figures (QueueView.figures). */
  figures: (line: string) => Promise<{ waiting: number; oldestSince: number | null }>;
}

/**
 * On-call paging through ONCALL_WEBHOOK_URL: when a conversation starts with nobody
 * staffed, or an urgent visitor waits. At most once per kind and line per
 * ONCALL_MIN_INTERVAL_S, across instances. A page never holds up a visitor: it runs in the
 * background, and a failing or hanging webhook is logged (its status or error code only).
 */
export class OnCall {
  readonly #d: OnCallDeps;
  constructor(deps: OnCallDeps) {
    this.#d = deps;
  }

  /** Pages in the background for a conversation's line; resolves nothing, throws nothing. */
  page(kind: PageKind, line: string): void {
    if (!this.#d.config.oncallWebhookUrl) return;
    this.#send(kind, line).catch((err: Error & { code?: unknown; cause?: { code?: unknown } }) => {
      // Only a code or a name: a fetch error's message can hold the webhook's address.
      const code = [err.cause?.code, err.code, err.name].find((c) => typeof c === 'string');
      this.#d.log.warn({ kind, code }, 'on-call page failed');
    });
  }

  /** The page itself; resolves with whether it was sent (false: throttled or not configured). */
  async #send(kind: PageKind, line: string): Promise<boolean> {
    const url = this.#d.config.oncallWebhookUrl;
    if (!url) return false;
    const claimed = await this.#d.redis.set(
      this.#d.keys.oncallPaged(kind, line),
      '1',
      'PX',
      this.#d.config.oncallMinIntervalMs,
      'NX',
    );
    if (claimed !== 'OK') return false;
    const { waiting, oldestSince } = await this.#d.figures(line);
    const page: Page = {
      kind,
      line,
      waiting,
      longestWaitSeconds:
        oldestSince === null ? 0 : Math.max(0, Math.round((Date.now() - oldestSince) / 1000)),
      at: new Date().toISOString(),
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(page),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) {
      this.#d.log.warn({ kind, status: res.status }, 'on-call webhook refused the page');
      return false;
    }
    this.#d.log.info({ kind }, 'on-call paged');
    return true;
  }
}
