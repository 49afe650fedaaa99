export { ConversationLifecycle, type Ended } from './lifecycle.ts';
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
