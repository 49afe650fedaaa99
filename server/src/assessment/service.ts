import { isDeepStrictEqual } from 'node:util';
import { type AcuteRecord, type Conversation, refusal } from '@stille-lijn/shared';
import { type RiskResult, scoreRisk } from '@stille-lijn/shared/domain/risk';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { ConversationRecord, ConversationStore } from '../conversations/index.ts';
import { assertHolder } from '../messages/index.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { OperatorRef, Router } from '../routing/index.ts';
import type { Notifier } from '../sockets/notifier.ts';
import type { Supervision } from '../supervision/index.ts';

export interface AssessmentDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  router: Router;
  notifier: Notifier;
  audit: AuditLog;
  supervision: Supervision;
  /** With REDIS_ACK_REPLICAS: acute danger is acked once replicas have it. */
  durable: DurableAcks;
}

/**
 * Field of the conversation hash: what a marking of acute danger still owes once its record
 * is stored, until it is done (`AcuteOwed`, comma-separated; absent when nothing is). Written
 * before the record, so that a marking cut after it (Redis away a moment, answered
 * `unavailable`) leaves it for the console's retry: finding the record unchanged, that retry
 * would otherwise do nothing, and the alert and the entry would be lost for good. No
 * content: action names only.
 */
const ACUTE_OWED = 'acuteOwed';

/** What a marking of acute danger owes after its record: its audit entry, and the supervisors' alert. */
interface AcuteOwed {
  audit?: 'acute' | 'acute-update' | undefined;
  alert: boolean;
}

const encodeOwed = (o: AcuteOwed): string => [o.audit, o.alert ? 'alert' : ''].filter(Boolean).join(',');
function decodeOwed(stored: string | null): AcuteOwed {
  const parts = (stored ?? '').split(',');
  return {
    audit: parts.includes('acute') ? 'acute' : parts.includes('acute-update') ? 'acute-update' : undefined,
    alert: parts.includes('alert'),
  };
}

/**
 * What the operator records of a conversation: the kinds of violence (tags), the risk
 * checklist, and acute danger with the 112 script's answers. All sealed, all audited. A
 * save of what is stored already is answered as any other but writes, audits and tells
 * nothing: repeated at will, it must not push older entries out of the capped audit stream.
 */
export class Assessment {
  readonly #d: AssessmentDeps;
  constructor(deps: AssessmentDeps) {
    this.#d = deps;
  }

