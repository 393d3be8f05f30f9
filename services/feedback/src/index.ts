export * from './app.js';
export * from './errors.js';
export * from './filer/vault.js';
export * from './read/view.js';
export * from './records/tables.js';
export * from './subject/reactor.js';
