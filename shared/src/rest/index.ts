/**
 * The REST contract: request and response schemas of every `/api` route. The server
 * serves them with `fastify-type-provider-zod`; the console parses every answer with them.
 */
export * from './admin.ts';
export * from './audit.ts';
export * from './auth.ts';
export * from './blocks.ts';
export * from './canned.ts';
export * from './common.ts';
export * from './conversations.ts';
export * from './lines.ts';
export * from './reports.ts';
export * from './schema.ts';
export * from './stats.ts';
export * from './supervision.ts';
export * from './widget-line.ts';
