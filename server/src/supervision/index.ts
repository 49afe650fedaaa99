export { forBulkView, Supervision } from './service.ts';
