export { assertHolder, MessageService, type Stored } from './service.ts';
