export * from './errors.js';
export * from './filesystem.js';
export * from './port.js';
export * from './sniff.js';
