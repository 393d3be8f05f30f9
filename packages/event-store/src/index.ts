export * from './contract/validate-append.js';
export * from './embedded/index.js';
export * from './kurrent/index.js';
export * from './port.js';
export * from './postgres/index.js';
export * from './side-tables.js';
// The contract suite imports vitest, so it has its own entry point: `@onestop/event-store/contract`.
