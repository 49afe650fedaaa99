import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WaitingItem } from '@stille-lijn/shared';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { settleClaimScript } from './scripts.ts';

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
/**
 * The pauses before each retry of a failed page: four attempts in about 15 s (plus their
 * timeouts), then the next occasion (a start, the sweep, an urgent repeat) tries again.
 */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000, 9_000];
/** A claim outlives an attempt, so that a slow webhook cannot let a second instance page meanwhile. */
const CLAIM_MIN_MS = WEBHOOK_TIMEOUT_MS + 1_000;

export interface OnCallDeps {
  redis: Redis;
  keys: RedisKeys;
  config: Readonly<Config>;
  log: Logger;
  /** A line's waiting figures (QueueView.figures). */
  figures: (line: string) => Promise<{ waiting: number; oldestSince: number | null }>;
  /** The lines with a waiting conversation nobody is staffed for (`unstaffedLines`). */
  unstaffedLines: () => Promise<string[]>;
}

type Outcome = 'sent' | 'taken' | 'failed';

/**
 * On-call paging through ONCALL_WEBHOOK_URL: when a conversation starts with nobody
 * staffed, or an urgent visitor waits, and again from the sweep while a line stays
 * unstaffed. At most one page per kind and line per ONCALL_MIN_INTERVAL_S, across
 * instances: a Redis claim with a token, kept for the interval once a page went out and
 * released when it failed, so that a failed page never silences the next. A page never
 * holds up a visitor: it runs in the background, and a failing or hanging webhook is
 * logged (its status or error code only) and retried a few times.
 */
export class OnCall {
  readonly #d: OnCallDeps;
  /** The pages under way in this process, by kind and line: one at a time each. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #closing = new AbortController();

  constructor(deps: OnCallDeps) {
    this.#d = deps;
    prepareScripts(deps.redis, [settleClaimScript]);
  }

  /** Pages in the background for a conversation's line; resolves nothing, throws nothing. */
  page(kind: PageKind, line: string): void {
    if (!this.#d.config.oncallWebhookUrl || this.#closing.signal.aborted) return;
    const key = `${kind}\n${line}`;
    // A page of this kind and line already under way here (retries included) covers this one.
    if (this.#running.has(key)) return;
    const run = this.#pageWithRetries(kind, line)
      .catch(() => undefined)
      .finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }

  /**
   * The sweep's re-check: pages every line that has a waiting conversation nobody is
   * staffed for. The claim keeps it to once per interval, however many instances sweep.
   */
  async pageUnstaffedLines(): Promise<void> {
    if (!this.#d.config.oncallWebhookUrl || this.#closing.signal.aborted) return;
    for (const line of await this.#d.unstaffedLines()) this.page('unstaffed', line);
  }

  /** Resolves once no page is under way in this process (retries included). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  /** Stops the pages under way (releasing their claims where Redis still answers) and starts no new one. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.idle();
  }

  async #pageWithRetries(kind: PageKind, line: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if ((await this.#attempt(kind, line, attempt)) !== 'failed') return;
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (delay === undefined) {
        this.#d.log.warn({ kind, line, attempts: attempt }, 'on-call page given up');
        return;
      }
      try {
        await sleep(delay, undefined, { signal: this.#closing.signal });
      } catch {
        return; // closing
      }
    }
  }

  /** One attempt: claim, send, settle the claim. Throws nothing. */
  async #attempt(kind: PageKind, line: string, attempt: number): Promise<Outcome> {
    const url = this.#d.config.oncallWebhookUrl;
    if (!url || this.#closing.signal.aborted) return 'taken';
    const { redis, keys, config, log } = this.#d;
    const claim = keys.oncallPaged(kind, line);
    const token = randomUUID();
    const settle = (keepMs: number) =>
      runScript(redis, settleClaimScript, { claim }, { token, keepMs }).catch(() => false);
    let claimed = false;
    try {
      claimed =
        (await redis.set(claim, token, 'PX', Math.max(config.oncallMinIntervalMs, CLAIM_MIN_MS), 'NX')) ===
        'OK';
      if (!claimed) return 'taken';
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
        signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), this.#closing.signal]),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) {
        log.warn({ kind, line, attempt, status: res.status }, 'on-call webhook refused the page');
        await settle(0);
        return 'failed';
      }
      // The interval counts from the page, not from the claim.
      await settle(config.oncallMinIntervalMs);
      log.info({ kind, line, attempt }, 'on-call paged');
      return 'sent';
    } catch (e) {
      if (this.#closing.signal.aborted) {
        if (claimed) await settle(0);
        return 'taken';
      }
      // Only a code or a name: a fetch error's message can hold the webhook's address.
      const err = e as Error & { code?: unknown; cause?: { code?: unknown } };
      const code = [err.cause?.code, err.code, err.name].find((c) => typeof c === 'string');
      log.warn({ kind, line, attempt, code }, 'on-call page failed');
      if (claimed) await settle(0);
      return 'failed';
    }
  }
}

/** What `unstaffedLines` reads of the queue (QueueView). */
export interface WaitingReader {
  waitingList(): Promise<WaitingItem[]>;
  staffing(
    r: { line: string; waitingSince: number; language: WaitingItem['language'] },
    fallback?: boolean,
  ): Promise<{ staffed: boolean }>;
}

/**
 * The lines with a waiting conversation (held waiters excluded) that nobody is staffed
 * for now. Per line, language and fallback only the youngest is asked: overflow and the
 * fallback only widen who may take a conversation as it waits, so if any of them is
 * unstaffed, the youngest is.
 */
export async function unstaffedLines(view: WaitingReader): Promise<string[]> {
  const youngest = new Map<
    string,
    { line: string; language: WaitingItem['language']; since: number; fallback: boolean }
  >();
  for (const item of await view.waitingList()) {
    if (item.line === undefined) continue;
    const since = Date.parse(item.waitingSince);
    const fallback = item.languageFallback === true;
    const group = `${item.line}\n${item.language}\n${fallback}`;
    const seen = youngest.get(group);
    if (!seen || since > seen.since)
      youngest.set(group, { line: item.line, language: item.language, since, fallback });
  }
  const out = new Set<string>();
  for (const g of youngest.values()) {
    if (out.has(g.line)) continue;
    const { staffed } = await view.staffing(
      { line: g.line, waitingSince: g.since, language: g.language },
      g.fallback,
    );
    if (!staffed) out.add(g.line);
  }
  return [...out];
}
