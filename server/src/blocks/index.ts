export { type BlockInfo, Blocks } from './service.ts';