  async setTags(conversationId: string, operatorId: string, tags: string[]): Promise<Conversation> {
    const r = await assertHolder(this.#d.store, conversationId, operatorId);
    // The same kinds in another order are the same tags; none stored reads as none.
    const stored = this.#opened<string[]>(r, 'tags') ?? [];
    if (isDeepStrictEqual([...stored].sort(), [...tags].sort()))
      return this.#d.store.conversation(conversationId);
    await this.#d.store.setSealed(conversationId, 'tags', JSON.stringify(tags));
    await this.#d.audit.record('tags', operatorId, conversationId);
    return this.#changed(conversationId);
  }

  /** Saves the risk checklist, re-scored here so a client cannot claim a level it did not earn. */
  async saveRisk(
    conversationId: string,
    operatorId: string,
    risk: { answers: RiskResult['answers']; override?: RiskResult['override'] | undefined },
  ): Promise<Conversation> {
    const r = await assertHolder(this.#d.store, conversationId, operatorId);
    const scored = scoreRisk(risk.answers, risk.override);
    if (isDeepStrictEqual(this.#opened<RiskResult>(r, 'risk'), scored))
      return this.#d.store.conversation(conversationId);
    await this.#d.store.setSealed(conversationId, 'risk', JSON.stringify(scored));
    await this.#d.audit.record('risk', operatorId, conversationId);
    return this.#changed(conversationId);
  }

  /**
   * Acute danger: urgent, supervisors alerted (once), the 112 script's answers stored
   * sealed. Its audit entry and alert are owed (`ACUTE_OWED`) from before the record is
   * written until they are done, so a retry after a cut completes them, once each.
   */
  async markAcute(
    conversationId: string,
    op: OperatorRef,
    details: { location?: string | undefined; consentToCall112?: boolean | undefined },
  ): Promise<Conversation> {
    const d = this.#d;
    const r = await assertHolder(d.store, conversationId, op.id);
    const key = d.keys.conversation(conversationId);
    // Marked while the danger lasted, or not at all: a first marking after the end would
    // let its holder unlock identifying details for a report without consent (reports).
    if (!r.sealed.acute && r.state === 'ended') throw refusal('conversation_ended');
    const previous = r.sealed.acute
      ? (JSON.parse(d.store.open(conversationId, 'acute', r.sealed.acute)) as AcuteRecord)
      : undefined;
    // Only a stored record can owe anything (a mark left by a cut before it is moot).
    const owed = previous ? decodeOwed(await d.redis.hget(key, ACUTE_OWED)) : { alert: false };
    const unchanged =
      previous !== undefined &&
      (details.location === undefined || details.location === previous.location) &&
      (details.consentToCall112 === undefined || details.consentToCall112 === previous.consentToCall112);
    if (unchanged) {
      // A retry after `unavailable` is still answered only once replicas have the first write.
      await d.durable.confirm();
      // The retry of a marking cut after its record was stored completes it; a save of what
      // is stored and done writes, audits and tells nothing.
      if (owed.audit || owed.alert) return this.#completeAcute(r, op, previous, owed);
      return d.store.conversation(conversationId);
    }
    const record: AcuteRecord = previous ?? { at: new Date().toISOString(), markedBy: op.id };
    if (details.location !== undefined) record.location = details.location;
    if (details.consentToCall112 !== undefined) record.consentToCall112 = details.consentToCall112;
    // A first marking still owing its entry keeps it: that one `acute` entry covers the new
    // answers too. Whatever alert is owed stays owed.
    const owes: AcuteOwed = previous
      ? { audit: owed.audit ?? 'acute-update', alert: owed.alert }
      : { audit: 'acute', alert: true };
    await d.redis.hset(key, ACUTE_OWED, encodeOwed(owes));
    await d.store.setSealed(conversationId, 'acute', JSON.stringify(record), { urgent: true });
    await d.durable.confirm();
    return this.#completeAcute(r, op, record, owes);
  }

  /**
   * Whether the first marking of acute danger is done: its record stored and its alert
   * sent. Until then a `chat:acute` is that first marking (or its retry, after a cut), which
   * the action budget never refuses; after, it is a change, which it may. An unknown
   * conversation counts as done (the budget applies; the feature answers it).
   */
  async firstMarkingDone(conversationId: string): Promise<boolean> {
    const r = await this.#d.store.read(conversationId);
    if (r === null) return true;
    if (r.sealed.acute === '') return false;
    const owed = decodeOwed(await this.#d.redis.hget(this.#d.keys.conversation(conversationId), ACUTE_OWED));
    return !owed.alert;
  }

  /**
   * What follows a stored acute record: the move ahead (the same score again changes
   * nothing), the audit entry and the alert as owed, each marked done once it is, then the
   * holder's and watchers' `chat:updated`. A cut between a step and its mark repeats that
   * step on the retry: better an entry or an alert twice than never.
   */
  async #completeAcute(
    r: ConversationRecord,
    op: OperatorRef,
    record: AcuteRecord,
    owed: AcuteOwed,
  ): Promise<Conversation> {
    const d = this.#d;
    const key = d.keys.conversation(r.id);
    // Urgent now: ahead in its line, whether it waits or is held.
    await d.router.rescore(r, true);
    if (owed.audit) {
      await d.audit.record(owed.audit, op.id, r.id);
      if (owed.alert) await d.redis.hset(key, ACUTE_OWED, encodeOwed({ alert: true }));
    }
    if (owed.alert) {
      // Awaited: it is marked sent only once the lines it goes to were read and it went out.
      await d.supervision.alertAbout({
        kind: 'acute-danger',
        conversationId: r.id,
        operatorId: op.id,
        operatorName: op.displayName,
        at: record.at,
      });
    }
    await d.redis.hdel(key, ACUTE_OWED);
    return this.#changed(r.id);
  }

  /** A sealed field as stored, parsed; undefined when there is none. */
  #opened<T>(r: ConversationRecord, field: 'tags' | 'risk'): T | undefined {
    const sealed = r.sealed[field];
    return sealed ? (JSON.parse(this.#d.store.open(r.id, field, sealed)) as T) : undefined;
  }

  /** Tells the operator's sockets and any supervisor reading along that a conversation changed. */
  async #changed(conversationId: string): Promise<Conversation> {
    const conversation = await this.#d.store.conversation(conversationId);
    if (conversation.operatorId)
      this.#d.notifier.toOperator(conversation.operatorId, 'chat:updated', { conversation });
    this.#d.notifier.toWatchers(conversationId, 'chat:updated', { conversation });
    return conversation;
  }
}
