/**
 * The Kafka consumer's bookkeeping in its own PostgreSQL schema, next to its read models: the inbox (event
 * ids applied, for dedupe), the next offset per topic-partition (the source of truth for where to resume; Kafka's
 * committed offsets only trail it) and the dead letters it produced.
 */
import type pg from 'pg';
import { OffsetConflict } from '../errors.js';
import { migrate, quoteIdent } from '../pg.js';

export async function ensureConsumerTables(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await migrate(client, [
    `create schema if not exists ${s}`,
    `create table if not exists ${s}.consumer_inbox (
       consumer text not null,
       event_id text not null,
       topic text not null,
       partition integer not null,
       "offset" bigint not null,
       processed_at timestamptz not null default now(),
       primary key (consumer, event_id)
     )`,
    `create table if not exists ${s}.consumer_offsets (
       consumer text not null,
       topic text not null,
       partition integer not null,
       next_offset bigint not null,
       updated_at timestamptz not null default now(),
       primary key (consumer, topic, partition)
     )`,
    `create table if not exists ${s}.consumer_dead_letters (
       consumer text not null,
       topic text not null,
       partition integer not null,
       "offset" bigint not null,
       event_id text,
       error_code text not null,
       error_message text not null,
       attempts integer not null,
       dead_lettered_at timestamptz not null default now(),
       primary key (consumer, topic, partition, "offset")
     )`,
  ]);
}

export async function loadOffset(
  client: pg.ClientBase | pg.Pool,
  schema: string,
  consumer: string,
  topic: string,
  partition: number,
): Promise<bigint | undefined> {
  const { rows } = await client.query<{ next_offset: string }>(
    `select next_offset from ${quoteIdent(schema)}.consumer_offsets
      where consumer = $1 and topic = $2 and partition = $3`,
    [consumer, topic, partition],
  );
  const row = rows[0];
  return row === undefined ? undefined : BigInt(row.next_offset);
}

/**
 * Moves the partition's offset from `expected` to `next`, failing with OffsetConflict when another member
 * moved it meanwhile (the conditional write fences a zombie that kept processing after a rebalance).
 */
export async function advanceOffset(
  client: pg.ClientBase,
  schema: string,
  key: { consumer: string; topic: string; partition: number },
  expected: bigint | undefined,
  next: bigint,
): Promise<void> {
  const s = quoteIdent(schema);
  const { rowCount } =
    expected === undefined
      ? await client.query(
          `insert into ${s}.consumer_offsets (consumer, topic, partition, next_offset)
           values ($1, $2, $3, $4) on conflict do nothing`,
          [key.consumer, key.topic, key.partition, next.toString()],
        )
      : await client.query(
          `update ${s}.consumer_offsets set next_offset = $4, updated_at = now()
            where consumer = $1 and topic = $2 and partition = $3 and next_offset = $5`,
          [key.consumer, key.topic, key.partition, next.toString(), expected.toString()],
        );
  if (rowCount !== 1) {
    throw OffsetConflict(`offset of ${key.topic}[${key.partition}] moved under ${key.consumer}`, {
      details: { topic: key.topic, partition: key.partition },
    });
  }
}

/** True when the event is new to this consumer (and is now recorded); false for a redelivery. */
export async function claimInbox(
  client: pg.ClientBase,
  schema: string,
  row: { consumer: string; eventId: string; topic: string; partition: number; offset: bigint },
): Promise<boolean> {
  const { rowCount } = await client.query(
    `insert into ${quoteIdent(schema)}.consumer_inbox (consumer, event_id, topic, partition, "offset")
     values ($1, $2, $3, $4, $5) on conflict do nothing`,
    [row.consumer, row.eventId, row.topic, row.partition, row.offset.toString()],
  );
  return rowCount === 1;
}

export async function recordDeadLetter(
  client: pg.ClientBase,
  schema: string,
  row: {
    consumer: string;
    topic: string;
    partition: number;
    offset: bigint;
    eventId: string | undefined;
    errorCode: string;
    errorMessage: string;
    attempts: number;
  },
): Promise<void> {
  await client.query(
    `insert into ${quoteIdent(schema)}.consumer_dead_letters
       (consumer, topic, partition, "offset", event_id, error_code, error_message, attempts)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
    [
      row.consumer,
      row.topic,
      row.partition,
      row.offset.toString(),
      row.eventId ?? null,
      row.errorCode,
      row.errorMessage,
      row.attempts,
    ],
  );
}
