export * from './common.ts';
export * from './http.ts';
export * from './operator.ts';
export * from './visitor.ts';
