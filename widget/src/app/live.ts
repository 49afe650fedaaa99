/**
 * What only a conversation needs, in a chunk of its own that the app fetches right after
 * the start screen is up (live-loader.ts): socket.io-client, zod/mini with the
 * loader's message schema, and the conversation screen. Together they were more than half
 * of the app's JavaScript, and a slow phone's start screen waited for them
 * (scripts/bench/widget.ts).
 */
import './zod-config.ts';
import { hostToChatMessageSchema } from '@stille-lijn/shared/embed-schema';
import { z } from 'zod/mini';

export { io } from 'socket.io-client';
export { ConversationScreen } from './ui/ConversationScreen.tsx';

/** True when `data` is the loader's `quick-exit`, by the shared zod schema. */
export function isHostQuickExit(data: unknown): boolean {
  const parsed = z.safeParse(hostToChatMessageSchema, data);
  return parsed.success && parsed.data.type === 'quick-exit';
}
