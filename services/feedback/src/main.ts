/**
 * Stack mode: the feedback service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds `rememberFeedbackSubjectOnDossierReceived` from the dossier topic (dossier subjects).
 */
import { demoCatalog } from '@onestop/catalog';
import { vnCivilServiceCalendar } from '@onestop/domain';
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
import { feedbackDossiersTable, type SqlTransaction } from './records/tables.js';
import { rememberFeedbackSubjectOnDossierReceived } from './subject/reactor.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3006, schema: 'feedback' }),
    ...stackConsumerEnvShape({ groupId: 'feedback' }),
  }),
);

const logger = serviceLogger(env.LOG_LEVEL);
const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
const store = postgresEventStore(database);
await store.ready();
const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const dossiers = feedbackDossiersTable(store);
// Created before the consumer starts, so its first transaction only writes rows.
await dossiers.ready();
const app = await buildApp(
  { store, clock, ids: uuidv7Ids, catalog: demoCatalog, calendar: vnCivilServiceCalendar, dossiers },
  { auth: authConfigFromEnv(env), logger },
);
if (testClock !== undefined) await registerTestClock(app, testClock);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('feedback-readiness', { maxCount: 1 });
});

/** The dossiers table in the consumer's transaction: a remembered receipt commits with the inbox row and offset. */
const dossiersIn = (tx: SqlTransaction) =>
  feedbackDossiersTable({ schema: store.schema, withTransaction: (work) => work(tx) });

const messaging = await startServiceMessaging({
  app,
  store,
  source: 'feedback',
  database,
  kafka: { brokers: env.KAFKA_BROKERS },
  consumer: {
    groupId: env.KAFKA_GROUP_ID,
    fromBeginning: env.KAFKA_FROM_BEGINNING === '1',
    handler: reactorsHandler((event, tx) =>
      rememberFeedbackSubjectOnDossierReceived(event, { dossiers: dossiersIn(tx) }),
    ),
  },
  logger,
});
installShutdown(app, {
  onClose: [{ name: 'event-store', close: () => store.close() }, ...messaging.closeHooks],
});
await app.listen({ port: env.PORT, host: env.HOST });
