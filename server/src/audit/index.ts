export { AuditLog, auditEntryVisible } from './log.ts';
