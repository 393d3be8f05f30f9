/**
 * Stack mode: the processing service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds the reactors `rememberDossierOnDossierReceived`, `rememberWithdrawalOnDossierWithdrawn` and
 * `openCaseOnDossierTransferred` from the dossier topic.
 */
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import {
  authConfigFromEnv,
  type Clock,
  createTestClock,
  installShutdown,
  loadConfig,
  registerTestClock,
  systemClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import {
  reactorsHandler,
  serviceLogger,
  stackConsumerEnvShape,
  stackServiceEnvShape,
  startServiceMessaging,
} from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { openCaseOnDossierTransferred } from './open-case/reactor.js';
import {
  rememberDossierOnDossierReceived,
  rememberWithdrawalOnDossierWithdrawn,
} from './received/reactors.js';
import { receivedDossiersTable, type SqlTransaction } from './received/received-dossiers.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3003, schema: 'processing' }),
    ...stackConsumerEnvShape({ groupId: 'processing' }),
  }),
);

const logger = serviceLogger(env.LOG_LEVEL);
const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
const store = postgresEventStore(database);
await store.ready();
const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const received = receivedDossiersTable(store);
// Created before the consumer starts, so its first transaction only writes rows.
await received.find('00000000-0000-7000-8000-000000000000');
const app = await buildApp(
  { store, clock, ids: uuidv7Ids, catalog: demoCatalog, received },
  { auth: authConfigFromEnv(env), logger },
);
if (testClock !== undefined) await registerTestClock(app, testClock);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('processing-readiness', { maxCount: 1 });
});

/**
 * The received-dossiers table as seen from the consumer's transaction: what the reactors remember commits with
 * the consumer's inbox row and offset (exactly once). Opening the case appends to the store on its own
 * connection; a redelivery is harmless there because OpenCase is idempotent.
 */
const receivedIn = (tx: SqlTransaction) =>
  receivedDossiersTable({ schema: store.schema, withTransaction: (work) => work(tx) });

const messaging = await startServiceMessaging({
  app,
  store,
  source: 'processing',
  database,
  kafka: { brokers: env.KAFKA_BROKERS },
  consumer: {
    groupId: env.KAFKA_GROUP_ID,
    fromBeginning: env.KAFKA_FROM_BEGINNING === '1',
    handler: reactorsHandler(
      (event, tx) => rememberDossierOnDossierReceived(event, { received: receivedIn(tx) }),
      (event, tx) => rememberWithdrawalOnDossierWithdrawn(event, { received: receivedIn(tx) }),
      (event, tx) =>
        openCaseOnDossierTransferred(event, {
          store,
          ids: uuidv7Ids,
          catalog: demoCatalog,
          received: receivedIn(tx),
        }),
    ),
  },
  logger,
});
installShutdown(app, {
  onClose: [{ name: 'event-store', close: () => store.close() }, ...messaging.closeHooks],
});
await app.listen({ port: env.PORT, host: env.HOST });
