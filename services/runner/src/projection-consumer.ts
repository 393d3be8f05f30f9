/**
 * The projection in embedded mode: a second store consumer, beside the bus, with its own checkpoint. Each
 * event's read-model effects and the checkpoint commit in one SQLite transaction (exactly-once effect, as the
 * Kafka consumer's inbox + offsets give in stack mode). Its own consumer, so a slow or failing read model never
 * holds back the reactors that move dossiers on.
 */
import type { Catalog } from '@onestop/catalog';
import type { Calendar } from '@onestop/domain';
import type { EmbeddedEventStore } from '@onestop/event-store';
import { type MessagingLogger, type StoreConsumerRunner, startStoreConsumer } from '@onestop/messaging';
import { createProjectionHandler } from '@onestop/projection';
import { type BusStatus, consumerStatus, parseBusMessage } from './bus.js';

/** The checkpoint name of the projection's consumer (a replay moves it when it switches generations). */
export const PROJECTION_CONSUMER = 'projection';

export interface ProjectionConsumer {
  status(): Promise<BusStatus>;
  stop(): Promise<void>;
  readonly runner: StoreConsumerRunner;
}

export function startProjectionConsumer(deps: {
  readonly store: EmbeddedEventStore;
  readonly catalog: Catalog;
  readonly calendar: Calendar;
  readonly logger: MessagingLogger;
}): ProjectionConsumer {
  const handler = createProjectionHandler({ catalog: deps.catalog, calendar: deps.calendar });
  const runner = startStoreConsumer({
    store: deps.store,
    name: PROJECTION_CONSUMER,
    parse: parseBusMessage,
    logger: deps.logger,
    handler: async (message, tx) => {
      // Intake's bookkeeping events (codes drawn, idempotency keys) are no dossier's history.
      if (message.kind === 'dossier') await handler(message.event, tx);
    },
  });
  return { runner, status: () => consumerStatus(deps.store, runner), stop: () => runner.stop() };
}
