export { forBulkView, OVERVIEW_AUDIT_WINDOW_MS, Supervision } from './service.ts';
