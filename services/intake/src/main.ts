/** Stack mode: the intake service in its own process on PostgreSQL + Kafka. The only file that reads the environment. */
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
import { serviceLogger, stackServiceEnvShape, startServiceMessaging } from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { createPseudonyms, parseMasterKey } from './vault/crypto.js';
import { postgresPersonalDataVault } from './vault/postgres-vault.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3001, schema: 'intake' }),
    ONESTOP_VAULT_MASTER_KEY: z.string().min(1).describe('32 bytes, base64'),
    ONESTOP_TRACKING_KEY: z
      .string()
      .min(32)
      .optional()
      .describe('key of the receipts’ tracking secrets, shared with the projection; unset: none printed'),
  }),
);

const logger = serviceLogger(env.LOG_LEVEL);
const masterKey = parseMasterKey(env.ONESTOP_VAULT_MASTER_KEY);
const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
const store = postgresEventStore(database);
await store.ready();
const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const vault = postgresPersonalDataVault({ db: store, masterKey, clock });
await vault.ready();

const app = await buildApp(
  {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    vault,
    pseudonyms: createPseudonyms(masterKey),
    trackingKey: env.ONESTOP_TRACKING_KEY,
  },
  { auth: authConfigFromEnv(env), logger },
);
if (testClock !== undefined) await registerTestClock(app, testClock);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('readiness-probe', { maxCount: 1 });
});
// Intake reacts to no other service: a relay only (its code draws and idempotency claims stay in the store).
const messaging = await startServiceMessaging({
  app,
  store,
  source: 'intake',
  database,
  kafka: { brokers: env.KAFKA_BROKERS },
  logger,
});
installShutdown(app, {
  onClose: [{ name: 'event-store', close: () => store.close() }, ...messaging.closeHooks],
});
await app.listen({ port: env.PORT, host: env.HOST });
