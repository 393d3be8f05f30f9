/**
 * The relay against the real PostgreSQL store and the shared broker (each test on a topic of its own). Every
 * test ends with the reconciliation: a Kafka consumer applies the topic into an effects table, and each event
 * must be there exactly once.
 */
import { parseDossierEvent } from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import { createTestSchema, kafkaBrokers, type TestSchema } from '@onestop/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type KafkaConsumerRunner, startKafkaConsumer } from '../consumer/kafka-consumer.js';
import { inDossierCatalogue } from '../envelope.js';
import { spawnFixture } from '../fixtures/child.js';
import {
  appendAll,
  createEffectsTable,
  createTestTopic,
  reconcile,
  recordEffect,
  registeredEvents,
  type TestTopic,
  uuidv7,
  waitFor,
} from '../fixtures/dossier-events.js';
import { silentLogger } from '../logger.js';
import { topicMessageCount } from '../metrics.js';
import { type Relay, startRelay } from './relay.js';
import { relayLag, resetRelayCheckpoint } from './tools.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setup(partitions = 6) {
  const schema: TestSchema = await createTestSchema('relay');
  cleanups.push(() => schema.drop());
  const topic: TestTopic = await createTestTopic(kafkaBrokers(), partitions);
  cleanups.push(() => topic.drop());
  const store: PostgresEventStore = postgresEventStore({
    connectionString: schema.connectionString,
    schema: schema.schema,
  });
  cleanups.push(() => store.close());
  await createEffectsTable(schema.connectionString, schema.schema);
  return { schema, topic, store };
}

function relayOn(
  ctx: Awaited<ReturnType<typeof setup>>,
  extra: Partial<Parameters<typeof startRelay>[0]> = {},
): Relay {
  const relay = startRelay({
    store: ctx.store,
    kafka: { brokers: kafkaBrokers() },
    source: 'intake',
    checkpointStore: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
    topic: ctx.topic.topic,
    batchSize: 100,
    lockPollMs: 100,
    logger: silentLogger,
    ...extra,
  });
  cleanups.push(() => relay.stop());
  return relay;
}

async function consumerOn(ctx: Awaited<ReturnType<typeof setup>>): Promise<KafkaConsumerRunner> {
  const consumer = await startKafkaConsumer({
    kafka: { brokers: kafkaBrokers() },
    groupId: `g-${ctx.topic.topic}`,
    topic: ctx.topic.topic,
    database: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
    parse: parseDossierEvent,
    handler: recordEffect,
    partitionsConsumedConcurrently: 3,
    heartbeatInterval: 500,
    logger: silentLogger,
  });
  cleanups.push(() => consumer.stop());
  return consumer;
}

