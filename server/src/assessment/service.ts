import { isDeepStrictEqual } from 'node:util';
import type { AcuteRecord, Conversation } from '@stille-lijn/shared';
import { type RiskResult, scoreRisk } from '@stille-lijn/shared/domain/risk';
import type { AuditLog } from '../audit/index.ts';
import type { ConversationRecord, ConversationStore } from '../conversations/index.ts';
import { assertHolder } from '../messages/index.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { OperatorRef, Router } from '../routing/index.ts';
import type { Notifier } from '../sockets/notifier.ts';
import type { Supervision } from '../supervision/index.ts';

export interface AssessmentDeps {
  store: ConversationStore;
  router: Router;
  notifier: Notifier;
  audit: AuditLog;
  supervision: Supervision;
  /** With REDIS_ACK_REPLICAS: acute danger is acked once replicas have it. */
  durable: DurableAcks;
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

  /** Acute danger: urgent, supervisors alerted (once), the 112 script's answers stored sealed. */
  async markAcute(
    conversationId: string,
    op: OperatorRef,
    details: { location?: string | undefined; consentToCall112?: boolean | undefined },
  ): Promise<Conversation> {
    const r = await assertHolder(this.#d.store, conversationId, op.id);
    const previous = r.sealed.acute
      ? (JSON.parse(this.#d.store.open(conversationId, 'acute', r.sealed.acute)) as AcuteRecord)
      : undefined;
    const unchanged =
      previous !== undefined &&
      (details.location === undefined || details.location === previous.location) &&
      (details.consentToCall112 === undefined || details.consentToCall112 === previous.consentToCall112);
    if (unchanged) {
      // A retry after `unavailable` is still answered only once replicas have the first write.
      await this.#d.durable.confirm();
      return this.#d.store.conversation(conversationId);
    }
    const record: AcuteRecord = previous ?? { at: new Date().toISOString(), markedBy: op.id };
    if (details.location !== undefined) record.location = details.location;
    if (details.consentToCall112 !== undefined) record.consentToCall112 = details.consentToCall112;
    await this.#d.store.setSealed(conversationId, 'acute', JSON.stringify(record), { urgent: true });
    await this.#d.durable.confirm();
    // Urgent now: ahead in its line, whether it waits or is held.
    await this.#d.router.rescore(r, true);
    await this.#d.audit.record(previous ? 'acute-update' : 'acute', op.id, conversationId);
    if (!previous) {
      this.#d.supervision.alert({
        kind: 'acute-danger',
        conversationId,
        operatorId: op.id,
        operatorName: op.displayName,
        at: record.at,
      });
    }
    return this.#changed(conversationId);
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
