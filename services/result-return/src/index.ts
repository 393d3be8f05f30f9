export * from './app.js';
export { type DeskResults, deskResultsTable, WaitingResult } from './desk/table.js';
export * from './dossier/view.js';
export * from './errors.js';
export * from './receive/reactor.js';
