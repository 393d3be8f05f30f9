/**
 * Replay from Kafka (stack mode): events go to a topic of the test's own on the shared broker, a live consumer
 * (the stack's: offsets and inbox in PostgreSQL) feeds the projection, then `rebuildProjection` reads the topic
 * from its start into a new generation and switches over. KPI answers and row counts must be the same, an
 * interrupted replay must resume, and the live consumer must continue on the new generation without losing or
 * double-counting an event, whether it was behind or ahead of the rebuild at the switch.
 */
import { randomBytes } from 'node:crypto';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { type DossierEvent, parseDossierEvent, parseOrThrow, vnCivilServiceCalendar } from '@onestop/domain';
import { type KafkaConsumerRunner, silentLogger, startKafkaConsumer } from '@onestop/messaging';
import { createTestSchema, createTopicsReady, kafkaBrokers, type TestSchema } from '@onestop/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { PeriodQuery } from '../kpi/params.js';
import { unitKpiReport } from '../kpi/report.js';
import { DossierScenario } from '../testing/scenario.js';
import { createProjectionHandler } from './handler.js';
import {
  type KafkaRebuildSource,
  kafkaRebuildSource,
  kafkaSwitchOver,
  type SwitchOverReport,
} from './kafka-source.js';
import { type PostgresProjectionDatabase, postgresProjectionDatabase } from './postgres.js';
import { liveCounts, type RebuildResult, rebuildProjection } from './rebuild.js';
import { migrateProjection } from './tables.js';

const AG_ENV = demoUnitIds.agricultureEnvironment;
const JUSTICE = demoUnitIds.justice;
const NOW = new Date('2025-09-19T17:00:00+07:00');
const PARTITIONS = 3;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const mon = (hm: string) => `2025-09-15T${hm}`;
const tue = (hm: string) => `2025-09-16T${hm}`;

/** A week of dossiers with every kind of ending; `tag` varies the receipt times between batches. */
function dossiers(tag: number): DossierScenario[] {
  const m = (h: number) => mon(`${String(8 + h).padStart(2, '0')}:${String(tag * 7).padStart(2, '0')}`);
  return [
    new DossierScenario({ receivedAt: m(1), channel: 'online' })
      .transferAndOpen(m(1))
      .decide(m(6))
      .returnResult(m(7), 1),
    new DossierScenario({ receivedAt: m(1) }).transferAndOpen(m(1)).decide(tue('08:30')),
    new DossierScenario({ receivedAt: m(1) })
      .transferAndOpen(m(1))
      .assign(m(1), 'appraise', 'officer-a')
      .completeStep(tue('09:30'), 'appraise', 'officer-a', 'sign')
      .decide(tue('10:00'))
      .returnResult(tue('11:00'), 4),
    new DossierScenario({ receivedAt: m(2) }).transferAndOpen(m(2)),
    new DossierScenario({ receivedAt: m(1) })
      .transferAndOpen(m(1))
      .extend(m(5), '2025-09-17T17:00', tue('09:00'))
      .decide(tue('14:00')),
    new DossierScenario({ receivedAt: m(3) }).withdraw(m(5)),
    new DossierScenario({ receivedAt: m(3) }).transferAndOpen(m(3)).stop(tue('13:00')),
    new DossierScenario({ receivedAt: m(1) })
      .transferAndOpen(m(1))
      .requestSupplement(m(2))
      .receiveSupplement(m(3))
      .decide(m(7)),
    new DossierScenario({ receivedAt: m(1), procedureCode: '2.000488', competentUnitId: JUSTICE })
      .transferAndOpen(m(1))
      .decide('2025-09-18T10:00'),
  ];
}

interface Ctx {
  readonly schema: TestSchema;
  readonly topic: string;
  readonly db: PostgresProjectionDatabase;
  readonly producer: Producer;
  readonly groupId: string;
}

