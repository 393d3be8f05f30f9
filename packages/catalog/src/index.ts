export * from './catalog.js';
export * from './dates.js';
export * from './demo/index.js';
export * from './errors.js';
export * from './procedures.js';
export * from './search.js';
export * from './unit-events.js';
export * from './units.js';
