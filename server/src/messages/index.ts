export { assertHolder, MAX_NOTE_BYTES, MAX_NOTES, MessageService, type Stored } from './service.ts';
