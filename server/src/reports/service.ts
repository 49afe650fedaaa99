import { randomBytes } from 'node:crypto';
import type { OperatorRole } from '@stille-lijn/shared';
import { type RegionId, regionIdSchema } from '@stille-lijn/shared/domain/regions';
import {
  issueFields,
  type ParsedReportSubmission,
  type ReportCreated,
  type ReportExcerpt,
  type ReportStatus,
  type ReportStatusValue,
  reliesOnAcuteDanger,
  reportSubmissionSchema,
  type SealedReportContent,
  type VeiligThuisReport,
} from '@stille-lijn/shared/domain/report';
import { AppError, refusal } from '@stille-lijn/shared/errors';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { ConversationStore } from '../conversations/index.ts';
import type { LineAccess } from '../lines/line-access.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { auditOf, publishReportStatus } from './delivery.ts';
import { type DeliveryQueue, deliveryJobId, queueDelivery, requeueIfLost } from './recovery.ts';
import type { RegionEndpoint } from './regions.ts';
import { sealReport } from './seal.ts';
import { publicStatus, type ReportRecord, type ReportStore } from './store.ts';

/** The operator acting, as `requireOperator` gives it. */
export interface Actor {
  id: string;
  displayName: string;
  role: OperatorRole;
  /** Version 2 (lines): the account's stored lines (absent: the first line). */
  lines?: readonly string[] | undefined;
}

export interface ReportServiceDeps {
  store: ReportStore;
  queue: DeliveryQueue;
  regions: ReadonlyMap<RegionId, RegionEndpoint>;
  conversations: ConversationStore;
  notifier: Notifier;
  audit: AuditLog;
  redis: Redis;
  keys: RedisKeys;
  config: Readonly<Config>;
  log: FastifyBaseLogger;
  /** With REDIS_ACK_REPLICAS: a report is answered once replicas hold it and its job. */
  durable: DurableAcks;
  /** Version 2 (lines): whether the actor's lines may reach a conversation or a report. @default always */
  lineAccess?: Pick<LineAccess, 'mayReach' | 'mayReachExisting' | 'mayReachStored'>;
}

/** How many of the newest reports a status-filtered listing looks through. @default 2000 */
const RECENT_SCAN = 2000;

/** How long an `Idempotency-Key` of a submission is remembered. @default 24 h */
export const SUBMISSION_IDEMPOTENCY_MS = 24 * 3_600_000;

const isSupervisor = (role: OperatorRole) => role === 'supervisor' || role === 'admin';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const newId = () => randomBytes(16).toString('base64url');

/**
 * Veilig Thuis reports: validated, sealed to the region's key (after which this server
 * cannot read them), stored sealed, and queued for delivery. Only the status is ever
 * shown again.
 */
export class ReportService {
  readonly #d: ReportServiceDeps;

  constructor(deps: ReportServiceDeps) {
    this.#d = deps;
  }

