import { z } from 'zod/mini';
import {
  chatToHostMessages,
  EMBED_VERSION,
  type EmbedMessageOf,
  hostToChatMessages,
  type MessagesSpec,
} from './embed.ts';

/**
 * The `zod/mini` schemas of the embed messages declared in embed.ts. A module of their
 * own, so that embed.ts brings no zod: the chat app needs the schemas only in its lazily
 * loaded chunk (widget/src/app/live.ts), and the loader not at all.
 */

/** Builds the `zod/mini` schema of a declaration: a strict object per `type`. */
function schemaOf<S extends MessagesSpec>(spec: S): z.ZodMiniType<EmbedMessageOf<S>> {
  const options = Object.entries(spec).map(([type, fields]) =>
    z.strictObject({
      sl: z.literal(EMBED_VERSION),
      type: z.literal(type),
      ...Object.fromEntries(Object.entries(fields).map(([key, values]) => [key, z.enum(values)])),
    }),
  );
  return z.union(options) as unknown as z.ZodMiniType<EmbedMessageOf<S>>;
}

/** `zod/mini` schema of chat app → loader messages. */
export const chatToHostMessageSchema = /* @__PURE__ */ schemaOf(chatToHostMessages);
/** `zod/mini` schema of loader → chat app messages. */
export const hostToChatMessageSchema = /* @__PURE__ */ schemaOf(hostToChatMessages);
