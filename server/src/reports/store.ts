import type { RegionId } from '@stille-lijn/shared/domain/regions';
import type { ReportStatus, ReportStatusValue } from '@stille-lijn/shared/domain/report';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import {
  beginAttemptScript,
  createReportScript,
  failScript,
  requeueReportScript,
  undoRequeueScript,
} from './scripts.ts';

/** What is stored of a report: metadata and the sealed box, never the plaintext. */
export interface ReportRecord extends ReportStatus {
  /** The operator (or supervisor) who submitted it. */
  operatorId: string;
  operatorName: string;
  /** Whether the submitter is a supervisor or admin: they hear of it in the supervisors' room. */
  bySupervisor: boolean;
  /** Times a supervisor or the reporter asked for another round of attempts. */
  retries: number;
  /**
   * Version 2 (lines): the line of its conversation when it was made (`LineRegistry.lineOf`),
   * kept because the report outlives the conversation. Absent on reports stored before.
   */
  line?: string;
  /** Version 2 (lines): the line whose operator then held the conversation through overflow. */
  servedLine?: string;
}

interface Fields {
  conversationId?: string;
  region?: string;
  operatorId?: string;
  operatorName?: string;
  bySupervisor?: string;
  status?: string;
  attempts?: string;
  lastError?: string;
  createdAt?: string;
  deliveredAt?: string;
  retries?: string;
  line?: string;
  servedLine?: string;
}

/**
 * Reports in Redis: a hash per report (`<prefix>:report:<id>`) with the metadata and the
 * sealed box, per conversation a sorted set of its report ids, and a sorted set of the
 * queued ones (`<prefix>:reports:queued`, by when they were queued or last seen with a job),
 * so that the sweep finds a report whose delivery job was lost without scanning keys.
 * Every record expires REPORT_RETENTION_DAYS after it was queued, failed or delivered.
 * Used by the server and by the delivery worker, in any process.
 */
