export * from './app.js';
export { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';
export {
  type ReceivedDossiers,
  receivedDossiersTable as digitizationReceivedTable,
} from './dossier/received.js';
export * from './dossier/view.js';
export * from './errors.js';