async function effectCount(ctx: Awaited<ReturnType<typeof setup>>): Promise<number> {
  const client = new pg.Client({ connectionString: ctx.schema.connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from "${ctx.schema.schema}".effects`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

const topicSize = (topic: string) => topicMessageCount({ kafka: { brokers: kafkaBrokers() }, topic });

describe('the relay', () => {
  it('given events in the store, when the relay runs, then each is published once keyed by dossier with the event headers', async () => {
    const ctx = await setup();
    const events = registeredEvents(600, 40);
    await appendAll(ctx.store, events);
    // The lag counts events past the visibility watermark; any other transaction open in the cluster (tests run
    // in parallel) can hold the watermark back for a moment, so wait for all 600 to become visible.
    const lag = () =>
      relayLag({
        store: ctx.store,
        checkpointStore: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
        source: 'intake',
      });
    await waitFor('600 visible and pending', async () => (await lag()).pending === 600);

    const relay = relayOn(ctx);
    await waitFor('600 published', () => relay.metrics().published === 600);
    expect(relay.ready()).toBe(true);
    expect(relay.isLeader()).toBe(true);
    const after = await relayLag({
      store: ctx.store,
      checkpointStore: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
      source: 'intake',
    });
    expect(after.pending).toBe(0);

    // One message, read raw: key, headers and a value the catalogue accepts.
    const kafka = new Kafka({ clientId: 'peek', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const peek = kafka.consumer({ groupId: `peek-${ctx.topic.topic}` });
    await peek.connect();
    await peek.subscribe({ topic: ctx.topic.topic, fromBeginning: true });
    const first = await new Promise<{ key: string; headers: Record<string, string>; value: string }>(
      (resolve) => {
        void peek.run({
          eachMessage: async ({ message }) => {
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
            );
            resolve({ key: String(message.key), headers, value: String(message.value) });
          },
        });
      },
    );
    await peek.disconnect();
    const parsed = parseDossierEvent(JSON.parse(first.value));
    expect(first.key).toBe(parsed.dossierId);
    expect(first.headers).toEqual({
      'event-id': parsed.eventId,
      'event-type': 'DossierRegistered',
      'schema-version': '1',
      source: 'intake',
    });
    expect(parsed.streamId).toBe(`intake-${parsed.dossierId}`);

    await consumerOn(ctx);
    await waitFor('600 effects', async () => (await effectCount(ctx)) >= 600);
    const figures = await reconcile(
      'relay basic',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      {
        onTopic: await topicSize(ctx.topic.topic),
        batches: relay.metrics().batches,
      },
    );
    expect(figures).toMatchObject({ expected: 600, rows: 600, distinct: 600, missing: 0, unexpected: 0 });
    expect(await topicSize(ctx.topic.topic)).toBe(600);
  });

  it('given a relay process SIGKILLed between the Kafka ack and its checkpoint, when a relay restarts, then it re-sends that batch only and the effects count each event once', async () => {
    const ctx = await setup();
    const events = registeredEvents(3000, 100);
    await appendAll(ctx.store, events, 16);

    const child = spawnFixture('relay-process.ts', {
      RELAY_CONFIG: JSON.stringify({
        connectionString: ctx.schema.connectionString,
        schema: ctx.schema.schema,
        brokers: kafkaBrokers(),
        topic: ctx.topic.topic,
        batchSize: 50,
        killAtBatch: 21,
      }),
    });
    cleanups.push(async () => child.kill('SIGKILL'));
    // The child dies of SIGKILL after Kafka acknowledged its 21st batch and before that batch's checkpoint.
    // tsx reports its script's death by SIGKILL as exit code 137 (128 + 9).
    expect([137, 'SIGKILL']).toContain(await child.exited);
    const publishedBeforeKill = publishedBy(child.lines);
    // The batch in flight: on Kafka, its checkpoint never saved.
    const inFlight = Number(child.lines.find((l) => l.startsWith('killing'))?.split(' ')[3]);
    expect(inFlight).toBeGreaterThan(0);
    expect(await topicSize(ctx.topic.topic)).toBe(publishedBeforeKill + inFlight);

    const relay = relayOn(ctx);
    await consumerOn(ctx);
    await waitFor('3000 effects', async () => (await effectCount(ctx)) >= 3000, 25_000);
    const onTopic = await topicSize(ctx.topic.topic);
    const figures = await reconcile(
      'relay SIGKILL',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      {
        childAcknowledged: publishedBeforeKill,
        restartedPublished: relay.metrics().published,
        onTopic,
        duplicatesOnTopic: onTopic - 3000,
        inFlightAtKill: inFlight,
      },
    );
    expect(figures).toMatchObject({ expected: 3000, rows: 3000, distinct: 3000, missing: 0, unexpected: 0 });
    // The restarted relay resumed at the child's last checkpoint: it re-sent exactly the batch in flight.
    expect(relay.metrics().published).toBe(3000 - publishedBeforeKill);
    expect(onTopic).toBe(3000 + inFlight);
  });

  it('given two relays racing for one store, when the leader dies, then exactly one publishes at a time and nothing is lost', async () => {
    const ctx = await setup();
    const events = registeredEvents(2000, 80);
    const publishers: string[] = [];
    const a = relayOn(ctx, { onPublished: () => publishers.push('a'), batchSize: 50 });
    const b = relayOn(ctx, { onPublished: () => publishers.push('b'), batchSize: 50 });
    await waitFor('a leader', () => a.isLeader() || b.isLeader());
    await new Promise((r) => setTimeout(r, 300));
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    const leaderName = leader === a ? 'a' : 'b';

    const appending = appendAll(ctx.store, events, 4);
    await waitFor('the leader to publish 500', () => leader.metrics().published >= 500);
    // The leader's process "dies": its PostgreSQL session is terminated, as a crash or a network cut would.
    const admin = new pg.Client({ connectionString: ctx.schema.connectionString });
    await admin.connect();
    const { rows } = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_locks
        where locktype = 'advisory' and granted and pid <> pg_backend_pid()
          and database = (select oid from pg_database where datname = current_database())
          and ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [`relay:${ctx.schema.schema}:intake`],
    );
    await admin.end();
    expect(rows[0]?.n).toBe(1);
    await leader.stop();

    await appending;
    await waitFor('the standby to take over', () => standby.isLeader());
    await consumerOn(ctx);
    await waitFor('2000 effects', async () => (await effectCount(ctx)) >= 2000, 25_000);
    // Publishers in order: the first leader's batches, then the standby's, never interleaved.
    const switches = publishers.filter((p, i) => i > 0 && p !== publishers[i - 1]).length;
    const onTopic = await topicSize(ctx.topic.topic);
    const figures = await reconcile(
      'two relays',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      {
        firstLeader: leaderName,
        leaderBatches: publishers.filter((p) => p === leaderName).length,
        standbyBatches: publishers.filter((p) => p !== leaderName).length,
        switches,
        onTopic,
      },
    );
    expect(switches).toBe(1);
    expect(publishers[0]).toBe(leaderName);
    expect(figures).toMatchObject({ expected: 2000, rows: 2000, distinct: 2000, missing: 0, unexpected: 0 });
  });

  it('given domain events mixed with bookkeeping events, when the relay filters by the catalogue, then only the domain events reach the topic and the checkpoint passes the skipped ones', async () => {
    const ctx = await setup(3);
    const domain = registeredEvents(60, 6);
    // Bookkeeping interleaved with the domain events and trailing them: a skipped tail must still checkpoint.
    const bookkeeping = Array.from({ length: 30 }, (_, i) => ({
      streamId: `sequence-unit-${i % 3}`,
      event: { eventId: uuidv7(), type: 'DossierCodeDrawn', data: { n: i }, metadata: { source: 'intake' } },
    }));
    await appendAll(ctx.store, domain.slice(0, 30));
    for (const b of bookkeeping.slice(0, 15)) {
      await ctx.store.appendToStream(b.streamId, [b.event], { expectedVersion: 'any' });
    }
    await appendAll(ctx.store, domain.slice(30));
    for (const b of bookkeeping.slice(15)) {
      await ctx.store.appendToStream(b.streamId, [b.event], { expectedVersion: 'any' });
    }
    const location = { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema };

    const relay = relayOn(ctx, { include: inDossierCatalogue });
    await waitFor('60 published, 30 skipped', () => {
      const m = relay.metrics();
      return m.published === 60 && m.skipped === 30;
    });
    const lag = await relayLag({ store: ctx.store, checkpointStore: location, source: 'intake' });
    expect(lag.pending).toBe(0);
    expect(await topicSize(ctx.topic.topic)).toBe(60);

    await consumerOn(ctx);
    await waitFor('60 effects', async () => (await effectCount(ctx)) >= 60);
    const figures = await reconcile(
      'relay filter',
      ctx.schema.connectionString,
      ctx.schema.schema,
      domain.map((e) => e.event.eventId),
      { onTopic: await topicSize(ctx.topic.topic) },
    );
    expect(figures).toMatchObject({ expected: 60, rows: 60, distinct: 60, missing: 0, unexpected: 0 });
  });

  it('given no filter, when the relay runs, then every stored event is published (the default)', async () => {
    const ctx = await setup(3);
    await appendAll(ctx.store, registeredEvents(5, 5));
    await ctx.store.appendToStream(
      'sequence-unit-x',
      [{ eventId: uuidv7(), type: 'DossierCodeDrawn', data: { n: 1 }, metadata: { source: 'intake' } }],
      { expectedVersion: 'any' },
    );
    const relay = relayOn(ctx);
    await waitFor('6 published', () => relay.metrics().published === 6);
    expect(relay.metrics().skipped).toBe(0);
    expect(await topicSize(ctx.topic.topic)).toBe(6);
  });

  it('given a running relay, when re-seeding is asked, then it is refused; once stopped, the whole store is published again', async () => {
    const ctx = await setup(3);
    const events = registeredEvents(200, 10);
    await appendAll(ctx.store, events);
    const location = { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema };
    const relay = relayOn(ctx);
    await waitFor('200 published', () => relay.metrics().published === 200);
    await expect(resetRelayCheckpoint({ checkpointStore: location, source: 'intake' })).rejects.toMatchObject(
      {
        code: 'MSG_RELAY_RUNNING',
      },
    );
    await relay.stop();
    const reset = await resetRelayCheckpoint({ checkpointStore: location, source: 'intake' });
    expect(reset.previous).toBeDefined();
    const again = relayOn(ctx);
    await waitFor('200 re-published', () => again.metrics().published === 200);
    const consumer = await consumerOn(ctx);
    // The consumer reads both copies; the inbox drops every second one.
    await waitFor(
      'both copies consumed',
      () => consumer.metrics().applied + consumer.metrics().duplicates >= 400,
    );
    expect(await topicSize(ctx.topic.topic)).toBe(400);
    const figures = await reconcile(
      're-seed',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      {
        onTopic: await topicSize(ctx.topic.topic),
      },
    );
    expect(figures).toMatchObject({ expected: 200, rows: 200, distinct: 200, missing: 0 });
    expect(consumer.metrics().duplicates).toBe(200);
  });
});

function publishedBy(lines: readonly string[]): number {
  return lines.filter((l) => l.startsWith('published ')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
}
