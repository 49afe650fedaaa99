export { Shift } from './service.ts';
