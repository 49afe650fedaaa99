import type { AcuteRecord } from '@stille-lijn/shared';
import {
  AppError,
  type Conversation,
  type ConversationSignal,
  type ConversationState,
  type EndReason,
  type Language,
  type Message,
  type Note,
  type SignalSummary,
  type VisitorLeftReason,
  type VisitorRole,
} from '@stille-lijn/shared';
import type { RegionId } from '@stille-lijn/shared/domain/regions';
import type { RiskResult } from '@stille-lijn/shared/domain/risk';
import type { Redis } from 'ioredis';
import { type DataCipher, fieldBinding, type SealedField } from '../crypto/cipher.ts';
import type { RedisKeys } from '../redis/keys.ts';
import { prepareScripts, runScript } from '../redis/scripts.ts';
import { countWatcherScript } from './scripts.ts';

/** The sender of a stored message or note: `v`isitor, `o`perator or `s`ystem. */
export type SenderCode = 'v' | 'o' | 's';

/** The sender a ciphertext is bound to: `v`, `s`, or `o:<operatorId>`. */
export const senderOf = (from: SenderCode, operatorId: string) => (from === 'o' ? `o:${operatorId}` : from);

const fromCode = { v: 'visitor', o: 'operator', s: 'system' } as const;

/** The time of a stream entry, from its id. */
export const atOf = (streamId: string) => new Date(Number(streamId.split('-')[0])).toISOString();

/** Compares two Redis stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * A conversation's hash, decoded. Times are ms; sealed fields stay sealed until
 * `toConversation` opens them.
 */
export interface ConversationRecord {
  id: string;
  state: ConversationState;
  role: VisitorRole;
  language: Language;
  urgent: boolean;
  waitingSince: number;
  assignedAt: number | undefined;
  /** Who holds it, or last held it once it ended. */
  operatorId: string;
  operatorName: string;
  away: { reason: VisitorLeftReason; since: number; returnUntil: number } | undefined;
  endedAt: number | undefined;
  endReason: EndReason | undefined;
  /** The visitor socket attached to it ('' when none). */
  visitorSocket: string;
  /** Keys of its current resume token and return code (full key names), '' when none. */
  resumeKey: string;
  returnKey: string;
  /** Keyed hash of the visitor's address bucket while it is open. */
  addr: string;
  /** Keyed hash of her network bucket (IPv6 /48, IPv4 /24) while it is open; '' before release 2's networks. */
  net: string;
  /** Supervisors reading along. */
  watchers: number;
  /** Held out of routing while its visitor is gone. */
  held: boolean;
  /** Stream id of the last return-code redemption: nothing up to it goes to the visitor again. */
  visitorFloor: string;
  /**
   * When the return code was last redeemed (ms): whoever came back may be someone else, so
   * every later holder is warned (`Conversation.returnCodeUsedAt`). Never sent to a visitor.
   */
  returnCodeUsedAt: number | undefined;
  /** The block made from this conversation, if any. */
  blockId: string;
  /** Nobody spoke its language: Dutch and English speakers may take it. */
  languageFallback: boolean;
  /** A high danger signal was read while it waited: it routes right after the urgent ones. */
  highSignal: boolean;
  sealed: { tags: string; risk: string; acute: string; signals: string };
  /** Release 1 stored tags in plain JSON here. */
  plainTags: string;
  /** Version 2 (lines): its line as stored, '' for records written before lines (the first line). */
  line: string;
  /** Version 2 (lines): the line whose operator took it through overflow, '' when none. */
  servedLine: string;
}

/** A danger signal as stored (sealed) with its conversation. */
export interface StoredSignal extends ConversationSignal {
  /** A supervisor alert went out for it while the conversation waited. */
  alerted?: boolean;
  /** The holding operator dismissed it as wrong. */
  dismissed?: boolean;
}

const num = (v: string | undefined) => (v ? Number(v) : undefined);

