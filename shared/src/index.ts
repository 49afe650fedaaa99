export * from './domain/signals/categories.ts';
export * from './errors.ts';
export * from './protocol/index.ts';
export * from './rest/index.ts';
