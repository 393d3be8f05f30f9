export * from './decider.js';
export * from './digitization.js';
export * from './errors.js';
export * from './intake.js';
export * from './lifecycle.js';
export * from './processing.js';
export * from './result-return.js';
export * from './spec.js';
