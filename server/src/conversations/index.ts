export { Credentials } from './credentials.ts';
export { ConversationLifecycle, type Ended } from './lifecycle.ts';
export { VISITOR_PRESENCE_TTL_MS } from './resume.ts';
export {
  atOf,
  type ConversationRecord,
  ConversationStore,
  compareStreamIds,
  firstName,
  type SenderCode,
  type StoredSignal,
  senderOf,
} from './store.ts';
