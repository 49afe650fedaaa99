import { luaScript } from '../redis/scripts.ts';

export type AppendStatus =
  | 'ok'
  | 'duplicate'
  | 'not_found'
  | 'ended'
  | 'forbidden'
  | 'rate_limited'
  | 'too_large';

export const appendMessageScript = luaScript({
  file: new URL('./lua/append-message.lua', import.meta.url),
  keys: ['conversation', 'messages', 'clientMessageIds'],
  args: [
    'from',
    'operatorId',
    'sealed',
    'clientMessageId',
    'now',
    'bytes',
    'waitingCap',
    'byteCap',
    'messageCap',
  ],
  decode: (r) => {
    const [status, messageId, operatorId, state, watchers, relayed, visitorFloor] = (
      r as (string | null)[]
    ).map((v) => v ?? '');
    return {
      status: status as AppendStatus,
      messageId: messageId ?? '',
      operatorId: operatorId ?? '',
      state: state ?? '',
      watched: Number(watchers ?? 0) > 0,
      /** A resend: the first write's relay ran (its mark is set). */
      relayed: relayed === '1',
      /** The conversation's last return-code redemption's newest message ('' if none), when this ran. */
      visitorFloor: visitorFloor ?? '',
    };
  },
});

/** The field of the client message ids hash that marks a message relayed ('>' is no id character). */
export const relayedField = (clientMessageId: string) => `>${clientMessageId}`;

/**
 * Writes a batch of relayed marks (`MessageService` flushes them a few milliseconds after
 * the relays), for each conversation only while its hash of client message ids still
 * exists. `marks`: per key, the number of its fields, then the fields (`MessageService.flushMarks`).
 */
export const markRelayedScript = luaScript({
  file: new URL('./lua/mark-relayed.lua', import.meta.url),
  keys: ['...clientMessageIds'],
  args: ['...marks'],
  decode: (r) => Number(r),
});

export const addNoteScript = luaScript({
  file: new URL('./lua/add-note.lua', import.meta.url),
  keys: ['conversation', 'notes', 'clientIds', 'audit'],
  args: ['conversationId', 'operatorId', 'sealed', 'clientNoteId', 'auditMax', 'bytes', 'noteCap', 'byteCap'],
  decode: (r) => {
    const [status, noteId] = (r as (string | null)[]).map((v) => v ?? '');
    return { status: status as 'ok' | 'duplicate' | 'not_found' | 'too_large', noteId: noteId ?? '' };
  },
});
