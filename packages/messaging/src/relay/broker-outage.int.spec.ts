/**
 * Kafka goes away mid-stream (a scratch broker of this file's own, killed and restarted: the shared broker
 * serves other test files). The relay must report not-ready, hold its position with a bounded buffer, and
 * resume without losing or skipping an event; the consumer must resume too.
 */
import { parseDossierEvent } from '@onestop/domain';
import { postgresEventStore } from '@onestop/event-store';
import { useScratchKafka, useTestSchema } from '@onestop/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startKafkaConsumer } from '../consumer/kafka-consumer.js';
import {
  appendAll,
  createEffectsTable,
  createTestTopic,
  reconcile,
  recordEffect,
  registeredEvents,
  waitFor,
} from '../fixtures/dossier-events.js';
import { silentLogger } from '../logger.js';
import { startRelay } from './relay.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe('the relay and the consumer across a broker outage', () => {
  const scratch = useScratchKafka();
  const schema = useTestSchema('outage');

  it('given a stream in progress, when the broker is killed and restarted, then the relay is not ready meanwhile and every event is applied once', async () => {
    const { connectionString, schema: name } = schema.current;
    const brokers = scratch.current.brokers;
    const topic = await createTestTopic(brokers, 4);
    const store = postgresEventStore({ connectionString, schema: name });
    cleanups.push(() => store.close());
    await createEffectsTable(connectionString, name);
    const events = registeredEvents(1500, 100);

    const relay = startRelay({
      store,
      kafka: { brokers },
      source: 'intake',
      checkpointStore: { connectionString, schema: name },
      topic: topic.topic,
      batchSize: 50,
      maxBuffered: 200,
      backoff: { initialMs: 100, maxMs: 1_000 },
      logger: silentLogger,
    });
    cleanups.push(() => relay.stop());
    const consumer = await startKafkaConsumer({
      kafka: { brokers },
      groupId: `g-${topic.topic}`,
      topic: topic.topic,
      deadLetterTopic: topic.deadLetterTopic,
      database: { connectionString, schema: name },
      parse: parseDossierEvent,
      handler: recordEffect,
      heartbeatInterval: 500,
      sessionTimeout: 6_000,
      backoff: { initialMs: 100, maxMs: 1_000 },
      logger: silentLogger,
    });
    cleanups.push(() => consumer.stop());

    await appendAll(store, events.slice(0, 500));
    await waitFor('500 published', () => relay.metrics().published === 500);
    expect(relay.ready()).toBe(true);

    const t0 = Date.now();
    await scratch.current.kill();
    // Appends go on while Kafka is down: the store is the system of record, the relay only trails it.
    await appendAll(store, events.slice(500));
    await waitFor('the relay to notice', () => !relay.ready(), 15_000);
    const during = relay.metrics();
    expect(during.published).toBeLessThan(1500);
    expect(during.buffered).toBeLessThanOrEqual(200);
    expect(during.sendFailures).toBeGreaterThan(0);

    const t1 = Date.now();
    await scratch.current.start();
    const t2 = Date.now();
    await waitFor('1500 published', () => relay.metrics().published === 1500, 25_000);
    const t3 = Date.now();
    expect(relay.ready()).toBe(true);
    await waitFor(
      '1500 effects',
      async () => {
        const client = new pg.Client({ connectionString });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: string }>(`select count(*) as n from "${name}".effects`);
          return Number(rows[0]?.n) >= 1500;
        } finally {
          await client.end();
        }
      },
      25_000,
    );
    const figures = await reconcile(
      'broker outage',
      connectionString,
      name,
      events.map((e) => e.event.eventId),
      {
        publishedBeforeOutage: 500,
        publishedAtNotReady: during.published,
        bufferedAtNotReady: during.buffered,
        sendFailures: relay.metrics().sendFailures,
        consumerInfraRetries: consumer.metrics().infraRetries,
        downMs: t1 - t0,
        brokerStartMs: t2 - t1,
        relayCatchUpMs: t3 - t2,
        consumerCatchUpMs: Date.now() - t3,
      },
    );
    expect(figures).toMatchObject({ expected: 1500, rows: 1500, distinct: 1500, missing: 0, unexpected: 0 });
  });
});
