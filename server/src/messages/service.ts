import { AppError, type Message, type Note, refusal } from '@stille-lijn/shared';
import type { Redis } from 'ioredis';
import { AUDIT_MAX_ENTRIES, type AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import {
  atOf,
  type ConversationRecord,
  type ConversationStore,
  compareStreamIds,
  type SenderCode,
  senderOf,
} from '../conversations/index.ts';
import type { DurableAcks } from '../redis/durable.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import type { Notifier } from '../sockets/notifier.ts';
import { addNoteScript, appendMessageScript, markRelayedScript, relayedField } from './scripts.ts';

/**
 * How long relayed marks wait to be written together. At a few hundred messages a second
 * one Redis write per message was a write and a read system call each; batched, a flush
 * carries every mark of its window, of every conversation, in one script call.
 */
const MARK_FLUSH_MS = 5;

/**
 * Notes one conversation holds at most, hand-over and transfer notes included. Generous: a
 * long conversation gets a few dozen. A bound on Redis memory, which one operator could
 * otherwise fill with notes (Redis evicts nothing: full, the line goes down).
 * @default 200
 */
export const MAX_NOTES = 200;

/**
 * Note text one conversation holds at most (UTF-8 bytes of what `chat:note` added), as
 * CONVERSATION_MAX_KB bounds the visitor's text: 131 notes of the longest (2,000 characters)
 * in plain Dutch.
 * @default 262144 (256 KiB)
 */
export const MAX_NOTE_BYTES = 256 * 1024;

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
  /** Relayed marks not yet written: conversation id → their fields. */
  #marks = new Map<string, string[]>();
  /**
   * Batches of marks sent to Redis and not yet answered. A resend whose append went out
   * before its batch reads "not relayed" from Redis, while its mark is no longer in
   * `#marks`: it is found here, and not relayed a second time.
   */
  readonly #marksWriting = new Set<Map<string, string[]>>();
  #marksTimer: NodeJS.Timeout | undefined;

  constructor(deps: MessagesDeps) {
    this.#d = deps;
    // Messages and notes are stored on the message path's own connection (redis/durable.ts).
    prepareScripts(deps.durable.connection, [appendMessageScript, addNoteScript, markRelayedScript]);
  }

  /**
   * A visitor message: sealed, stored once per client message id, then relayed to the
   * operator. A resend of a stored message that was never relayed (its first reply was
   * lost, or the process died before the relay) is relayed now.
   */
  async visitorMessage(conversationId: string, clientMessageId: string, text: string): Promise<Stored> {
    const markedBefore = this.#markPending(conversationId, clientMessageId);
    const r = await this.#append(conversationId, 'v', '', clientMessageId, text);
    const owed = this.#owed(conversationId, clientMessageId, r, markedBefore);
    // Idempotent per message id: a resend that is read again raises nothing twice.
    if (owed && this.#d.readVisitorText) await this.#d.readVisitorText(conversationId, r.messageId, text);
    const at = atOf(r.messageId);
    const toOperator = r.state === 'active' && r.operatorId !== '';
    const relay = owed
      ? () => {
          const message = { conversationId, messageId: r.messageId, from: 'visitor' as const, text, at };
          if (toOperator) this.#d.notifier.toOperator(r.operatorId, 'chat:message', message);
          if (r.watched) this.#d.notifier.toWatchers(conversationId, 'monitor:message', message);
          this.#markRelayed(conversationId, clientMessageId);
        }
      : undefined;
    return { messageId: r.messageId, at, relay };
  }

  /**
   * An operator message: stored, then relayed to the visitor and any supervisor reading
   * along; a resend that was never relayed is relayed now.
   */
  async operatorMessage(
    conversationId: string,
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<Stored> {
    const markedBefore = this.#markPending(conversationId, clientMessageId);
    const r = await this.#append(conversationId, 'o', operatorId, clientMessageId, text);
    const at = atOf(r.messageId);
    const messageId = r.messageId;
    // A resend of a message from before a return-code redemption goes to the operator's
    // other tabs and supervisors only: whoever redeemed the code may not be the visitor
    // it was written to, and is never sent what came before (PROTOCOL.md).
    const toVisitor = r.fresh || !r.visitorFloor || compareStreamIds(messageId, r.visitorFloor) > 0;
    const relay = this.#owed(conversationId, clientMessageId, r, markedBefore)
      ? () => {
          if (toVisitor)
            this.#d.notifier.toVisitorMessage(conversationId, r.visitorFloor, {
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
          this.#markRelayed(conversationId, clientMessageId);
        }
      : undefined;
    return { messageId, at, relay };
  }

  /**
   * Whether a stored message still has to be relayed: a new one, or a resend of one whose
   * relay never ran. A relay whose mark waits in this process counts as run (a resend
   * outside a reconnect reaches the same process, and must not deliver twice): waiting when
   * the resend's append went out (`markedBefore`: its batch then follows the append, and
   * Redis answers "not relayed"), or waiting now.
   */
  #owed(
    conversationId: string,
    clientMessageId: string,
    r: { fresh: boolean; relayed: boolean },
    markedBefore: boolean,
  ): boolean {
    if (r.fresh) return true;
    if (r.relayed || markedBefore) return false;
    return !this.#markPending(conversationId, clientMessageId);
  }

  /** Whether a message's relayed mark waits in this process: in the batch, or being written. */
  #markPending(conversationId: string, clientMessageId: string): boolean {
    if (!clientMessageId) return false;
    const field = relayedField(clientMessageId);
    if (this.#marks.get(conversationId)?.includes(field)) return true;
    for (const batch of this.#marksWriting) if (batch.get(conversationId)?.includes(field)) return true;
    return false;
  }

  /**
   * Marks a message relayed, after its emit: a later resend of it is then acked without a
   * second relay. The marks of a few milliseconds go out together (`MARK_FLUSH_MS`), fire
   * and forget: the ack is out, and a mark not yet written or lost only means that a resend
   * relays the message once more, which clients drop by its `messageId` (PROTOCOL.md).
   */
  #markRelayed(conversationId: string, clientMessageId: string): void {
    if (!clientMessageId) return;
    const field = relayedField(clientMessageId);
    const fields = this.#marks.get(conversationId);
    if (fields) fields.push(field);
    else this.#marks.set(conversationId, [field]);
    this.#marksTimer ??= setTimeout(() => this.flushMarks(), MARK_FLUSH_MS);
  }

  /** Writes the relayed marks now (also when the server closes). */
  flushMarks(): Promise<void> {
    clearTimeout(this.#marksTimer);
    this.#marksTimer = undefined;
    if (this.#marks.size === 0) return Promise.resolve();
    const batch = this.#marks;
    this.#marks = new Map();
    const hashes: string[] = [];
    const marks: (string | number)[] = [];
    for (const [conversationId, fields] of batch) {
      hashes.push(this.#d.keys.clientMessageIds(conversationId));
      marks.push(fields.length, ...fields);
    }
    this.#marksWriting.add(batch);
    const conn = this.#d.durable.connection;
    // Forgotten a turn after the answer: a resend answered in the same read from Redis may
    // settle its awaits after this batch's.
    const written = () => {
      setImmediate(() => this.#marksWriting.delete(batch));
    };
    return runScript(conn, markRelayedScript, { clientMessageIds: hashes }, { marks }).then(
      written,
      // Redis away: the next resend relays once more, no worse.
      written,
    );
  }

  async #append(
    conversationId: string,
    from: SenderCode,
    operatorId: string,
    clientMessageId: string,
    text: string,
  ): Promise<{
    messageId: string;
    operatorId: string;
    state: string;
    fresh: boolean;
    watched: boolean;
    relayed: boolean;
    visitorFloor: string;
  }> {
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
          messageCap: this.#d.config.conversationMaxMessages,
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
    this.#d.notifier.toVisitorMessage(conversationId, r.visitorFloor, message);
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

  /**
   * A private note: sealed, never sent to the visitor; audited in the same script. Stored
   * once per `clientNoteId`: a resend after an `unavailable` ack answers with the first
   * note (after its own WAIT) and stores nothing twice. Past MAX_NOTES or MAX_NOTE_BYTES
   * it is refused, `too_large` (`notes_full`), storing and auditing nothing.
   */
  async addNote(conversationId: string, operatorId: string, text: string, clientNoteId = ''): Promise<Note> {
    await assertHolder(this.#d.store, conversationId, operatorId);
    const k = this.#d.keys;
    const durable = this.#d.durable;
    const r = await durable.write((conn) =>
      runScript(
        conn,
        addNoteScript,
        {
          conversation: k.conversation(conversationId),
          notes: k.notes(conversationId),
          clientIds: k.clientMessageIds(conversationId),
          audit: k.audit,
        },
        {
          conversationId,
          operatorId,
          sealed: this.#d.store.seal(conversationId, 'note', text, senderOf('o', operatorId)),
          clientNoteId,
          auditMax: AUDIT_MAX_ENTRIES,
          bytes: Buffer.byteLength(text, 'utf8'),
          noteCap: MAX_NOTES,
          byteCap: MAX_NOTE_BYTES,
        },
      ),
    );
    if (r.status === 'not_found') throw new AppError('not_found');
    if (r.status === 'too_large') throw refusal('notes_full');
    // Stored earlier, perhaps through another connection: its WAIT may have failed.
    if (r.status === 'duplicate') await durable.confirm();
    return { noteId: r.noteId, conversationId, operatorId, text, at: atOf(r.noteId) };
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
