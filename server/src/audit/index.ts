export { ACTION_BUDGET_PER_HOUR, ActionBudget, type HourlyLimit } from './budget.ts';
export { AUDIT_MAX_ENTRIES, AuditLog, LOOK_BUDGET_PER_HOUR, LOOK_REPEAT_WINDOW_MS } from './log.ts';
export { amsterdamMidnight } from './routes.ts';
