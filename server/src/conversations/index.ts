export { ConversationLifecycle, type Ended } from './lifecycle.ts';
export {
  atOf,
  type ConversationRecord,
  ConversationStore,
  compareStreamIds,
  firstName,
  type SenderCode,
  senderOf,
} from './store.ts';
