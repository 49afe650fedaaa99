export { OnCall, type Page, type PageKind } from './service.ts';
