export { InvalidCheckpoint } from './checkpoint.js';
export {
  type EmbeddedEventStore,
  type EmbeddedEventStoreOptions,
  type EmbeddedTransaction,
  embeddedEventStore,
  type SqlResult,
  type SqlRow,
} from './embedded-event-store.js';