  /** The regions a report can be sent to (those in VT_REGIONS_FILE), by id. */
  configuredRegions(): { id: RegionId; name: string }[] {
    return [...this.#d.regions.values()]
      .map((r) => ({ id: r.id, name: r.name }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * `forbidden` unless the actor may report on (and see the reports of) the conversation:
   * the operator who holds or last held it, or a supervisor. Needs no body, so the route
   * runs it before reading one.
   */
  async assertConversationAccess(conversationId: string, actor: Actor): Promise<void> {
    // Another line's conversation is answered as a stranger's (PROTOCOL.md, "Lines").
    if (!(await this.#mayReach(actor, conversationId))) throw refusal('not_holder');
    if (isSupervisor(actor.role)) return;
    const holder = await this.#d.conversations.lastOperatorOf(conversationId);
    if (holder !== actor.id) throw refusal('not_holder');
  }

  /** The reporting operator, or a supervisor; else `forbidden` (also for an unknown id). */
  async #readable(reportId: string, actor: Actor): Promise<ReportRecord> {
    const record = await this.#d.store.get(reportId);
    if (!isSupervisor(actor.role) && record?.operatorId !== actor.id) throw new AppError('forbidden');
    if (!record) throw new AppError('not_found');
    if (!(await this.#mayReachReport(actor, record))) throw new AppError('forbidden');
    return record;
  }

  #mayReach(actor: Actor, conversationId: string): Promise<boolean> {
    return this.#d.lineAccess?.mayReach(actor, conversationId) ?? Promise.resolve(true);
  }

  /**
   * Whether the actor's lines reach the report: by the lines stored on it when it was made,
   * which the purge of its conversation (RETENTION_HOURS, long before a report goes) does
   * not change; or, while the conversation still exists, as they reach that. A purged
   * conversation grants nothing. A report stored before reports kept their line has none:
   * once its conversation is gone it is reachable only by an account of every line (an
   * admin, or `'*'`), never by a supervisor of some lines.
   */
  async #mayReachReport(actor: Actor, record: ReportRecord): Promise<boolean> {
    const access = this.#d.lineAccess;
    if (!access) return true;
    if (access.mayReachStored(actor, record)) return true;
    return access.mayReachExisting(actor, record.conversationId);
  }

  /**
   * `POST /api/conversations/:id/reports`. Access first (403), then the conversation
   * (404; 409 while it waits), then every check at once: one 400 names every failing
   * field. With an `idempotencyKey`, a repeat of the same submission returns the report
   * made the first time.
   */
  async submit(
    conversationId: string,
    actor: Actor,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<ReportCreated & { replayed: boolean }> {
    await this.assertConversationAccess(conversationId, actor);
    const stored = await this.#d.conversations.get(conversationId);
    const conversation = this.#d.conversations.toConversation(stored);
    if (conversation.state === 'waiting') {
      throw refusal('conversation_waiting');
    }
    const idemKey = idempotencyKey ? this.#d.keys.reportIdempotency(actor.id, idempotencyKey) : undefined;
    if (idemKey) {
      const earlier = await this.#d.redis.get(idemKey);
      if (earlier) {
        const replayed = await this.#replay(earlier, conversationId, actor.id);
        // A retry after `unavailable`: answered once the first attempt is safe.
        await this.#d.durable.confirm();
        return replayed;
      }
    }

    const parsed = reportSubmissionSchema.safeParse(body);
    const fields = parsed.success ? [] : issueFields(parsed.error);
    const region = isRecord(body) ? regionIdSchema.safeParse(body.region) : undefined;
    const unconfigured = region?.success === true && !this.#d.regions.has(region.data);
    if (unconfigured) fields.push('region');
    if (!parsed.success) throw invalid(fields, unconfigured);

    const submission = parsed.data;
    const excerpts = await this.#excerpts(conversationId, submission.excerpts, fields);
    const onAcuteDanger = reliesOnAcuteDanger(submission);
    // Identifying details without consent need the acute danger the operator marked in
    // the conversation, not just a box ticked in the form.
    if (onAcuteDanger && !conversation.acute) fields.push('acuteDanger');
    if (fields.length > 0) throw invalid(fields, unconfigured);

    const reportId = newId();
    const endpoint = this.#d.regions.get(submission.region)!;
    const report: VeiligThuisReport = { ...withoutExcerpts(submission), excerpts };
    const createdAt = new Date().toISOString();
    const content: SealedReportContent = {
      reportId,
      conversationId,
      createdAt,
      helpline: { operatorId: actor.id, operatorName: actor.displayName },
      report,
    };
    const sealed = await sealReport(content, endpoint.publicKey);
    const record = {
      reportId,
      conversationId,
      region: submission.region,
      createdAt,
      operatorId: actor.id,
      operatorName: actor.displayName,
      bySupervisor: isSupervisor(actor.role),
      // The lines that reach the conversation now, kept with the report: it outlives the
      // conversation, and who may see or retry it must not change when that is purged.
      line: this.#d.conversations.lineOf(stored.line),
      ...(stored.servedLine ? { servedLine: stored.servedLine } : {}),
    };
    // The key is claimed as the report is stored, in one step: it never names a report
    // that a failure or a crash kept from being stored.
    const claim = idemKey
      ? { key: idemKey, value: `${conversationId} ${reportId}`, ttlMs: SUBMISSION_IDEMPOTENCY_MS }
      : undefined;
    let earlier: string | null;
    try {
      earlier = await this.#d.store.create(record, sealed, { ...(claim ? { claim } : {}), onAcuteDanger });
    } catch (err) {
      this.#d.log.warn({ err, reportId }, 'report not stored');
      throw new AppError('unavailable');
    }
    if (earlier !== null) {
      // A submission with the same key, sent at the same time, was stored first.
      const replayed = await this.#replay(earlier, conversationId, actor.id);
      await this.#d.durable.confirm();
      return replayed;
    }
    try {
      await this.#enqueue(reportId, deliveryJobId(reportId, 0));
    } catch (err) {
      this.#d.log.warn({ err, reportId }, 'report not queued');
      // Should this fail too, the report stays queued with its claim: a retry with the same
      // key, or the sweep, queues its job (#replay, LostDeliveries).
      await this.#d.store.remove(reportId, conversationId, idemKey).catch(() => {});
      throw new AppError('unavailable');
    }
    try {
      await this.#auditSubmission(reportId, actor.id, conversationId, onAcuteDanger);
    } catch (err) {
      this.#d.log.warn({ err, reportId }, 'report audit not written');
      // Stored and queued, but not yet on record: the retry with the same key writes the
      // entries. Without a key a retry would make a second report: that is worse than a
      // missing entry, so the report is answered as made.
      if (idemKey) throw new AppError('unavailable');
    }
    // The report, its job and the audit on the replicas before the answer (REDIS_ACK_REPLICAS).
    await this.#d.durable.confirm();
    publishReportStatus(this.#d.notifier, {
      ...record,
      status: 'queued',
      attempts: 0,
      retries: 0,
    });
    return { reportId, status: 'queued', replayed: false };
  }

  /**
   * The report an earlier submission with this key made (`earlier`, the key's value:
   * "<conversationId> <reportId>"). One the first attempt left queued
   * without its job (a crash, or a Redis error, between storing it and queuing the job) is
   * queued again now: the resend is how the operator asks for it.
   */
  async #replay(
    earlier: string,
    conversationId: string,
    actorId: string,
  ): Promise<ReportCreated & { replayed: boolean }> {
    const [conv, reportId] = earlier.split(' ');
    if (conv !== conversationId || !reportId) {
      throw refusal('idempotency_key_reused');
    }
    try {
      if (await requeueIfLost(this.#d, reportId))
        this.#d.log.warn({ reportId }, 'report delivery job was lost: queued again');
    } catch (err) {
      this.#d.log.warn({ err, reportId }, 'report not queued');
      throw new AppError('unavailable');
    }
    // The first attempt may have stopped before its audit entries (a failover).
    const onAcuteDanger = await this.#d.store.onAcuteDanger(reportId);
    if (onAcuteDanger !== null) await this.#auditSubmission(reportId, actorId, conversationId, onAcuteDanger);
    return { reportId, status: 'queued', replayed: true };
  }

  /**
   * A submission's audit entries, each written once per report: by the submission, or by
   * the first retry after a failure kept them from being written.
   */
  async #auditSubmission(
    reportId: string,
    actorId: string,
    conversationId: string,
    onAcuteDanger: boolean,
  ): Promise<void> {
    const once = (action: string) =>
      this.#d.audit.recordOncePer(
        { gate: this.#d.keys.auditOnce(action, reportId), windowMs: SUBMISSION_IDEMPOTENCY_MS },
        action,
        actorId,
        conversationId,
        { report: reportId },
      );
    await once('report-submit');
    // The reason identifying details went without consent is on record.
    if (onAcuteDanger) await once('report-identifying-acute-danger');
  }

  async #enqueue(reportId: string, jobId: string): Promise<void> {
    await queueDelivery(this.#d.queue, this.#d.config, reportId, jobId);
  }

  /**
   * The excerpts as sealed: each message taken from the stored conversation, so an
   * operator cannot alter a quote. Unknown or system messages, and given fields that
   * differ from the stored message, are added to `fields`.
   */
  async #excerpts(
    conversationId: string,
    refs: ParsedReportSubmission['excerpts'],
    fields: string[],
  ): Promise<ReportExcerpt[]> {
    if (refs.length === 0) return [];
    const stored = new Map(
      (await this.#d.conversations.messages(conversationId, { forOperator: true })).map((m) => [
        m.messageId,
        m,
      ]),
    );
    const out: ReportExcerpt[] = [];
    refs.forEach((ref, i) => {
      const m = stored.get(ref.messageId);
      if (!m || m.from === 'system') {
        fields.push(`excerpts.${i}.messageId`);
        return;
      }
      const before = fields.length;
      if (ref.from !== undefined && ref.from !== m.from) fields.push(`excerpts.${i}.from`);
      if (ref.text !== undefined && ref.text !== m.text) fields.push(`excerpts.${i}.text`);
      if (ref.at !== undefined && Date.parse(ref.at) !== Date.parse(m.at)) fields.push(`excerpts.${i}.at`);
      if (fields.length === before)
        out.push({ messageId: m.messageId, from: m.from, text: m.text, at: m.at });
    });
    return out;
  }

  /** `GET /api/reports/:id`: the status, never the content. */
  async status(reportId: string, actor: Actor): Promise<ReportStatus> {
    return publicStatus(await this.#readable(reportId, actor));
  }

  /**
   * `GET /api/conversations/:id/reports`: the conversation's reports, oldest first —
   * for an operator, those they made; for a supervisor, all.
   */
  async listForConversation(conversationId: string, actor: Actor): Promise<ReportStatus[]> {
    await this.assertConversationAccess(conversationId, actor);
    const all = await this.#d.store.listForConversation(conversationId);
    const out: ReportStatus[] = [];
    for (const r of all) {
      if (!isSupervisor(actor.role) && r.operatorId !== actor.id) continue;
      // The conversation may be purged already: each report by its own lines.
      if (await this.#mayReachReport(actor, r)) out.push(publicStatus(r));
    }
    return out;
  }

  /**
   * `GET /api/reports` (supervisors and admins): the newest reports still kept, newest
   * first, optionally only those with one status.
   */
  async listRecent(
    opts: { status?: ReportStatusValue | undefined; limit: number },
    actor?: Actor,
  ): Promise<ReportStatus[]> {
    // Filtering by line may drop some of the newest: then look through as many as a
    // status filter does.
    const lined = actor !== undefined && actor.role !== 'admin' && this.#d.lineAccess !== undefined;
    const all = await this.#d.store.listRecent(opts.status || lined ? RECENT_SCAN : opts.limit);
    const out: ReportStatus[] = [];
    for (const r of all) {
      if (out.length >= opts.limit) break;
      if (opts.status && r.status !== opts.status) continue;
      if (lined && !(await this.#mayReachReport(actor, r))) continue;
      out.push(publicStatus(r));
    }
    return out;
  }

  /** `POST /api/reports/:id/retry`: a failed report gets another round of attempts. */
  async retry(reportId: string, actor: Actor): Promise<ReportStatus> {
    const record = await this.#readable(reportId, actor);
    const round = await this.#d.store.requeue(reportId, record.conversationId);
    if (round === null) throw refusal('report_not_failed');
    try {
      await this.#enqueue(reportId, deliveryJobId(reportId, round));
    } catch (err) {
      // Queued without a job it would never be sent, nor could it be retried: failed again.
      // Should that fail too, the sweep queues its job a minute or two later.
      await this.#d.store
        .undoRequeue(reportId, round)
        .catch((e: unknown) => this.#d.log.warn({ err: e, reportId }, 'report retry not undone'));
      this.#d.log.warn({ err, reportId }, 'report retry not queued');
      throw new AppError('unavailable');
    }
    // The report's own line: its conversation may be purged, and that line's supervisors read the entry.
    await this.#d.audit.record('report-retry', actor.id, record.conversationId, auditOf(record, reportId));
    const now = (await this.#d.store.get(reportId)) ?? { ...record, status: 'queued' as const };
    publishReportStatus(this.#d.notifier, now);
    return publicStatus(now);
  }
}

function invalid(fields: string[], unconfiguredRegion: boolean): AppError {
  const unique = [...new Set(fields)];
  const onlyRegion = unconfiguredRegion && unique.length === 1;
  return new AppError(
    'invalid_payload',
    onlyRegion ? 'No delivery is configured for this region.' : undefined,
    unique,
  );
}

function withoutExcerpts(s: ParsedReportSubmission): Omit<VeiligThuisReport, 'excerpts'> {
  const { excerpts: _excerpts, ...rest } = s;
  return rest;
}
