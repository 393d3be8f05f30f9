/**
 * The Kafka consumer's bookkeeping in its own PostgreSQL schema, next to its read models: the inbox (event
 * ids applied, for dedupe), the next offset per topic-partition (the source of truth for where to resume; Kafka's
 * committed offsets only trail it) and the dead letters it produced.
 */
import { createHash } from 'node:crypto';
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

export interface PartitionKey {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
}

/** Named (prepared once per connection) statements; the schema is part of their text, so of their name too. */
function statementName(what: string, schema: string): string {
  return `onestop_consumer_${what}_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/**
 * Opens a chunk in the running transaction, in one round trip: moves the partition's offset from `expected`
 * to `next` (fenced like `advanceOffset`) and claims the inbox rows of the chunk's events. Returns the offsets
 * whose event is new to this consumer: the first copy of each event id not yet in the inbox (a later copy in
 * the same chunk, or an id already applied, is a redelivery). An insert racing another transaction for the
 * same id waits for it and then skips the id, so an event is never claimed twice.
 */
export async function claimChunk(
  client: pg.ClientBase,
  schema: string,
  key: PartitionKey,
  expected: bigint | undefined,
  next: bigint,
  messages: ReadonlyArray<{ readonly eventId: string; readonly offset: bigint }>,
): Promise<Set<string>> {
  const s = quoteIdent(schema);
  const moved =
    expected === undefined
      ? `insert into ${s}.consumer_offsets (consumer, topic, partition, next_offset)
         values ($1, $2, $3, $4) on conflict do nothing returning 1`
      : `update ${s}.consumer_offsets set next_offset = $4, updated_at = now()
          where consumer = $1 and topic = $2 and partition = $3 and next_offset = $7 returning 1`;
  const params: unknown[] = [
    key.consumer,
    key.topic,
    key.partition,
    next.toString(),
    messages.map((m) => m.eventId),
    messages.map((m) => m.offset.toString()),
  ];
  if (expected !== undefined) params.push(expected.toString());
  const { rows } = await client.query<{ moved: boolean; fresh: string[] }>({
    name: statementName(expected === undefined ? 'claim_first' : 'claim', schema),
    text: `with moved as (${moved}),
       claimed as (
         insert into ${s}.consumer_inbox (consumer, event_id, topic, partition, "offset")
         select $1, m.event_id, $2, $3, m."offset"
           from unnest($5::text[], $6::bigint[]) with ordinality as m(event_id, "offset", n)
          where exists (select from moved)
          order by m.n
         on conflict do nothing
         returning "offset"
       )
       select exists (select from moved) as moved,
              coalesce((select array_agg("offset"::text) from claimed), '{}') as fresh`,
    values: params,
  });
  const row = rows[0];
  if (row === undefined || !row.moved) {
    throw OffsetConflict(`offset of ${key.topic}[${key.partition}] moved under ${key.consumer}`, {
      details: { topic: key.topic, partition: key.partition },
    });
  }
  return new Set(row.fresh);
}

/**
 * Gives back the unprocessed tail of a chunk cut short (time budget, stop): its inbox claims are deleted and
 * the offset set to the first unprocessed message. Same transaction as `claimChunk`, which holds the row.
 */
export async function releaseChunkTail(
  client: pg.ClientBase,
  schema: string,
  key: PartitionKey,
  next: bigint,
  claimedEventIds: readonly string[],
): Promise<void> {
  const s = quoteIdent(schema);
  await client.query({
    name: statementName('release', schema),
    text: `with released as (
             delete from ${s}.consumer_inbox where consumer = $1 and event_id = any($5::text[])
           )
           update ${s}.consumer_offsets set next_offset = $4, updated_at = now()
            where consumer = $1 and topic = $2 and partition = $3`,
    values: [key.consumer, key.topic, key.partition, next.toString(), [...claimedEventIds]],
  });
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
