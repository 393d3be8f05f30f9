export * from './app.js';
export { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';
export * from './dossier/view.js';
export * from './errors.js';