export class ReportStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #retentionMs: number;

  /** `retentionMs`: how long a report is kept once queued, failed or delivered (REPORT_RETENTION_DAYS). */
  constructor(deps: { redis: Redis; keys: RedisKeys; retentionMs: number }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    prepareScripts(deps.redis, [
      createReportScript,
      beginAttemptScript,
      failScript,
      requeueReportScript,
      undoRequeueScript,
    ]);
    this.#retentionMs = deps.retentionMs;
  }

  reportKey(reportId: string): string {
    return this.#keys.report(reportId);
  }
  /**
   * A conversation's index of its reports. It names the conversation, so it lives no longer
   * than its newest report: every change of a report sets both to REPORT_RETENTION_DAYS.
   */
  #convKey(conversationId: string): string {
    return this.#keys.reportsOf(conversationId);
  }
  #queuedKey(): string {
    return this.#keys.join('reports', 'queued');
  }

  /**
   * Stores a new, queued report and indexes it under its conversation and as queued, in
   * one step. With a `claim` (a submission's Idempotency-Key), the claim is taken in that
   * same step, and nothing is stored when an earlier submission holds it. `onAcuteDanger`:
   * identifying details went without consent, on the acute danger marked (its audit entry
   * is owed, also to a retry).
   * @returns null when stored; else the value of the earlier claim
   */
  async create(
    record: Omit<ReportRecord, 'status' | 'attempts' | 'retries' | 'lastError' | 'deliveredAt'>,
    sealed: string,
    opts: { claim?: { key: string; value: string; ttlMs: number }; onAcuteDanger?: boolean } = {},
  ): Promise<string | null> {
    const { claim } = opts;
    const fields: Record<string, string> = {
      conversationId: record.conversationId,
      region: record.region,
      operatorId: record.operatorId,
      operatorName: record.operatorName,
      bySupervisor: record.bySupervisor ? '1' : '0',
      status: 'queued',
      attempts: '0',
      retries: '0',
      createdAt: record.createdAt,
      ...(record.line ? { line: record.line } : {}),
      ...(record.servedLine ? { servedLine: record.servedLine } : {}),
      ...(opts.onAcuteDanger ? { onAcuteDanger: '1' } : {}),
      sealed,
    };
    return runScript(
      this.#redis,
      createReportScript,
      {
        report: this.reportKey(record.reportId),
        queued: this.#queuedKey(),
        conversation: this.#convKey(record.conversationId),
        all: this.#allKey(),
        claim: claim ? [claim.key] : [],
      },
      {
        reportId: record.reportId,
        createdAt: Date.parse(record.createdAt),
        // Delivered or failed long before: this only bounds a report that never gets a job.
        retention: this.#retentionMs,
        indexTtl: this.#retentionMs,
        // Ids of long-gone reports leave the global index after a year at the latest.
        forgetBefore: Date.now() - 365 * 86_400_000,
        claimValue: claim?.value ?? '',
        claimTtl: claim?.ttlMs ?? 0,
        fields: Object.entries(fields).flat(),
      },
    );
  }

  #allKey(): string {
    return this.#keys.reports;
  }

  /** Takes back a report whose job could not be queued, and its claim with it, in one step. */
  async remove(reportId: string, conversationId: string, claimKey?: string): Promise<void> {
    const tx = this.#redis.multi();
    if (claimKey) tx.del(claimKey);
    await tx
      .del(this.reportKey(reportId))
      .zrem(this.#convKey(conversationId), reportId)
      .zrem(this.#allKey(), reportId)
      .zrem(this.#queuedKey(), reportId)
      .exec();
  }

  /**
   * The queued reports indexed as queued (or last seen with a job) at `before` or earlier,
   * oldest first, at most `limit`. Ids of reports gone or delivered leave the index; one
   * failed by a write outside these scripts is only marked as looked at, since a retry may
   * be queuing it at this moment.
   */
  async queuedBefore(before: number, limit: number): Promise<ReportRecord[]> {
    const ids = await this.#redis.zrangebyscore(this.#queuedKey(), '-inf', before, 'LIMIT', 0, limit);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_, i) => !records[i] || records[i].status === 'delivered');
    const failed = records.filter((r) => r?.status === 'failed').map((r) => r!.reportId);
    if (gone.length > 0) await this.#redis.zrem(this.#queuedKey(), ...gone);
    if (failed.length > 0) await this.touchQueued(failed, Date.now());
    return records.filter((r): r is ReportRecord => r?.status === 'queued');
  }

  /** Marks queued reports as looked at `now` (its delivery job was there): the sweep looks again a while later. */
  async touchQueued(reportIds: readonly string[], now: number): Promise<void> {
    if (reportIds.length === 0) return;
    // XX: a report that left the index meanwhile (delivered, failed) is not put back.
    await this.#redis.zadd(this.#queuedKey(), 'XX', ...reportIds.flatMap((id) => [now, id]));
  }

  /** The newest `limit` reports still kept, newest first; ids whose report has expired are dropped. */
  async listRecent(limit: number): Promise<ReportRecord[]> {
    const ids = await this.#redis.zrevrange(this.#allKey(), 0, limit - 1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_, i) => records[i] === null);
    if (gone.length > 0) await this.#redis.zrem(this.#allKey(), ...gone);
    return records.filter((r): r is ReportRecord => r !== null);
  }

  /** Whether the report went on the acute danger marked (`create`'s `onAcuteDanger`); null when gone. */
  async onAcuteDanger(reportId: string): Promise<boolean | null> {
    const [exists, flag] = await this.#redis.hmget(this.reportKey(reportId), 'status', 'onAcuteDanger');
    return exists === null ? null : flag === '1';
  }

  async get(reportId: string): Promise<ReportRecord | null> {
    const f = (await this.#redis.hgetall(this.reportKey(reportId))) as Fields;
    return toRecord(reportId, f);
  }

  /** The conversation's reports, oldest first; ids whose report has expired are dropped. */
  async listForConversation(conversationId: string): Promise<ReportRecord[]> {
    const convKey = this.#convKey(conversationId);
    const ids = await this.#redis.zrange(convKey, 0, -1);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_, i) => records[i] === null);
    if (gone.length > 0) await this.#redis.zrem(convKey, ...gone);
    return records.filter((r): r is ReportRecord => r !== null);
  }

  /**
   * Starts a delivery attempt: counts it and returns what to send. Null when the report
   * is gone; `{ status }` alone when it is no longer queued (delivered, or failed).
   */
  async beginAttempt(
    reportId: string,
  ): Promise<
    | null
    | { status: Exclude<ReportStatusValue, 'queued'> }
    | { status: 'queued'; attempts: number; region: RegionId; sealed: string }
  > {
    const key = this.reportKey(reportId);
    const r = await runScript(this.#redis, beginAttemptScript, { report: key }, {});
    if (!r) return null;
    if (r.status !== 'queued') return { status: r.status === 'delivered' ? 'delivered' : 'failed' };
    const [region, sealed] = await this.#redis.hmget(key, 'region', 'sealed');
    if (!region || !sealed) return null;
    return { status: 'queued', attempts: r.attempts, region: region as RegionId, sealed };
  }

  /** A failed attempt that will be retried: keeps why, never content. */
  async recordError(reportId: string, error: string): Promise<void> {
    await this.#redis.hset(this.reportKey(reportId), 'lastError', error);
  }

  /** Delivered: the sealed copy is kept REPORT_RETENTION_DAYS more, then the whole record expires. */
  async markDelivered(reportId: string, conversationId: string): Promise<void> {
    const key = this.reportKey(reportId);
    await this.#redis
      .multi()
      .hset(key, { status: 'delivered', deliveredAt: new Date().toISOString() })
      .hdel(key, 'lastError')
      .pexpire(key, this.#retentionMs)
      .zrem(this.#queuedKey(), reportId)
      .pexpire(this.#convKey(conversationId), this.#retentionMs)
      .exec();
  }

  /**
   * After the last attempt; true only for the call that moved it (so one alert). It can be
   * retried for REPORT_RETENTION_DAYS, then the whole record expires.
   */
  async markFailed(reportId: string, conversationId: string, error: string): Promise<boolean> {
    const moved = await runScript(
      this.#redis,
      failScript,
      {
        report: this.reportKey(reportId),
        queued: this.#queuedKey(),
        conversation: this.#convKey(conversationId),
      },
      { error, retention: this.#retentionMs, reportId },
    );
    return moved;
  }

  /**
   * A failed report goes back to queued, kept REPORT_RETENTION_DAYS from now; the new
   * retry count, or null when it was not failed.
   */
  async requeue(reportId: string, conversationId: string): Promise<number | null> {
    const n = await runScript(
      this.#redis,
      requeueReportScript,
      {
        report: this.reportKey(reportId),
        queued: this.#queuedKey(),
        conversation: this.#convKey(conversationId),
      },
      { now: Date.now(), retention: this.#retentionMs, reportId },
    );
    return n < 0 ? null : n;
  }

  /**
   * Undoes `requeue` when the round's job could not be queued: failed again, its retry
   * count back. Only while it is still queued in `round`; true when it moved back.
   */
  async undoRequeue(reportId: string, round: number): Promise<boolean> {
    return runScript(
      this.#redis,
      undoRequeueScript,
      { report: this.reportKey(reportId), queued: this.#queuedKey() },
      { round, reportId },
    );
  }
}

function toRecord(reportId: string, f: Fields): ReportRecord | null {
  if (!f.status || !f.conversationId || !f.region) return null;
  const r: ReportRecord = {
    reportId,
    conversationId: f.conversationId,
    region: f.region as RegionId,
    status: f.status as ReportStatusValue,
    attempts: Number(f.attempts ?? 0),
    createdAt: f.createdAt ?? '',
    operatorId: f.operatorId ?? '',
    operatorName: f.operatorName ?? '',
    bySupervisor: f.bySupervisor === '1',
    retries: Number(f.retries ?? 0),
  };
  if (f.lastError) r.lastError = f.lastError;
  if (f.deliveredAt) r.deliveredAt = f.deliveredAt;
  if (f.line) r.line = f.line;
  if (f.servedLine) r.servedLine = f.servedLine;
  return r;
}

/** The public status of a report: never its content, never who wrote it. */
export function publicStatus(r: ReportRecord): ReportStatus {
  const s: ReportStatus = {
    reportId: r.reportId,
    conversationId: r.conversationId,
    region: r.region,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.createdAt,
  };
  if (r.lastError) s.lastError = r.lastError;
  if (r.deliveredAt) s.deliveredAt = r.deliveredAt;
  return s;
}
