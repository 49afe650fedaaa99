export { Presence } from './service.ts';
