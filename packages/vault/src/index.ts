export * from './crypto.js';
export * from './port.js';
export * from './postgres.js';
export * from './query.js';
export * from './sqlite.js';
