export * from './runtime/env.js';
export * from './runtime/logger.js';
export * from './runtime/messaging.js';
