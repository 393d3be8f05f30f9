export * from './env.js';
export * from './kafka.js';
export * from './postgres.js';
