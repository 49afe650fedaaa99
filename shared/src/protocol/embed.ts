import type { languages } from './common.ts';

/**
 * The postMessage protocol between the loader on the host page and the chat app in its
 * iframe. Both sides pin the other's origin and check every message against the
 * definitions below; anything else is ignored.
 *
 * Each direction is declared once, as data (`chatToHostMessages`, `hostToChatMessages`).
 * Two checkers are built from each declaration:
 * - a `zod/mini` schema (`chatToHostMessageSchema`, `hostToChatMessageSchema`, in
 *   embed-schema.ts, so that importing this module brings no zod), used by the chat app
 *   and the tests;
 * - a compact type guard (`isEmbedMessage`), used by the loader, because the smallest
 *   `zod/mini` object schema alone weighs about 4.5 KB gzip, more than the loader's
 *   whole 4 KB budget. `embed.test.ts` proves the two accept exactly the same values.
 */

/**
 * Version tag carried in `sl` by every embed message, so that unrelated `message`
 * events (analytics, other widgets) are told apart at once.
 * @default 1
 */
export const EMBED_VERSION = 1;

/**
 * `languages` from `common.ts`, repeated here so that the loader does not pull in full
 * zod. Typed as `typeof languages`, so the two cannot drift apart without a compile error.
 */
export const embedLanguages: typeof languages = ['nl', 'en', 'ar', 'tr', 'pl'];
export type EmbedLanguage = (typeof embedLanguages)[number];

/** A message declaration: each extra field and the string values it may take. */
export type FieldsSpec = Readonly<Record<string, readonly [string, ...string[]]>>;
export type MessagesSpec = Readonly<Record<string, FieldsSpec>>;

/** The message type a declaration describes: `{ sl: 1, type, ...fields }`, a union over `type`. */
export type EmbedMessageOf<S extends MessagesSpec> = {
  [T in keyof S & string]: { sl: typeof EMBED_VERSION; type: T } & {
    -readonly [F in keyof S[T]]: S[T][F][number];
  };
}[keyof S & string];

/**
 * Chat app → loader.
 * - `ready`: the app has started; the loader moves focus into the frame.
 * - `quick-exit`: the app has blanked itself and told the server; the loader blanks the
 *   host page and replaces the top window's address. It is also the app's answer to the
 *   loader's own `quick-exit`.
 * - `minimize`: the visitor hid the chat panel (the conversation keeps running).
 * - `language`: the visitor switched language; the loader relabels its controls.
 *
 * @example { sl: 1, type: 'language', language: 'ar' }
 */
export const chatToHostMessages = {
  ready: {},
  'quick-exit': {},
  minimize: {},
  language: { language: embedLanguages },
} as const satisfies MessagesSpec;
export type ChatToHostMessage = EmbedMessageOf<typeof chatToHostMessages>;

/**
 * Loader → chat app.
 * - `quick-exit`: the visitor left from the host page; the app blanks itself, tells the
 *   server (`chat:leave { reason: 'quick-exit' }`) and answers with `quick-exit`.
 *
 * (A host page restored from the back/forward cache needs no message: the loader drops
 * the frame, and a new one starts empty.)
 *
 * @example { sl: 1, type: 'quick-exit' }
 */
export const hostToChatMessages = {
  'quick-exit': {},
} as const satisfies MessagesSpec;
export type HostToChatMessage = EmbedMessageOf<typeof hostToChatMessages>;

/**
 * The compact checker: true when `data` is exactly one of the declared messages (a plain
 * object with `sl`, a declared `type`, each declared field with an allowed value, and
 * no other own property).
 *
 * @example isEmbedMessage(chatToHostMessages, event.data)
 */
export function isEmbedMessage<S extends MessagesSpec>(spec: S, data: unknown): data is EmbedMessageOf<S> {
  if (typeof data !== 'object' || data === null || Object.getPrototypeOf(data) !== Object.prototype) {
    return false;
  }
  const record = data as Record<string, unknown>;
  const type = record.type;
  if (record.sl !== EMBED_VERSION || typeof type !== 'string' || !Object.hasOwn(spec, type)) return false;
  const fields: FieldsSpec = spec[type]!;
  const keys = Object.keys(record);
  return (
    keys.length === Object.keys(fields).length + 2 &&
    keys.every(
      (key) =>
        key === 'sl' ||
        key === 'type' ||
        (Object.hasOwn(fields, key) && (fields[key] as readonly unknown[]).includes(record[key])),
    )
  );
}
