/**
 * Lag and dead-letter figures as plain functions (prom-client gauges call them on scrape). Relay lag is
 * `relayLag` (relay/tools.ts); live counters are each runner's `metrics()`; the PostgreSQL store's
 * watermark lag is its own `watermarkLag()`, re-exported here through `watermarkLagOf`.
 */
import type { EventStore, WatermarkLag } from '@onestop/event-store';
import { Kafka } from 'kafkajs';
import pg from 'pg';
import { ensureConsumerTables } from './consumer/tables.js';
import { kafkaLogCreator, silentLogger } from './logger.js';
import { type PgLocation, quoteIdent } from './pg.js';
import type { KafkaConnection } from './relay/relay.js';

export interface PartitionLag {
  readonly partition: number;
  /** Next offset to apply, from PostgreSQL (`undefined`: nothing applied yet, starts at the log start). */
  readonly next: string | undefined;
  /** The partition's end (high watermark). */
  readonly end: string;
  /** Messages not yet applied. */
  readonly lag: number;
}

/** Per-partition lag of a Kafka consumer: the topic's end offsets against the offsets stored in PostgreSQL. */
export async function consumerLag(options: {
  readonly kafka: KafkaConnection;
  readonly database: PgLocation;
  readonly groupId: string;
  readonly topic: string;
}): Promise<PartitionLag[]> {
  const kafka = new Kafka({
    clientId: 'lag-probe',
    brokers: [...options.kafka.brokers],
    logCreator: kafkaLogCreator(silentLogger),
  });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string; low: string }>;
  try {
    ends = await admin.fetchTopicOffsets(options.topic);
  } finally {
    await admin.disconnect();
  }
  const client = new pg.Client({ connectionString: options.database.connectionString });
  await client.connect();
  let stored: Map<number, string>;
  try {
    await ensureConsumerTables(client, options.database.schema);
    const { rows } = await client.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from ${quoteIdent(options.database.schema)}.consumer_offsets
        where consumer = $1 and topic = $2`,
      [options.groupId, options.topic],
    );
    stored = new Map(rows.map((r) => [r.partition, r.next_offset]));
  } finally {
    await client.end();
  }
  return ends
    .map(({ partition, high, low }) => {
      const next = stored.get(partition);
      const from = BigInt(next ?? low);
      return { partition, next, end: high, lag: Number(BigInt(high) > from ? BigInt(high) - from : 0n) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** Messages on a topic now (sum over partitions of end − start): for the DLQ, the dead letters still kept. */
export async function topicMessageCount(options: {
  readonly kafka: KafkaConnection;
  readonly topic: string;
}) {
  const kafka = new Kafka({
    clientId: 'count-probe',
    brokers: [...options.kafka.brokers],
    logCreator: kafkaLogCreator(silentLogger),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    return offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Dead letters a consumer produced, by error code (from its own PostgreSQL bookkeeping). */
export async function deadLetterCounts(options: {
  readonly database: PgLocation;
  readonly groupId: string;
}): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: options.database.connectionString });
  await client.connect();
  try {
    await ensureConsumerTables(client, options.database.schema);
    const { rows } = await client.query<{ error_code: string; n: string }>(
      `select error_code, count(*) as n from ${quoteIdent(options.database.schema)}.consumer_dead_letters
        where consumer = $1 group by error_code order by error_code`,
      [options.groupId],
    );
    return Object.fromEntries(rows.map((r) => [r.error_code, Number(r.n)]));
  } finally {
    await client.end();
  }
}

/**
 * The store's visibility-watermark lag (events committed but not yet readable because an older transaction
 * still runs) when the adapter measures it (PostgreSQL); `undefined` for adapters without a watermark.
 */
export async function watermarkLagOf(store: EventStore): Promise<WatermarkLag | undefined> {
  if ('watermarkLag' in store && typeof store.watermarkLag === 'function') {
    const measure: () => Promise<WatermarkLag> = store.watermarkLag.bind(store);
    return measure();
  }
  return undefined;
}
