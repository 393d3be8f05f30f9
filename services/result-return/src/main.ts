/**
 * Stack mode: the result-return service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds `receiveResultOnResultSentToDesk` from the dossier topic.
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
import { receiveResultOnResultSentToDesk } from './receive/reactor.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3004, schema: 'result_return' }),
    ...stackConsumerEnvShape({ groupId: 'result-return' }),
  }),
);

const logger = serviceLogger(env.LOG_LEVEL);
const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
const store = postgresEventStore(database);
await store.ready();
const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const app = await buildApp(
  { store, clock, ids: uuidv7Ids, catalog: demoCatalog },
  { auth: authConfigFromEnv(env), logger },
);
if (testClock !== undefined) await registerTestClock(app, testClock);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('return-readiness', { maxCount: 1 });
});
// The reactor appends to the store on its own connection (not the consumer's transaction): it is idempotent,
// and the consumer's inbox already drops redelivered event ids.
const messaging = await startServiceMessaging({
  app,
  store,
  source: 'result-return',
  database,
  kafka: { brokers: env.KAFKA_BROKERS },
  consumer: {
    groupId: env.KAFKA_GROUP_ID,
    fromBeginning: env.KAFKA_FROM_BEGINNING === '1',
    handler: reactorsHandler((event) => receiveResultOnResultSentToDesk(event, { store, ids: uuidv7Ids })),
  },
  logger,
});
installShutdown(app, {
  onClose: [{ name: 'event-store', close: () => store.close() }, ...messaging.closeHooks],
});
await app.listen({ port: env.PORT, host: env.HOST });
