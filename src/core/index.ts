export * from './errors.ts';
export * from './random.ts';
export * from './stats.ts';
export * from './disclosure.ts';
export * from './cellkey.ts';
export * from './dates.ts';
