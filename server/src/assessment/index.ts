export { Assessment } from './service.ts';
