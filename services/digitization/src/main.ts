/**
 * Stack mode: the digitization service alone, on PostgreSQL + Kafka, with documents on a local or mounted
 * directory. The only file that reads the environment.
 */
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
import { serviceLogger, stackServiceEnvShape, startServiceMessaging } from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';
import { filesystemDocumentStorage } from './storage/filesystem.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3002, schema: 'digitization' }),
    DOCUMENTS_DIR: z.string().min(1).default('.data/documents'),
    MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DOCUMENT_BYTES),
  }),
);

const logger = serviceLogger(env.LOG_LEVEL);
const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
const store = postgresEventStore(database);
await store.ready();
const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const app = await buildApp(
  {
    store,
    clock,
    ids: uuidv7Ids,
    storage: filesystemDocumentStorage({ root: env.DOCUMENTS_DIR }),
    maxDocumentBytes: env.MAX_DOCUMENT_BYTES,
  },
  { auth: authConfigFromEnv(env), logger },
);
if (testClock !== undefined) await registerTestClock(app, testClock);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('digitization-readiness', { maxCount: 1 });
});
// Digitization reacts to no other service: a relay only.
const messaging = await startServiceMessaging({
  app,
  store,
  source: 'digitization',
  database,
  kafka: { brokers: env.KAFKA_BROKERS },
  logger,
});
installShutdown(app, {
  onClose: [{ name: 'event-store', close: () => store.close() }, ...messaging.closeHooks],
});
await app.listen({ port: env.PORT, host: env.HOST });
