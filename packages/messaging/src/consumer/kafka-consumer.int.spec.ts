/**
 * The Kafka consumer runner against the shared broker (a topic of its own per test) and PostgreSQL: crash
 * between the database commit and the Kafka commit, poison messages, and a group rebalancing under load. Each
 * test ends with the reconciliation of the effects table.
 */
import { type DossierEvent, parseDossierEvent } from '@onestop/domain';
import { createTestSchema, kafkaBrokers, type TestSchema } from '@onestop/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnFixture } from '../fixtures/child.js';
import {
  createEffectsTable,
  createTestTopic,
  reconcile,
  recordEffect,
  registeredEvents,
  type TestStreamEvent,
  type TestTopic,
  uuidv7,
  waitFor,
  wireEvent,
} from '../fixtures/dossier-events.js';
import { silentLogger } from '../logger.js';
import { consumerLag, deadLetterCounts } from '../metrics.js';
import { DEAD_LETTER_HEADERS, listDeadLetters, replayDeadLetter } from './dead-letters.js';
import { type KafkaConsumerOptions, type KafkaConsumerRunner, startKafkaConsumer } from './kafka-consumer.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

interface Ctx {
  readonly schema: TestSchema;
  readonly topic: TestTopic;
  readonly producer: Producer;
  readonly groupId: string;
}

async function setup(partitions: number): Promise<Ctx> {
  const schema = await createTestSchema('consumer');
  cleanups.push(() => schema.drop());
  const topic = await createTestTopic(kafkaBrokers(), partitions);
  cleanups.push(() => topic.drop());
  await createEffectsTable(schema.connectionString, schema.schema);
  const producer = new Kafka({
    clientId: 'test-producer',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return { schema, topic, producer, groupId: `g-${topic.topic}` };
}

/** The relay's wire form, keyed by dossier, with stream versions numbered per dossier. */
function toMessages(events: readonly TestStreamEvent[]) {
  const versions = new Map<string, number>();
  return events.map((e) => {
    const version = versions.get(e.streamId) ?? 0;
    versions.set(e.streamId, version + 1);
    const event = wireEvent(e, version);
    return { key: event.dossierId, value: JSON.stringify(event), headers: { 'event-id': event.eventId } };
  });
}

async function produce(ctx: Ctx, messages: ReturnType<typeof toMessages>) {
  for (let i = 0; i < messages.length; i += 200) {
    await ctx.producer.send({ topic: ctx.topic.topic, acks: -1, messages: messages.slice(i, i + 200) });
  }
}

async function consumer(
  ctx: Ctx,
  extra: Partial<KafkaConsumerOptions<DossierEvent>> = {},
): Promise<KafkaConsumerRunner> {
  const runner = await startKafkaConsumer({
    kafka: { brokers: kafkaBrokers() },
    groupId: ctx.groupId,
    topic: ctx.topic.topic,
    deadLetterTopic: ctx.topic.deadLetterTopic,
    database: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
    parse: parseDossierEvent,
    handler: recordEffect,
    heartbeatInterval: 500,
    sessionTimeout: 6_000,
    logger: silentLogger,
    ...extra,
  });
  cleanups.push(() => runner.stop());
  return runner;
}

async function sql<R extends pg.QueryResultRow>(
  ctx: Ctx,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: ctx.schema.connectionString });
  await client.connect();
  try {
    return (await client.query<R>(text.replaceAll('$schema', `"${ctx.schema.schema}"`), params)).rows;
  } finally {
    await client.end();
  }
}

const effectCount = async (ctx: Ctx) =>
  Number((await sql<{ n: string }>(ctx, 'select count(*) as n from $schema.effects'))[0]?.n ?? 0);

/** Transactions that wrote the effects (each row's `xmin`): one per chunk. */
const effectTransactions = async (ctx: Ctx) =>
  Number(
    (await sql<{ n: string }>(ctx, 'select count(distinct xmin::text) as n from $schema.effects'))[0]?.n ?? 0,
  );

const storedOffsets = async (ctx: Ctx) =>
  (
    await sql<{ partition: number; next_offset: string }>(
      ctx,
      'select partition, next_offset from $schema.consumer_offsets order by partition',
    )
  ).map((r) => [r.partition, Number(r.next_offset)]);

/** Runs the consumer in a child process that SIGKILLs itself at its `killAfter`-th applied message. */
async function consumeUntilKilled(ctx: Ctx, killAfter: number) {
  const child = spawnFixture('consumer-process.ts', {
    CONSUMER_CONFIG: JSON.stringify({
      connectionString: ctx.schema.connectionString,
      schema: ctx.schema.schema,
      brokers: kafkaBrokers(),
      topic: ctx.topic.topic,
      groupId: ctx.groupId,
      killAfter,
    }),
  });
  cleanups.push(async () => child.kill('SIGKILL'));
  expect([137, 'SIGKILL']).toContain(await child.exited);
}

