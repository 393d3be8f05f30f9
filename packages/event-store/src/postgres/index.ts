export { migrate, migrations } from './migrations.js';
export {
  type PostgresEventStore,
  type PostgresEventStoreOptions,
  type PostgresTransaction,
  postgresEventStore,
  type WatermarkLag,
} from './postgres-event-store.js';
