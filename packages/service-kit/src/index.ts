export * from './auth.js';
export * from './config.js';
export * from './docs.js';
export * from './errors.js';
export * from './health.js';
export * from './metrics.js';
export * from './server.js';
export * from './shutdown.js';
