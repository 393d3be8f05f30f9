export * from './dossier-code.js';
export * from './errors.js';
export * from './validation.js';
