/**
 * What every command service's `main.ts` does in stack mode, once: its PostgreSQL store, business clock (the test
 * clock with ONESTOP_TEST_CLOCK=1), server, readiness, relay and optional consumer, graceful shutdown, listen.
 * The `main.ts` keeps what is its own: reading the environment and building its app and reactors.
 */

import type { DossierEvent } from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import type { EventHandler } from '@onestop/messaging';
import {
  type App,
  type AuthConfig,
  type AuthEnv,
  authConfigFromEnv,
  type Clock,
  type CloseHook,
  createTestClock,
  installShutdown,
  registerTestClock,
  systemClock,
} from '@onestop/service-kit';
import type { pino } from 'pino';
import { serviceLogger } from './logger.js';
import { startServiceMessaging } from './messaging.js';

/**
 * The parsed stack environment (`stackServiceEnvShape`, plus `stackConsumerEnvShape` for consumers); its auth part
 * (dev secret, or an identity provider's key set, issuer, audience and claim names) is `AuthEnv`.
 */
export interface StackServiceEnv extends AuthEnv {
  readonly PORT: number;
  readonly HOST: string;
  readonly DATABASE_URL: string;
  readonly DATABASE_SCHEMA: string;
  readonly KAFKA_BROKERS: string[];
  readonly ONESTOP_TEST_CLOCK: '0' | '1';
  readonly LOG_LEVEL: string;
  readonly KAFKA_GROUP_ID?: string;
  readonly KAFKA_FROM_BEGINNING?: '0' | '1';
}

export interface StackServiceContext {
  readonly store: PostgresEventStore;
  readonly clock: Clock;
  readonly logger: pino.Logger;
  readonly auth: AuthConfig;
}

export interface StackServiceOptions {
  /** The service (`intake`, …): its relay's checkpoint name and the `source` of its events. */
  readonly source: string;
  readonly env: StackServiceEnv;
  /** Builds the service's app from the shared pieces (after the store is migrated and ready). */
  readonly buildApp: (context: StackServiceContext) => Promise<App>;
  /** The service's reactors, for services that consume the topic. */
  readonly consumer?: (context: StackServiceContext) => EventHandler<DossierEvent>;
  /** More resources to close on shutdown (closed before the store). */
  readonly onClose?: readonly CloseHook[];
}

export async function runStackService(options: StackServiceOptions): Promise<App> {
  const { env, source } = options;
  const logger = serviceLogger(env.LOG_LEVEL);
  const database = { connectionString: env.DATABASE_URL, schema: env.DATABASE_SCHEMA };
  const store = postgresEventStore(database);
  await store.ready();
  const testClock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
  const context: StackServiceContext = {
    store,
    clock: testClock ?? systemClock,
    logger,
    auth: authConfigFromEnv(env),
  };
  const app = await options.buildApp(context);
  if (testClock !== undefined) await registerTestClock(app, testClock);
  app.addReadinessCheck('event-store', async () => {
    await store.readStream(`${source}-readiness`, { maxCount: 1 });
  });
  const consumer = options.consumer?.(context);
  const messaging = await startServiceMessaging({
    app,
    store,
    source,
    database,
    kafka: { brokers: env.KAFKA_BROKERS },
    ...(consumer === undefined
      ? {}
      : {
          consumer: {
            groupId: env.KAFKA_GROUP_ID ?? source,
            fromBeginning: env.KAFKA_FROM_BEGINNING !== '0',
            handler: consumer,
          },
        }),
    logger,
  });
  installShutdown(app, {
    onClose: [
      { name: 'event-store', close: () => store.close() },
      ...(options.onClose ?? []),
      ...messaging.closeHooks,
    ],
  });
  await app.listen({ port: env.PORT, host: env.HOST });
  return app;
}
