export * from './app.js';
export * from './dossier/view.js';
export * from './errors.js';
export * from './receive/reactor.js';
