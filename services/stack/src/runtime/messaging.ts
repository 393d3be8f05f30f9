/**
 * The messaging side of one service process in stack mode (DESIGN.md section 1): its relay (store → topic), its
 * Kafka consumer when it reacts to other services' events, their readiness checks, and their Prometheus gauges.
 */
import { type DossierEvent, defineError, parseDossierEvent } from '@onestop/domain';
import type { PostgresEventStore } from '@onestop/event-store';
import {
  consumerLag,
  DOSSIER_EVENTS_DLQ_TOPIC,
  DOSSIER_EVENTS_TOPIC,
  deadLetterCounts,
  type EventHandler,
  inDossierCatalogue,
  type KafkaConnection,
  type KafkaConsumerRunner,
  type MessagingLogger,
  type PgLocation,
  type Relay,
  relayLag,
  type SqlTransaction,
  startKafkaConsumer,
  startRelay,
  topicMessageCount,
  watermarkLagOf,
} from '@onestop/messaging';
import type { App, CloseHook } from '@onestop/service-kit';
import { Gauge } from 'prom-client';

export const MessagingNotReady = defineError<{ part: string }>('STACK_MESSAGING_NOT_READY', 'unavailable');

export interface ServiceConsumerOptions {
  /** The consumer group; also names the consumer's rows (inbox, offsets) in the service's schema. */
  readonly groupId: string;
  /** Where a group with no stored offsets starts (default: the beginning of the topic). */
  readonly fromBeginning?: boolean;
  readonly handler: EventHandler<DossierEvent>;
}

export interface ServiceMessagingOptions {
  readonly app: App;
  readonly store: PostgresEventStore;
  /** The service (`intake`, …): names the relay's checkpoint and the `source` header fallback. */
  readonly source: string;
  /** The service's database and schema: relay checkpoint, advisory lock and consumer bookkeeping live there. */
  readonly database: PgLocation;
  readonly kafka: KafkaConnection;
  readonly consumer?: ServiceConsumerOptions;
  readonly logger: MessagingLogger;
}

export interface ServiceMessaging {
  readonly relay: Relay;
  readonly consumer: KafkaConsumerRunner | undefined;
  /** Close hooks in opening order (`installShutdown` runs them in reverse: consumer, then relay). */
  readonly closeHooks: readonly CloseHook[];
}

/** A consumer handler running `reactors` in order on each event; the consumer's transaction is passed on. */
export function reactorsHandler(
  ...reactors: ReadonlyArray<(event: DossierEvent, tx: SqlTransaction) => Promise<void>>
): EventHandler<DossierEvent> {
  return async (event, tx) => {
    for (const react of reactors) await react(event, tx);
  };
}

export async function startServiceMessaging(options: ServiceMessagingOptions): Promise<ServiceMessaging> {
  const { app, store, source, database, kafka, logger } = options;
  const relay = startRelay({
    store,
    kafka: { ...kafka, clientId: `relay-${source}` },
    source,
    checkpointStore: database,
    // Only catalogue events leave the service; its bookkeeping events stay in its store.
    include: inDossierCatalogue,
    logger,
  });
  const closeHooks: CloseHook[] = [{ name: 'relay', close: () => relay.stop() }];
  app.addReadinessCheck('kafka-relay', async () => {
    if (!relay.ready()) {
      throw MessagingNotReady('the relay has not reached Kafka', { details: { part: 'relay' } });
    }
  });

  let consumer: KafkaConsumerRunner | undefined;
  if (options.consumer !== undefined) {
    const { groupId, fromBeginning = true, handler } = options.consumer;
    const runner = await startKafkaConsumer({
      kafka: { ...kafka, clientId: `consumer-${groupId}` },
      groupId,
      database,
      parse: parseDossierEvent,
      handler,
      fromBeginning,
      logger,
    });
    consumer = runner;
    closeHooks.push({ name: 'kafka-consumer', close: () => runner.stop() });
    app.addReadinessCheck('kafka-consumer', async () => {
      if (!runner.ready()) {
        throw MessagingNotReady('the consumer has not joined its group', { details: { part: 'consumer' } });
      }
    });
  }

  registerMessagingGauges(options, relay, consumer);
  return { relay, consumer, closeHooks };
}

/**
 * Gauges on the server's registry, measured when Prometheus scrapes (`collect`). A figure that cannot be
 * measured right now (Kafka down) keeps its last value and is logged, so one dead dependency does not fail
 * the whole scrape.
 */
function registerMessagingGauges(
  options: ServiceMessagingOptions,
  relay: Relay,
  consumer: KafkaConsumerRunner | undefined,
): void {
  const { app, store, source, database, kafka, logger } = options;
  const registers = [app.metrics];
  const measured = async (what: string, measure: () => Promise<void>) => {
    try {
      await measure();
    } catch (error) {
      logger.warn({ metric: what, error: String(error) }, 'metrics: measurement failed');
    }
  };

  new Gauge({
    name: 'onestop_relay_lag_events',
    help: 'Events in this service store not yet published to Kafka by the relay',
    registers,
    async collect() {
      await measured('relay lag', async () => {
        this.set((await relayLag({ store, checkpointStore: database, source })).pending);
      });
    },
  });
  new Gauge({
    name: 'onestop_relay_published_events',
    help: 'Events published by this process relay since it started',
    registers,
    collect() {
      this.set(relay.metrics().published);
    },
  });
  new Gauge({
    name: 'onestop_relay_leader',
    help: '1 when this process holds the relay lock of its store',
    registers,
    collect() {
      this.set(relay.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'onestop_watermark_lag_events',
    help: 'Committed events of this store held back from readers by an older open transaction',
    registers,
    async collect() {
      await measured('watermark lag', async () => {
        const lag = await watermarkLagOf(store);
        if (lag !== undefined) this.set(lag.pendingEvents);
      });
    },
  });
  new Gauge({
    name: 'onestop_dlq_messages',
    help: `Dead letters kept on ${DOSSIER_EVENTS_DLQ_TOPIC} (all consumers)`,
    registers,
    async collect() {
      await measured('dlq count', async () => {
        this.set(await topicMessageCount({ kafka, topic: DOSSIER_EVENTS_DLQ_TOPIC }));
      });
    },
  });
  if (consumer === undefined || options.consumer === undefined) return;
  const { groupId } = options.consumer;
  new Gauge({
    name: 'onestop_consumer_lag_messages',
    help: 'Messages of the dossier topic this service consumer has not applied yet (all partitions)',
    labelNames: ['group'] as const,
    registers,
    async collect() {
      await measured('consumer lag', async () => {
        const partitions = await consumerLag({ kafka, database, groupId, topic: DOSSIER_EVENTS_TOPIC });
        this.set(
          { group: groupId },
          partitions.reduce((sum, p) => sum + p.lag, 0),
        );
      });
    },
  });
  new Gauge({
    name: 'onestop_consumer_dead_letters',
    help: 'Dead letters this service consumer produced, by error code',
    labelNames: ['group', 'error_code'] as const,
    registers,
    async collect() {
      await measured('dead letters', async () => {
        const counts = await deadLetterCounts({ database, groupId });
        this.reset();
        for (const [code, n] of Object.entries(counts)) this.set({ group: groupId, error_code: code }, n);
      });
    },
  });
  new Gauge({
    name: 'onestop_consumer_applied_events',
    help: 'Events this process consumer applied since it started',
    labelNames: ['group'] as const,
    registers,
    collect() {
      this.set({ group: groupId }, consumer.metrics().applied);
    },
  });
}
