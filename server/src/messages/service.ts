import { AppError, type Message, type Note, refusal } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import {
  atOf,
  type ConversationRecord,
  type ConversationStore,
  type SenderCode,
  senderOf,
} from '../conversations/index.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { appendMessageScript } from './scripts.ts';

/** A stored message and the relay to run right after its ack. */
export interface Stored {
  messageId: string;
  at: string;
  relay: (() => void) | undefined;
}

export interface MessagesDeps {
  redis: Redis;
  keys: RedisKeys;
  store: ConversationStore;
  notifier: Notifier;
  audit: AuditLog;
  config: Readonly<Config>;
  /**
   * Reads a freshly stored visitor message for danger signals (the signals room). Runs
   * before the ack, on the plaintext in memory; it must never log or keep the text.
   */
  readVisitorText?: (conversationId: string, messageId: string, text: string) => Promise<void>;
  /** With REDIS_ACK_REPLICAS: messages and notes are acked once replicas have them. */
  durable: DurableAcks;
}

/**
 * The message path: validate (done by the socket guard), seal, one script that stores the
 * message once per client message id, ack, then relay. Also typing, and private notes.
 */
export class MessageService {
  readonly #d: MessagesDeps;
  constructor(deps: MessagesDeps) {
    this.#d = deps;
    // Messages are stored on the message path's own connection (redis/durable.ts).
    prepareScripts(deps.durable.connection, [appendMessageScript]);
  }

  /** A visitor message: sealed, stored once per client message id, then relayed to the operator. */
  async visitorMessage(conversationId: string, clientMessageId: string, text: string): Promise<Stored> {
    const r = await this.#append(conversationId, 'v', '', clientMessageId, text);
    if (r.fresh && this.#d.readVisitorText) await this.#d.readVisitorText(conversationId, r.messageId, text);
    const at = atOf(r.messageId);
    const relay =
      r.fresh && ((r.state === 'active' && r.operatorId) || r.watched)
        ? () => {
            const message = { conversationId, messageId: r.messageId, from: 'visitor' as const, text, at };
            if (r.state === 'active' && r.operatorId)
              this.#d.notifier.toOperator(r.operatorId, 'chat:message', message);
            if (r.watched) this.#d.notifier.toWatchers(conversationId, 'monitor:message', message);
          }
        : undefined;
    return { messageId: r.messageId, at, relay };
  }

  /** An operator message: stored, then relayed to the visitor and any supervisor reading along. */
  async operatorMessage(
    conversationId: string,
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<Stored> {
    const r = await this.#append(conversationId, 'o', operatorId, clientMessageId, text);
    const at = atOf(r.messageId);
    const messageId = r.messageId;
    const relay = r.fresh
      ? () => {
          this.#d.notifier.toVisitor(conversationId, 'chat:message', {
            messageId,
            from: 'operator',
            text,
            at,
          });
          if (r.watched) {
            this.#d.notifier.toWatchers(conversationId, 'monitor:message', {
              conversationId,
              messageId,
              from: 'operator',
              operatorId,
              text,
              at,
            });
          }
        }
      : undefined;
    return { messageId, at, relay };
  }

  async #append(
    conversationId: string,
    from: SenderCode,
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<{ messageId: string; operatorId: string; state: string; fresh: boolean; watched: boolean }> {
    const k = this.#d.keys;
    const durable = this.#d.durable;
    // The write and its WAIT in one round trip (REDIS_ACK_REPLICAS).
    const r = await durable.write((conn) =>
      runScript(
        conn,
        appendMessageScript,
        {
          conversation: k.conversation(conversationId),
          messages: k.messages(conversationId),
          clientMessageIds: k.clientMessageIds(conversationId),
        },
        {
          from,
          operatorId,
          sealed: this.#d.store.seal(conversationId, 'message', text, senderOf(from, operatorId)),
          clientMessageId,
          now: Date.now(),
          bytes: Buffer.byteLength(text, 'utf8'),
          waitingCap: this.#d.config.waitingMessages,
          byteCap: this.#d.config.conversationMaxBytes,
        },
      ),
    );
    switch (r.status) {
      case 'ok':
        return { ...r, fresh: true };
      case 'duplicate':
        // Stored earlier, perhaps through another connection: its WAIT may have failed.
        await durable.confirm();
        return { ...r, fresh: false };
      case 'not_found':
        throw new AppError('not_found');
      case 'ended':
        throw refusal('conversation_ended');
      case 'rate_limited':
        throw refusal('waiting_messages');
      case 'too_large':
        throw refusal('conversation_full');
      default:
        throw refusal('not_holder');
    }
  }

  /**
   * A message of the helpline itself (`from: 'system'`): stored like any other, then sent
   * to the visitor, the operator who holds the conversation and anyone reading along.
   */
  async systemMessage(conversationId: string, text: string): Promise<Stored> {
    const r = await this.#append(conversationId, 's', '', '', text);
    const at = atOf(r.messageId);
    const message = { messageId: r.messageId, from: 'system' as const, text, at };
    this.#d.notifier.toVisitor(conversationId, 'chat:message', message);
    if (r.operatorId)
      this.#d.notifier.toOperator(r.operatorId, 'chat:message', { ...message, conversationId });
    if (r.watched)
      this.#d.notifier.toWatchers(conversationId, 'monitor:message', { ...message, conversationId });
    return { messageId: r.messageId, at, relay: undefined };
  }

  async visitorTyping(conversationId: string, typing: boolean): Promise<void> {
    const op = await this.#d.store.lastOperatorOf(conversationId);
    if (op) this.#d.notifier.toOperator(op, 'chat:typing', { conversationId, typing });
  }

  async operatorTyping(conversationId: string, operatorId: string, typing: boolean): Promise<void> {
    const r = await assertHolder(this.#d.store, conversationId, operatorId);
    if (r.state === 'active') this.#d.notifier.toVisitor(conversationId, 'chat:typing', { typing });
  }

  /** A private note: sealed, never sent to the visitor; audited. */
  async addNote(conversationId: string, operatorId: string, text: string): Promise<Note> {
    await assertHolder(this.#d.store, conversationId, operatorId);
    const note = await this.#d.store.addNote(conversationId, operatorId, text);
    await this.#d.durable.confirm();
    await this.#d.audit.record('note', operatorId, conversationId);
    return note;
  }
}

/** The conversation, if `operatorId` holds (or last held) it; `forbidden` otherwise. */
export async function assertHolder(
  store: ConversationStore,
  conversationId: string,
  operatorId: string,
): Promise<ConversationRecord> {
  const r = await store.get(conversationId);
  if (r.operatorId !== operatorId) throw refusal('not_holder');
  return r;
}

export type { Message };
