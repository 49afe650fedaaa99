export { QueueView } from './queue-view.ts';
export {
  OPERATOR_PRESENCE_TTL_MS,
  type OperatorOnRoute,
  type OperatorRef,
  type OperatorState,
  Roster,
} from './roster.ts';
export { type AssignedView, Router, routingScore, SIGNAL_OFFSET, today, URGENT_OFFSET } from './router.ts';
export { Waiters } from './waiters.ts';