async function setup(): Promise<Ctx> {
  const schema = await createTestSchema('kafkasrc');
  cleanups.push(() => schema.drop());
  const topic = `test.kafka-source.${randomBytes(6).toString('hex')}`;
  const kafka = new Kafka({
    clientId: 'kafka-source-spec',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
  cleanups.push(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const db = await postgresProjectionDatabase({
    connectionString: schema.connectionString,
    schema: schema.schema,
  });
  cleanups.push(() => db.close());
  await migrateProjection(db);
  return { schema, topic, db, producer, groupId: `live-${topic}` };
}

/** The relay's wire form: keyed by dossier (so one partition per dossier, in order), the event as JSON. */
async function publish(ctx: Ctx, events: readonly DossierEvent[]) {
  await ctx.producer.send({
    topic: ctx.topic,
    acks: -1,
    messages: events.map((e) => ({
      key: e.dossierId,
      value: JSON.stringify(e),
      headers: { 'event-id': e.eventId },
    })),
  });
}

async function startLive(ctx: Ctx): Promise<KafkaConsumerRunner> {
  const runner = await startKafkaConsumer({
    kafka: { brokers: kafkaBrokers() },
    groupId: ctx.groupId,
    topic: ctx.topic,
    database: { connectionString: ctx.schema.connectionString, schema: ctx.schema.schema },
    parse: parseDossierEvent,
    handler: createProjectionHandler({ catalog: demoCatalog, schema: ctx.schema.schema }),
    logger: silentLogger,
  });
  cleanups.push(() => runner.stop());
  return runner;
}

async function liveOffsets(ctx: Ctx): Promise<Record<number, number>> {
  const { rows } = await ctx.db.withTransaction((tx) =>
    tx.query(
      `select partition, next_offset from "${ctx.schema.schema}".consumer_offsets where consumer = $1 and topic = $2`,
      [ctx.groupId, ctx.topic],
    ),
  );
  return Object.fromEntries(rows.map((r) => [Number(r.partition), Number(r.next_offset)]));
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sourceFor(ctx: Ctx): Promise<KafkaRebuildSource> {
  const source = kafkaRebuildSource({ brokers: kafkaBrokers(), topic: ctx.topic });
  cleanups.push(() => source.close());
  return source;
}

/** Waits until the live consumer stands at the topic's end. */
async function liveCaughtUp(ctx: Ctx, source: KafkaRebuildSource) {
  const high = await source.highWatermarks();
  await until('the live consumer to reach the end of the topic', async () => {
    const live = await liveOffsets(ctx);
    return Object.entries(high).every(([p, hw]) => hw === 0 || live[Number(p)] === hw);
  });
}

/** What an analyst sees: both units' KPI reports for the week, and the table row counts. */
async function answers(ctx: Ctx) {
  const query = parseOrThrow(PeriodQuery, { from: '2025-09-15', to: '2025-09-22' }, 'query');
  const deps = { db: ctx.db, catalog: demoCatalog, calendar: vnCivilServiceCalendar };
  const { generation, ...counts } = await liveCounts(ctx.db);
  return {
    generation,
    counts,
    agEnv: await unitKpiReport(deps, AG_ENV, query, NOW),
    justice: await unitKpiReport(deps, JUSTICE, query, NOW),
  };
}

function rebuild(
  ctx: Ctx,
  source: KafkaRebuildSource,
  extra: { stopAfter?: number; onReport?: (r: SwitchOverReport) => void } = {},
): Promise<RebuildResult> {
  return rebuildProjection({
    db: ctx.db,
    source,
    catalog: demoCatalog,
    chunkSize: 7,
    ...(extra.stopAfter === undefined ? {} : { stopAfter: extra.stopAfter }),
    onSwitch: kafkaSwitchOver(
      { source, catalog: demoCatalog, schema: ctx.schema.schema, consumer: ctx.groupId },
      extra.onReport,
    ),
  });
}

describe('Kafka rebuild source', () => {
  it('given a projection fed live from the topic, when replayed from the topic, then the new generation answers the same and the live consumer goes on with it', async () => {
    const ctx = await setup();
    const scenarios = [...dossiers(1), ...dossiers(2)];
    const events = scenarios.flatMap((s) => s.events);
    await publish(ctx, events);
    await startLive(ctx);
    const source = await sourceFor(ctx);
    await liveCaughtUp(ctx, source);
    const before = await answers(ctx);
    expect(before.counts.events).toBe(events.length);
    expect(before.agEnv.received).toBeGreaterThan(0);

    const reports: SwitchOverReport[] = [];
    const result = await rebuild(ctx, source, { onReport: (r) => reports.push(r) });
    expect(result).toMatchObject({
      status: 'switched',
      eventsRead: events.length,
      applied: events.length,
      rejected: 0,
    });
    const after = await answers(ctx);
    expect(after.generation).toBe(result.generation);
    expect(after.generation).not.toBe(before.generation);
    expect({ ...after, generation: '' }).toEqual({ ...before, generation: '' });
    expect(await liveOffsets(ctx)).toEqual(await source.highWatermarks());
    expect(reports).toEqual([{ movedForward: 0, caughtUp: 0 }]);

    // The live consumer writes into the generation that is live now.
    const more = dossiers(3);
    await publish(
      ctx,
      more.flatMap((s) => s.events),
    );
    await liveCaughtUp(ctx, source);
    const later = await answers(ctx);
    expect(later.generation).toBe(result.generation);
    expect(later.counts.dossiers).toBe(before.counts.dossiers + more.length);
    expect(later.counts.events).toBe(events.length + more.flatMap((s) => s.events).length);
  }, 30_000);

  it('given a replay interrupted after some events, when run again with a new source, then it resumes and ends identical', async () => {
    const ctx = await setup();
    const events = dossiers(4).flatMap((s) => s.events);
    await publish(ctx, events);
    await startLive(ctx);
    const first = await sourceFor(ctx);
    await liveCaughtUp(ctx, first);
    const before = await answers(ctx);

    const paused = await rebuild(ctx, first, { stopAfter: 10 });
    expect(paused).toMatchObject({ status: 'paused', eventsRead: 10 });
    await first.close();
    expect((await answers(ctx)).generation).toBe(before.generation);

    const second = await sourceFor(ctx);
    const resumed = await rebuild(ctx, second);
    expect(resumed).toMatchObject({
      status: 'switched',
      resumed: true,
      generation: paused.generation,
      eventsRead: events.length,
      readThisRun: events.length - 10,
    });
    expect({ ...(await answers(ctx)), generation: '' }).toEqual({ ...before, generation: '' });
  }, 30_000);

  it('given a live consumer stopped behind the topic end, when the replay switches, then its offsets move forward and it applies nothing twice', async () => {
    const ctx = await setup();
    const early = dossiers(5);
    await publish(
      ctx,
      early.flatMap((s) => s.events),
    );
    const live = await startLive(ctx);
    const source = await sourceFor(ctx);
    await liveCaughtUp(ctx, source);
    await live.stop();
    const late = dossiers(6);
    await publish(
      ctx,
      late.flatMap((s) => s.events),
    );
    const behind = await liveOffsets(ctx);

    const reports: SwitchOverReport[] = [];
    await rebuild(ctx, source, { onReport: (r) => reports.push(r) });
    const high = await source.highWatermarks();
    expect(await liveOffsets(ctx)).toEqual(high);
    // Moved forward: partitions the live consumer had written and stood behind on; a partition it never wrote
    // (no early dossier landed there) is started at the rebuild's position instead, which is not a move.
    const moved = Object.entries(high).filter(([p, hw]) => {
      const at = behind[Number(p)];
      return at !== undefined && at < hw;
    }).length;
    expect(moved).toBeGreaterThan(0);
    expect(reports).toEqual([{ movedForward: moved, caughtUp: 0 }]);
    const switched = await answers(ctx);

    await startLive(ctx);
    const extra = dossiers(7);
    await publish(
      ctx,
      extra.flatMap((s) => s.events),
    );
    await liveCaughtUp(ctx, source);
    const all = [...early, ...late, ...extra];
    const final = await answers(ctx);
    expect(final.counts.dossiers).toBe(all.length);
    expect(final.counts.events).toBe(all.flatMap((s) => s.events).length);
    expect(final.agEnv.received).toBe(
      switched.agEnv.received + extra.filter((s) => s.competentUnitId === AG_ENV).length,
    );
  }, 30_000);

  it('given a live consumer ahead of where the replay stopped reading, when it switches, then the events in between are applied to the new generation', async () => {
    const ctx = await setup();
    const events = dossiers(8).flatMap((s) => s.events);
    await publish(ctx, events);
    await startLive(ctx);
    const source = await sourceFor(ctx);
    await liveCaughtUp(ctx, source);
    const before = await answers(ctx);

    // The rebuild believes the log ends after 20 events (as if the rest arrived after its caught-up check).
    const start = await source.positionsOf(undefined);
    const sum = (positions: Record<number, number>) => Object.values(positions).reduce((a, b) => a + b, 0);
    const limit = 20;
    const truncated: KafkaRebuildSource = {
      ...source,
      async read(after: string | undefined, max: number) {
        const consumed = sum(await source.positionsOf(after)) - sum(start);
        if (consumed >= limit) return { entries: [], checkpoint: after };
        return source.read(after, Math.min(max, limit - consumed));
      },
    };
    const reports: SwitchOverReport[] = [];
    const result = await rebuild(ctx, truncated, { onReport: (r) => reports.push(r) });
    expect(result.eventsRead).toBe(limit);
    expect(reports).toEqual([{ movedForward: 0, caughtUp: events.length - limit }]);
    expect({ ...(await answers(ctx)), generation: '' }).toEqual({ ...before, generation: '' });
    expect(await liveOffsets(ctx)).toEqual(await source.highWatermarks());
  }, 30_000);
});
