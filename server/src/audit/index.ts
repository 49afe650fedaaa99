export { AUDIT_MAX_ENTRIES, AuditLog } from './log.ts';
export { amsterdamMidnight } from './routes.ts';
