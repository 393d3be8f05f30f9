/**
 * Stack-mode composition root, the only file that reads the environment: consumes the dossier topic into the
 * read models (effects, inbox and offsets in one PostgreSQL transaction) and serves the KPI routes.
 */
import { demoCatalog } from '@onestop/catalog';
import { defineError, parseDossierEvent } from '@onestop/domain';
import { startKafkaConsumer } from '@onestop/messaging';
import {
  authConfigFromEnv,
  authEnvShape,
  createTestClock,
  DEFAULT_PUBLIC_RATE_LIMIT,
  installShutdown,
  loadConfig,
  systemClock,
} from '@onestop/service-kit';
import { z } from 'zod';
import { buildApp } from './app.js';
import { createProjectionHandler } from './read-model/handler.js';
import { postgresProjectionDatabase } from './read-model/postgres.js';
import { migrateProjection } from './read-model/tables.js';

const config = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3005),
    // As every service: all interfaces by default (containers), loopback when the stack launcher says so.
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url(),
    PROJECTION_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional(),
    // What the stack launcher sets (its schema prefix and consumer group, and where a new group starts).
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('projection'),
    KAFKA_GROUP_ID: z.string().min(1).default('projection'),
    KAFKA_FROM_BEGINNING: z.enum(['0', '1']).default('1'),
    KAFKA_BROKERS: z.string().min(1),
    ONESTOP_TEST_CLOCK: z.enum(['0', '1']).default('0'),
    // The key intake prints receipts' tracking secrets with; unset, public tracking finds nothing.
    ONESTOP_TRACKING_KEY: z.string().min(32).optional(),
    // Proxies in front whose X-Forwarded-For entries the public rate limit trusts (1 behind the stack gateway).
    ONESTOP_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    ...authEnvShape,
  }),
);

const schema = config.PROJECTION_SCHEMA ?? config.DATABASE_SCHEMA;
const db = await postgresProjectionDatabase({ connectionString: config.DATABASE_URL, schema });
await migrateProjection(db);

const consumer = await startKafkaConsumer({
  kafka: { brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()), clientId: 'projection' },
  groupId: config.KAFKA_GROUP_ID,
  fromBeginning: config.KAFKA_FROM_BEGINNING === '1',
  database: { connectionString: config.DATABASE_URL, schema },
  parse: parseDossierEvent,
  handler: createProjectionHandler({ catalog: demoCatalog, schema }),
});

const testClock = config.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const app = await buildApp(
  {
    db,
    clock: testClock ?? systemClock,
    catalog: demoCatalog,
    trackingKey: config.ONESTOP_TRACKING_KEY,
    publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, trustedProxyHops: config.ONESTOP_TRUSTED_PROXY_HOPS },
  },
  { auth: authConfigFromEnv(config) },
);
if (testClock !== undefined) {
  // Never in production: sets the business time of this process (DESIGN.md section 5, test clock).
  app.post(
    '/v1/dev/clock',
    { config: { public: true }, schema: { body: z.object({ now: z.iso.datetime({ offset: true }) }) } },
    async (request) => {
      testClock.set(new Date(request.body.now));
      return { now: testClock.now().toISOString() };
    },
  );
}
// Ready once the consumer has joined its group: a stack started at the topic's end misses nothing after that.
const ConsumerNotReady = defineError('PROJ_CONSUMER_NOT_READY', 'unavailable');
app.addReadinessCheck('kafka-consumer', async () => {
  if (!consumer.ready()) throw ConsumerNotReady('the projection consumer has not joined its group');
});
installShutdown(app, {
  onClose: [
    { name: 'kafka consumer', close: () => consumer.stop() },
    { name: 'database', close: () => db.close() },
  ],
});
await app.listen({ port: config.PORT, host: config.HOST });
