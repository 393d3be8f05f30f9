export * from './clock/index.js';
export * from './deciders/index.js';
export * from './dossier-code.js';
export * from './errors.js';
export * from './events/index.js';
export * from './tracking.js';
export * from './validation.js';