/** Decodes a conversation hash; null when it does not exist. */
export function decodeConversation(id: string, h: Record<string, string>): ConversationRecord | null {
  if (!h.state) return null;
  const away =
    h.away && h.awaySince && h.returnUntil
      ? {
          reason: h.away as VisitorLeftReason,
          since: Number(h.awaySince),
          returnUntil: Number(h.returnUntil),
        }
      : undefined;
  return {
    id,
    state: h.state === 'active' || h.state === 'ended' ? h.state : 'waiting',
    role: h.role as VisitorRole,
    language: h.language as Language,
    urgent: h.urgent === '1',
    waitingSince: Number(h.waitingSince),
    assignedAt: num(h.assignedAt),
    operatorId: h.operatorId ?? '',
    operatorName: h.operatorName ?? '',
    away,
    endedAt: num(h.endedAt),
    endReason: (h.endReason || undefined) as EndReason | undefined,
    visitorSocket: h.vsock ?? '',
    resumeKey: h.resumeKey ?? '',
    returnKey: h.returnKey ?? '',
    addr: h.addr ?? '',
    net: h.net ?? '',
    watchers: Number(h.watchers ?? 0),
    held: h.held === '1',
    visitorFloor: h.vfloor ?? '',
    returnCodeUsedAt: num(h.rcAt),
    blockId: h.blockId ?? '',
    languageFallback: h.languageFallback === '1',
    highSignal: h.signalTier === '1',
    sealed: { tags: h.tagsEnc ?? '', risk: h.risk ?? '', acute: h.acute ?? '', signals: h.signals ?? '' },
    plainTags: h.tags ?? '[]',
    line: h.line ?? '',
    servedLine: h.servedLine ?? '',
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * Owns the layout of a conversation in Redis (its hash, message and note streams) and
 * decodes it into typed records. Every feature reads conversations through it.
 */
export class ConversationStore {
  readonly #redis: Redis;
  readonly #cipher: DataCipher;
  readonly keys: RedisKeys;
  /** The line of a record (`LineRegistry.lineOf`): a stored '' is the first line. */
  readonly lineOf: (stored: string) => string;
  /** A line's default report region, if it names one. */
  readonly #regionOf: (line: string) => RegionId | undefined;

  constructor(deps: {
    redis: Redis;
    cipher: DataCipher;
    keys: RedisKeys;
    lineOf?: (stored: string) => string;
    regionOf?: (line: string) => RegionId | undefined;
  }) {
    this.#regionOf = deps.regionOf ?? (() => undefined);
    this.#redis = deps.redis;
    this.#cipher = deps.cipher;
    this.keys = deps.keys;
    this.lineOf = deps.lineOf ?? ((stored) => stored || 'default');
    prepareScripts(this.#redis, [countWatcherScript]);
  }

  /** The record, or null when there is no such conversation. */
  async read(id: string): Promise<ConversationRecord | null> {
    return decodeConversation(id, await this.#redis.hgetall(this.keys.conversation(id)));
  }

  /** The record; `not_found` when there is none. */
  async get(id: string): Promise<ConversationRecord> {
    const r = await this.read(id);
    if (!r) throw new AppError('not_found');
    return r;
  }

  /** The conversation as operators see it (sealed fields opened). */
  async conversation(id: string): Promise<Conversation> {
    return this.toConversation(await this.get(id));
  }

  toConversation(r: ConversationRecord): Conversation {
    const c: Conversation = {
      conversationId: r.id,
      role: r.role,
      language: r.language,
      urgent: r.urgent,
      state: r.state,
      line: this.lineOf(r.line),
      waitingSince: new Date(r.waitingSince).toISOString(),
      tags: r.sealed.tags
        ? (JSON.parse(this.open(r.id, 'tags', r.sealed.tags)) as string[])
        : (JSON.parse(r.plainTags) as string[]),
    };
    if (r.assignedAt !== undefined) c.assignedAt = iso(r.assignedAt)!;
    if (r.operatorId) c.operatorId = r.operatorId;
    if (r.away)
      c.away = { reason: r.away.reason, since: iso(r.away.since)!, returnUntil: iso(r.away.returnUntil)! };
    if (r.endedAt !== undefined) c.endedAt = iso(r.endedAt)!;
    if (r.endReason) c.endReason = r.endReason;
    if (r.operatorName) c.operatorName = r.operatorName;
    if (r.languageFallback) c.languageFallback = true;
    if (r.returnCodeUsedAt !== undefined) c.returnCodeUsedAt = iso(r.returnCodeUsedAt)!;
    const region = this.#regionOf(c.line ?? '');
    if (region) c.defaultRegion = region;
    if (r.sealed.risk) c.risk = JSON.parse(this.open(r.id, 'risk', r.sealed.risk)) as RiskResult;
    if (r.sealed.acute) c.acute = JSON.parse(this.open(r.id, 'acute', r.sealed.acute)) as AcuteRecord;
    const signals = this.signalsOf(r).filter((s) => !s.dismissed);
    if (signals.length)
      c.signals = signals.map(({ category, weight, spans }) => ({ category, weight, spans }));
    return c;
  }

  /** A sealed `signals` field as a queue item shows it: categories and weights, dismissed ones left out. */
  openSignalSummaries(id: string, sealed: string): SignalSummary[] {
    const all = JSON.parse(this.open(id, 'signals', sealed)) as StoredSignal[];
    return all.filter((s) => !s.dismissed).map(({ category, weight }) => ({ category, weight }));
  }

  /** Its danger signals as stored (sealed), dismissed ones included; [] when none. */
  signalsOf(r: ConversationRecord): StoredSignal[] {
    return r.sealed.signals
      ? (JSON.parse(this.open(r.id, 'signals', r.sealed.signals)) as StoredSignal[])
      : [];
  }

  /**
   * Stores its danger signals, sealed; `highSignal` also sets the routing tier (a plain
   * flag, no category) in the same write.
   */
  async setSignals(id: string, signals: StoredSignal[], opts: { highSignal?: boolean } = {}): Promise<void> {
    const fields: Record<string, string> = { signals: this.seal(id, 'signals', JSON.stringify(signals)) };
    if (opts.highSignal) fields.signalTier = '1';
    await this.#redis.hset(this.keys.conversation(id), fields);
  }

  /** Seals a value for one field of a conversation. */
  seal(id: string, field: SealedField, plaintext: string, sender = ''): string {
    return this.#cipher.encrypt(plaintext, fieldBinding(id, field, sender));
  }

  open(id: string, field: SealedField, sealed: string, sender = ''): string {
    return this.#cipher.decrypt(sealed, fieldBinding(id, field, sender));
  }

  /** Stores a sealed tags, risk or acute field; `urgent` marks the conversation urgent in the same write. */
  async setSealed(
    id: string,
    field: 'tags' | 'risk' | 'acute',
    plaintext: string,
    opts: { urgent?: boolean } = {},
  ): Promise<void> {
    const name = field === 'tags' ? 'tagsEnc' : field;
    const fields: Record<string, string> = { [name]: this.seal(id, field, plaintext) };
    if (opts.urgent) fields.urgent = '1';
    await this.#redis.hset(this.keys.conversation(id), fields);
  }

  /**
   * Decrypted messages, oldest first: after `after` (exclusive) when given, and never any
   * up to `floor` (the visitor's last return-code redemption). A malformed `after` counts
   * as absent.
   */
  async messages(
    id: string,
    opts: { after?: string | undefined; floor?: string | undefined; forOperator: boolean },
  ): Promise<Message[]> {
    const bounds = [opts.after, opts.floor].filter((b): b is string => !!b && STREAM_ID.test(b));
    const from = bounds.sort(compareStreamIds).at(-1);
    const entries = await this.#redis.xrange(this.keys.messages(id), from ? `(${from}` : '-', '+');
    return entries.map(([messageId, kv]) => {
      const f = pairs(kv);
      const code = (f.f ?? 's') as SenderCode;
      const sender = fromCode[code] ?? 'system';
      const text = this.open(id, 'message', f.c ?? '', senderOf(code, f.o ?? ''));
      const m: Message = { messageId, from: sender, text, at: atOf(messageId) };
      if (opts.forOperator && sender === 'operator' && f.o) m.operatorId = f.o;
      return m;
    });
  }

  /** The id of the newest message, or '' when there is none. */
  async newestMessageId(id: string): Promise<string> {
    const newest = await this.#redis.xrevrange(this.keys.messages(id), '+', '-', 'COUNT', 1);
    return newest[0]?.[0] ?? '';
  }

  async notes(id: string): Promise<Note[]> {
    const entries = await this.#redis.xrange(this.keys.notes(id), '-', '+');
    return entries.map(([noteId, kv]) => {
      const f = pairs(kv);
      return {
        noteId,
        conversationId: id,
        operatorId: f.o ?? '',
        text: this.open(id, 'note', f.c ?? '', senderOf('o', f.o ?? '')),
        at: atOf(noteId),
      };
    });
  }

  /** Who may read a conversation: the operator who holds (or last held) it. */
  async lastOperatorOf(id: string): Promise<string | null> {
    return this.#redis.hget(this.keys.conversation(id), 'operatorId');
  }

  /** The visitor is back on a new socket: no longer away. */
  async attachVisitor(id: string, socketId: string): Promise<void> {
    await this.#redis.hset(this.keys.conversation(id), {
      vsock: socketId,
      away: '',
      awaySince: '',
      returnUntil: '',
    });
  }

  /**
   * Counts a supervisor reading along (or one stopping); never below zero. A conversation
   * already purged is left alone: a read-along may end long after it (the console closes).
   */
  async addWatcher(id: string, delta: 1 | -1): Promise<void> {
    await runScript(this.#redis, countWatcherScript, { conversation: this.keys.conversation(id) }, { delta });
  }

  /** Removes what is left of an ended conversation (retention). */
  async purge(id: string): Promise<void> {
    const k = this.keys;
    const r = await this.read(id);
    if (r && r.state !== 'ended') return;
    await this.#redis.del(
      k.conversation(id),
      k.messages(id),
      k.clientMessageIds(id),
      k.notes(id),
      k.endedAddress(id),
    );
    if (r?.operatorId) await this.#redis.zrem(k.operatorEnded(r.operatorId), id);
  }
}

function pairs(kv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < kv.length; i += 2) out[kv[i]!] = kv[i + 1]!;
  return out;
}

/** Visitors see only the operator's first name. */
export function firstName(displayName: string): string {
  return displayName.trim().split(/\s+/)[0] ?? '';
}