describe('the Kafka consumer runner', () => {
  it('given a consumer killed after its database commit but before the Kafka commit, when it restarts, then no effect is applied twice', async () => {
    const ctx = await setup(4);
    const events = registeredEvents(1000, 60);
    await produce(ctx, toMessages(events));

    await consumeUntilKilled(ctx, 300);
    // The kill comes at the 300th applied message of a committed chunk: the rest of that chunk is in too.
    const appliedBeforeKill = await effectCount(ctx);
    expect(appliedBeforeKill).toBeGreaterThanOrEqual(300);
    expect(appliedBeforeKill).toBeLessThan(300 + 200);

    // PostgreSQL is ahead of Kafka's committed offsets: those messages will be delivered again.
    const stored = await sql<{ partition: number; next_offset: string }>(
      ctx,
      'select partition, next_offset from $schema.consumer_offsets',
    );
    const admin = new Kafka({
      clientId: 'probe',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: ctx.groupId, topics: [ctx.topic.topic] });
    await admin.disconnect();
    const kafkaAt = new Map(
      (committed?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]),
    );
    const redelivered = stored.reduce(
      (sum, r) => sum + Number(r.next_offset) - (kafkaAt.get(r.partition) ?? 0),
      0,
    );
    expect(redelivered).toBeGreaterThan(0);

    const restarted = await consumer(ctx);
    await waitFor('1000 effects', async () => (await effectCount(ctx)) >= 1000, 25_000);
    await waitFor('lag 0', async () =>
      (
        await consumerLag({
          kafka: { brokers: kafkaBrokers() },
          database: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
          groupId: ctx.groupId,
          topic: ctx.topic.topic,
        })
      ).every((p) => p.lag === 0),
    );
    const figures = await reconcile(
      'consumer crash after commit',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      { appliedBeforeKill, redelivered, skippedOnRestart: restarted.metrics().duplicates },
    );
    expect(figures).toMatchObject({ expected: 1000, rows: 1000, distinct: 1000, missing: 0, unexpected: 0 });
    expect(restarted.metrics().applied).toBe(1000 - appliedBeforeKill);
    expect(restarted.metrics().duplicates).toBe(redelivered);
  });

  it('given poison messages on a partition, when consumed, then each lands in the DLQ with its error and the partition goes on; a replay applies the fixed one', async () => {
    const ctx = await setup(3);
    const valid = registeredEvents(80, 1); // one dossier: one partition, so the poison sits in the middle of it
    const messages = toMessages(valid);
    const key = messages[0]?.key ?? '';
    const unfixable = JSON.parse(messages[5]?.value ?? '{}');
    unfixable.data.procedureCode = 'not-a-code';
    unfixable.eventId = uuidv7();
    const failing = registeredEvents(1, 1)[0];
    if (failing === undefined) throw new Error('fixture');
    const failingMessage = { ...toMessages([failing])[0], key } as ReturnType<typeof toMessages>[number];
    await produce(ctx, [
      ...messages.slice(0, 20),
      { key, value: '{not json', headers: { 'event-id': 'broken' } },
      ...messages.slice(20, 40),
      { key, value: JSON.stringify(unfixable), headers: { 'event-id': String(unfixable.eventId) } },
      ...messages.slice(40, 60),
      failingMessage,
      ...messages.slice(60),
    ]);

    let broken = true;
    const runner = await consumer(ctx, {
      maxAttempts: 3,
      backoff: { initialMs: 10, maxMs: 50 },
      handler: async (event, tx) => {
        if (broken && event.eventId === failing.event.eventId) throw new Error('read model bug');
        await recordEffect(event, tx);
      },
    });
    await waitFor(
      '80 effects and 3 dead letters',
      async () => (await effectCount(ctx)) >= 80 && runner.metrics().deadLettered === 3,
    );

    const letters = await listDeadLetters({
      kafka: { brokers: kafkaBrokers() },
      deadLetterTopic: ctx.topic.deadLetterTopic,
    });
    expect(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.errorCode]).sort()).toEqual([
      'DOM_INVALID_EVENT',
      'MSG_HANDLER_FAILED',
      'MSG_INVALID_MESSAGE',
    ]);
    const offsets = letters
      .map((l) => Number(l.headers[DEAD_LETTER_HEADERS.originalOffset]))
      .sort((a, b) => a - b);
    expect(offsets).toEqual([20, 41, 62]);
    for (const letter of letters) {
      expect(letter.key).toBe(key);
      expect(letter.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(ctx.topic.topic);
      expect(letter.headers[DEAD_LETTER_HEADERS.errorMessage]).toBeTruthy();
    }
    const handlerLetter = letters.find(
      (l) => l.headers[DEAD_LETTER_HEADERS.errorCode] === 'MSG_HANDLER_FAILED',
    );
    expect(handlerLetter?.headers[DEAD_LETTER_HEADERS.attempts]).toBe('3');
    expect(handlerLetter?.headers[DEAD_LETTER_HEADERS.errorMessage]).toContain('read model bug');
    expect(
      await deadLetterCounts({
        database: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
        groupId: ctx.groupId,
      }),
    ).toEqual({ DOM_INVALID_EVENT: 1, MSG_HANDLER_FAILED: 1, MSG_INVALID_MESSAGE: 1 });

    // The handler is fixed; the operator replays its dead letter.
    broken = false;
    if (handlerLetter === undefined) throw new Error('no handler dead letter');
    await replayDeadLetter({
      kafka: { brokers: kafkaBrokers() },
      deadLetterTopic: ctx.topic.deadLetterTopic,
      partition: handlerLetter.partition,
      offset: handlerLetter.offset,
    });
    await waitFor('the replayed event', async () => (await effectCount(ctx)) >= 81);
    const figures = await reconcile(
      'poison + replay',
      ctx.schema.connectionString,
      ctx.schema.schema,
      [...valid, failing].map((e) => e.event.eventId),
      { deadLettered: runner.metrics().deadLettered, handlerRetries: runner.metrics().retries, replayed: 1 },
    );
    expect(figures).toMatchObject({ expected: 81, rows: 81, distinct: 81, missing: 0, unexpected: 0 });
    expect(runner.metrics().retries).toBe(2);
  });

  it('given a group of two members, when members join and leave under load, then every event is applied exactly once', async () => {
    const ctx = await setup(6);
    const events = registeredEvents(3000, 200);
    const messages = toMessages(events);
    const a = await consumer(ctx, { partitionsConsumedConcurrently: 3 });
    // Load arrives while the group changes: 15 chunks of 200, 100 ms apart.
    const producing = (async () => {
      for (let i = 0; i < messages.length; i += 200) {
        await ctx.producer.send({ topic: ctx.topic.topic, acks: -1, messages: messages.slice(i, i + 200) });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitFor('600 effects', async () => (await effectCount(ctx)) >= 600);
    const b = await consumer(ctx, { partitionsConsumedConcurrently: 3 });
    await waitFor('b to apply some', () => b.metrics().applied > 0, 20_000);
    const aApplied = a.metrics().applied;
    const rebalancesA = a.metrics().rebalances;
    await a.stop();
    await producing;
    await waitFor('3000 effects', async () => (await effectCount(ctx)) >= 3000, 25_000);
    const figures = await reconcile(
      'two-member group',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      {
        appliedByA: aApplied,
        appliedByB: b.metrics().applied,
        rebalancesA,
        rebalancesB: b.metrics().rebalances,
        skipped: a.metrics().duplicates + b.metrics().duplicates,
      },
    );
    expect(figures).toMatchObject({ expected: 3000, rows: 3000, distinct: 3000, missing: 0, unexpected: 0 });
    expect(aApplied).toBeGreaterThan(0);
    expect(b.metrics().applied).toBeGreaterThan(0);
    expect(rebalancesA).toBeGreaterThanOrEqual(2);
    expect(b.metrics().rebalances).toBeGreaterThanOrEqual(2);
  });

  it('given a chunk with a poison message in the middle, when consumed, then every other message is applied once in a few transactions and the poison one is dead-lettered after its attempts', async () => {
    const ctx = await setup(1);
    const events = registeredEvents(61, 3);
    const poison = events[30];
    if (poison === undefined) throw new Error('fixture');
    await produce(ctx, toMessages(events));

    let poisonCalls = 0;
    const runner = await consumer(ctx, {
      maxAttempts: 3,
      backoff: { initialMs: 10, maxMs: 50 },
      handler: async (event, tx) => {
        if (event.eventId === poison.event.eventId) {
          poisonCalls++;
          throw new Error('poison pill');
        }
        await recordEffect(event, tx);
      },
    });
    await waitFor('the dead letter', () => runner.metrics().deadLettered === 1);
    await waitFor('offset 61', async () => (await storedOffsets(ctx))[0]?.[1] === 61);

    const others = events.filter((e) => e !== poison).map((e) => e.event.eventId);
    const figures = await reconcile(
      'chunk with a poison message',
      ctx.schema.connectionString,
      ctx.schema.schema,
      others,
      {
        transactions: await effectTransactions(ctx),
        poisonCalls,
        retries: runner.metrics().retries,
      },
    );
    expect(figures).toMatchObject({ expected: 60, rows: 60, distinct: 60, missing: 0, unexpected: 0 });
    expect(runner.metrics().applied).toBe(60);
    // Before the poison one chunk, after it another (a fetch may split them further): not one per message.
    expect(await effectTransactions(ctx)).toBeLessThanOrEqual(6);
    expect(poisonCalls).toBe(3);
    expect(runner.metrics().retries).toBe(2);
    const letters = await listDeadLetters({
      kafka: { brokers: kafkaBrokers() },
      deadLetterTopic: ctx.topic.deadLetterTopic,
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers[DEAD_LETTER_HEADERS.originalOffset]).toBe('30');
    expect(letters[0]?.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('MSG_HANDLER_FAILED');
    expect(letters[0]?.headers[DEAD_LETTER_HEADERS.attempts]).toBe('3');
    expect(letters[0]?.headers[DEAD_LETTER_HEADERS.errorMessage]).toContain('poison pill');
    const inbox = await sql<{ n: string }>(ctx, 'select count(*) as n from $schema.consumer_inbox');
    expect(Number(inbox[0]?.n)).toBe(60);
  });

  it('given a chunk committed to PostgreSQL and the process killed before the Kafka commit, when the chunk is delivered again, then it is skipped entirely, and so are its events re-sent at new offsets', async () => {
    const ctx = await setup(1);
    const events = registeredEvents(40, 4);
    const messages = toMessages(events);
    await produce(ctx, messages);

    await consumeUntilKilled(ctx, 1);
    // Killed at the first message's hook, after its chunk committed: the whole chunk is in, in one transaction.
    // How many messages that first chunk held depends on the fetch and the chunk's time budget (a loaded machine
    // cuts it short), so the figures below follow from what it committed.
    const committed = await effectCount(ctx);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThanOrEqual(40);
    expect(await effectTransactions(ctx)).toBe(1);
    expect(await storedOffsets(ctx)).toEqual([[0, committed]]);

    let handlerCalls = 0;
    const seen: Array<{ offset: string; applied: boolean }> = [];
    const restarted = await consumer(ctx, {
      handler: async (event, tx) => {
        handlerCalls++;
        await recordEffect(event, tx);
      },
      afterCommit: (message) => {
        seen.push({ offset: message.offset, applied: message.applied });
      },
    });
    await waitFor('the first 40 consumed', async () => (await storedOffsets(ctx))[0]?.[1] === 40);
    // The relay re-sends the same events after its own crash: new offsets, same event ids.
    await produce(ctx, messages);
    await waitFor('offset 80', async () => (await storedOffsets(ctx))[0]?.[1] === 80);

    const figures = await reconcile(
      'redelivered chunk',
      ctx.schema.connectionString,
      ctx.schema.schema,
      events.map((e) => e.event.eventId),
      { skipped: restarted.metrics().duplicates, handlerCalls },
    );
    expect(figures).toMatchObject({ expected: 40, rows: 40, distinct: 40, missing: 0, unexpected: 0 });
    // The committed chunk is skipped by the stored offset; only the rest of the first 40 reaches the handler.
    expect(handlerCalls).toBe(40 - committed);
    expect(restarted.metrics().applied).toBe(40 - committed);
    expect(restarted.metrics().duplicates).toBe(committed + 40);
    // Skipped by the stored offset without a transaction; the re-sent copies went through the inbox.
    const resent = seen.filter((m) => Number(m.offset) >= 40);
    expect(resent).toHaveLength(40);
    expect(resent.every((m) => !m.applied)).toBe(true);
    expect(seen.filter((m) => m.applied)).toHaveLength(40 - committed);
  });
  it('given a consumer told to start at the end, when it restarts after messages landed on partitions it never consumed, then it applies exactly what came after its first start', async () => {
    const ctx = await setup(6);
    const before = registeredEvents(60, 30);
    await produce(ctx, toMessages(before));
    // The first start records every partition's end; one dossier's events arrive while it runs.
    const first = await consumer(ctx, { fromBeginning: false });
    await waitFor('the starting offsets', async () => (await storedOffsets(ctx)).length === 6);
    const during = registeredEvents(5, 1);
    await produce(ctx, toMessages(during));
    await waitFor('5 effects', async () => (await effectCount(ctx)) === 5);
    await first.stop();
    // While it is stopped, other dossiers land on partitions it has never consumed (no Kafka commit there):
    // kafkajs's own "latest" would resolve past them on the next start.
    const whileStopped = registeredEvents(40, 20);
    await produce(ctx, toMessages(whileStopped));
    const second = await consumer(ctx, { fromBeginning: false });
    const expected = [...during, ...whileStopped].map((e) => e.event.eventId);
    await waitFor('45 effects', async () => (await effectCount(ctx)) >= expected.length);
    const figures = await reconcile(
      'start at the end',
      ctx.schema.connectionString,
      ctx.schema.schema,
      expected,
      { before: before.length, appliedAfterRestart: second.metrics().applied },
    );
    expect(figures).toMatchObject({ expected: 45, rows: 45, distinct: 45, missing: 0, unexpected: 0 });
  });
});
