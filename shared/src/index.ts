export * from './errors.ts';
export * from './protocol/index.ts';
