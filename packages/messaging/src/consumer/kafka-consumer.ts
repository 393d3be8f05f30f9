/**
 * The Kafka transport of the consumer runner: a kafkajs consumer group whose effects, inbox rows and offset
 * commit in PostgreSQL transactions (exactly-once effect over at-least-once delivery). Each partition's batch is
 * applied in chunks (default up to 200 messages or 50 ms of handler time): one transaction per chunk, so a
 * chunk costs three round trips plus the handler's own statements instead of five per message.
 *
 * - PostgreSQL's offsets are the truth. On each assignment the first batch of a partition is checked against
 *   them: messages below the stored offset are skipped (already applied), and a fetch that starts beyond it
 *   seeks back. Kafka's committed offsets are written after PostgreSQL's, only so standard tooling sees lag.
 * - The inbox (event ids) also drops duplicates that the relay produced with new offsets after a crash.
 * - The offset write is conditional on the value read, so a member that kept processing after losing the
 *   partition in a rebalance cannot commit on top of the new owner.
 * - A message that fails parsing goes to the dead-letter topic at once; a handler that keeps failing goes
 *   there after `maxAttempts`; then the partition moves on. A handler failure rolls its chunk back: the
 *   messages before the failing one are applied again as a chunk of their own, the failing one alone (with
 *   backoff, until it succeeds or is dead-lettered), the rest after it. Infrastructure failures (PostgreSQL
 *   down) are retried without limit: they say nothing about the message.
 */

import { EVENT_HEADERS } from '@onestop/domain';
import {
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import pg from 'pg';
import { type BackoffOptions, backoffDelay, sleep } from '../backoff.js';
import {
  errorCodeOf,
  errorMessageOf,
  HandlerFailed,
  InvalidMessage,
  InvalidMessagingOption,
  OffsetConflict,
} from '../errors.js';
import { kafkaLogCreator, type MessagingLogger, stderrLogger } from '../logger.js';
import { type PgLocation, quoteIdent } from '../pg.js';
import type { KafkaConnection } from '../relay/relay.js';
import { DOSSIER_EVENTS_TOPIC, deadLetterTopicOf } from '../topics.js';
import { DEAD_LETTER_HEADERS } from './dead-letters.js';
import type { EventHandler, EventParser, SqlParam, SqlTransaction } from './handler.js';
import {
  advanceOffset,
  claimChunk,
  ensureConsumerTables,
  loadOffset,
  type PartitionKey,
  recordDeadLetter,
  releaseChunkTail,
} from './tables.js';

export interface KafkaConsumerOptions<E extends { readonly eventId: string }> {
  readonly kafka: KafkaConnection;
  /** The consumer group; also names this consumer's rows (inbox, offsets, dead letters). */
  readonly groupId: string;
  /** Default `onestop.dossier-events.v1`. */
  readonly topic?: string;
  /** Default `{topic}.dlq`. */
  readonly deadLetterTopic?: string;
  /** The database and schema of the effects; the handler's `tx` has `search_path` set to that schema. */
  readonly database: PgLocation;
  readonly parse: EventParser<E>;
  readonly handler: EventHandler<E, SqlTransaction>;
  /** Messages applied in one PostgreSQL transaction at most. Default 200. */
  readonly maxChunkSize?: number;
  /**
   * Handler time after which a chunk commits what it applied so far (its first effects are not visible before
   * the commit). Default 50 ms.
   */
  readonly maxChunkMs?: number;
  /** Handler attempts before a message is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Between handler attempts and infrastructure retries. Default 100 ms doubling to 5 s. */
  readonly backoff?: BackoffOptions;
  /**
   * Generous defaults so a slow handler does not trigger rebalance storms (kafkajs#375): the session lives
   * 30 s without a heartbeat, and the runner heartbeats after every chunk and between retries.
   */
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  readonly rebalanceTimeout?: number;
  /**
   * Where the consumer starts the first time it runs (no offset of this topic in PostgreSQL yet). Default true:
   * the beginning (the topic keeps everything). False: the end of every partition as it stands then, recorded
   * in PostgreSQL at that first start, so a later rebalance resumes from there instead of resolving "latest"
   * anew (which skipped what was produced in between: kafkajs's own `fromBeginning: false` does that).
   */
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel by this member. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** PostgreSQL connections. Default partitionsConsumedConcurrently + 1. */
  readonly poolSize?: number;
  readonly logger?: MessagingLogger;
  /**
   * Called for each message of a chunk, in offset order, once the chunk's transaction committed and before
   * anything is committed to Kafka: the window in which a crash leaves PostgreSQL ahead of Kafka. Fault tests
   * use it to kill the process there. Not called for skipped or dead-lettered messages.
   */
  readonly afterCommit?: (message: ConsumedMessage) => void | Promise<void>;
}

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventId: string;
  /**
   * False when the inbox already held the event id, or an earlier message of the same chunk carried it (a
   * redelivery): the handler was not called.
   */
  readonly applied: boolean;
}

export interface ConsumerMetrics {
  /** Handler applied (committed) in this process. */
  readonly applied: number;
  /** Skipped by the inbox (same event id) or by the stored offset (same message). */
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Failed handler attempts that were retried. */
  readonly retries: number;
  /** Infrastructure failures (PostgreSQL, Kafka) that were retried. */
  readonly infraRetries: number;
  readonly rebalances: number;
  /** Next offset per `topic:partition`, as last committed to PostgreSQL by this member. */
  readonly positions: Readonly<Record<string, string>>;
}

export interface KafkaConsumerRunner {
  /** True once the member joined its group and until it stops or crashes. */
  ready(): boolean;
  metrics(): ConsumerMetrics;
  /** Commits what the chunk in hand applied, leaves the group, closes connections. Wire it to SIGTERM. */
  stop(): Promise<void>;
}

/** How far below its stored offset a fetch may start before the consumer seeks instead of skipping. */
const FAR_BEHIND = 1_000n;

/**
 * Records the end offset of every partition as the consumer's starting point, unless it already has offsets
 * for `topic` (a restart keeps its place). One statement, so two members starting together agree.
 */
async function startAtTheEnd(kafka: Kafka, pool: pg.Pool, schema: string, consumer: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const s = quoteIdent(schema);
    await pool.query(
      `insert into ${s}.consumer_offsets (consumer, topic, partition, next_offset)
       select $1, $2, p, o from unnest($3::int[], $4::bigint[]) as t(p, o)
        where not exists (select 1 from ${s}.consumer_offsets where consumer = $1 and topic = $2)
       on conflict do nothing`,
      [consumer, topic, ends.map((e) => e.partition), ends.map((e) => e.offset)],
    );
  } finally {
    await admin.disconnect();
  }
}

export async function startKafkaConsumer<E extends { readonly eventId: string }>(
  options: KafkaConsumerOptions<E>,
): Promise<KafkaConsumerRunner> {
  const topic = options.topic ?? DOSSIER_EVENTS_TOPIC;
  const deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicOf(topic);
  const maxAttempts = options.maxAttempts ?? 5;
  const logger = options.logger ?? stderrLogger;
  const { schema } = options.database;
  const consumerName = options.groupId;
  const concurrency = options.partitionsConsumedConcurrently ?? 1;
  const maxChunkSize = positiveOption('maxChunkSize', options.maxChunkSize ?? 200);
  const maxChunkMs = positiveOption('maxChunkMs', options.maxChunkMs ?? 50);

  const pool = new pg.Pool({
    connectionString: options.database.connectionString,
    max: options.poolSize ?? concurrency + 1,
    // Handlers write unqualified table names: they land in the consumer's schema (a startup parameter, so
    // every pooled connection has it before its first query; spaces in it are backslash-escaped).
    options: `-c search_path=${quoteIdent(schema).replaceAll(' ', '\\ ')},public`,
  });
  pool.on('error', (error) =>
    logger.warn({ error: error.message }, 'consumer: idle PostgreSQL client failed'),
  );
  const setup = await pool.connect();
  try {
    await ensureConsumerTables(setup, schema);
  } finally {
    setup.release();
  }

  const kafka = new Kafka({
    clientId: options.kafka.clientId ?? `consumer-${options.groupId}`,
    brokers: [...options.kafka.brokers],
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeout ?? 30_000,
    heartbeatInterval: options.heartbeatInterval ?? 3_000,
    rebalanceTimeout: options.rebalanceTimeout ?? 60_000,
    allowAutoTopicCreation: false,
    // A crash is restarted by kafkajs (with its backoff) instead of leaving a silent dead member.
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000, restartOnFailure: async () => true },
  });
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });

  const stopping = new AbortController();
  let joined = false;
  let crashed = false;
  const counters = { applied: 0, duplicates: 0, deadLettered: 0, retries: 0, infraRetries: 0, rebalances: 0 };
  /** Next offset per partition as PostgreSQL holds it; loaded at the first batch after each assignment. */
  const positions = new Map<string, bigint | undefined>();
  /** Partitions we already sought back to their stored offset once (to tell a gap from a stale fetch). */
  const soughtTo = new Map<string, bigint>();
  /** Kafka offset commits still in flight. */
  const kafkaCommits = new Set<Promise<void>>();

  consumer.on(consumer.events.GROUP_JOIN, () => {
    // Another member may have moved any partition since: re-read every offset from PostgreSQL.
    positions.clear();
    soughtTo.clear();
    joined = true;
    crashed = false;
    counters.rebalances++;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = true;
    logger.warn({ error: payload.error.message, restart: payload.restart }, 'consumer: crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });

  async function inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Retries `fn` until it succeeds or the runner stops; for writes that must happen (DLQ, offsets). */
  async function untilDone<T>(
    what: string,
    heartbeat: () => Promise<void>,
    fn: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (OffsetConflict.is(error) || stopping.signal.aborted) throw error;
        counters.infraRetries++;
        logger.warn({ error: errorMessageOf(error), attempt }, `consumer: ${what} failed, retrying`);
        await sleep(backoffDelay(attempt, options.backoff), stopping.signal);
        await heartbeat();
      }
    }
  }

  async function deadLetter(
    message: KafkaMessage,
    partition: number,
    expected: bigint | undefined,
    failure: { error: unknown; code: string; attempts: number; eventId: string | undefined },
    heartbeat: () => Promise<void>,
  ): Promise<bigint> {
    const offset = BigInt(message.offset);
    const errorMessage = errorMessageOf(failure.error).slice(0, 2_000);
    const headers: IHeaders = {
      ...message.headers,
      [DEAD_LETTER_HEADERS.errorCode]: failure.code,
      [DEAD_LETTER_HEADERS.errorMessage]: errorMessage,
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(partition),
      [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
      [DEAD_LETTER_HEADERS.consumerGroup]: options.groupId,
      [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
    };
    await untilDone('dead-letter send', heartbeat, () =>
      producer.send({
        topic: deadLetterTopic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers }],
      }),
    );
    await untilDone('dead-letter bookkeeping', heartbeat, () =>
      inTransaction(async (client) => {
        await recordDeadLetter(client, schema, {
          consumer: consumerName,
          topic,
          partition,
          offset,
          eventId: failure.eventId,
          errorCode: failure.code,
          errorMessage,
          attempts: failure.attempts,
        });
        await advanceOffset(
          client,
          schema,
          { consumer: consumerName, topic, partition },
          expected,
          offset + 1n,
        );
      }),
    );
    counters.deadLettered++;
    logger.warn(
      { topic, partition, offset: message.offset, code: failure.code, error: errorMessage },
      'consumer: message dead-lettered',
    );
    return offset + 1n;
  }

  /** The event of a message, or why it must be dead-lettered without a handler attempt. */
  function parseMessage(
    message: KafkaMessage,
    partition: number,
  ): { readonly event: E } | { readonly invalid: unknown } {
    try {
      const text = message.value?.toString('utf8');
      if (text === undefined) {
        throw InvalidMessage('empty message value', {
          details: { topic, partition, offset: message.offset },
        });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw InvalidMessage(`value is not JSON: ${errorMessageOf(error)}`, {
          details: { topic, partition, offset: message.offset },
          cause: error,
        });
      }
      return { event: options.parse(raw) };
    } catch (error) {
      return { invalid: error };
    }
  }

  /**
   * One transaction over a prefix of `chunk`: claims the offsets and inbox rows, runs the handler for each new
   * event, commits. Returns how many messages it applied (all, unless the time budget or a stop cut it short),
   * the index of the message whose handler failed (everything rolled back), or an infrastructure failure.
   * Throws OffsetConflict (rolled back) when another member moved the partition's offset.
   */
  async function applyChunk(
    chunk: readonly Parsed<E>[],
    key: PartitionKey,
    expected: bigint | undefined,
  ): Promise<ChunkOutcome> {
    const first = chunk[0];
    if (first === undefined) return { kind: 'committed', applied: [] };
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return { kind: 'infrastructure', error };
    }
    let failedAt: number | undefined;
    let broken: Error | undefined;
    try {
      await client.query('begin');
      // A run's offsets have no gaps: the chunk ends at its first offset + its length.
      const end = first.offset + BigInt(chunk.length);
      const fresh = await claimChunk(client, schema, key, expected, end, chunk.map(claimOf));
      const tx = sqlTransaction(client);
      const started = performance.now();
      let done = 0;
      for (const item of chunk) {
        if (done > 0 && (stopping.signal.aborted || performance.now() - started >= maxChunkMs)) break;
        if (fresh.has(item.message.offset)) {
          failedAt = done;
          await options.handler(item.event, tx);
          failedAt = undefined;
        }
        done++;
      }
      const applied = chunk.slice(0, done).map((item) => fresh.has(item.message.offset));
      if (done < chunk.length) {
        const unclaimed = chunk.slice(done).filter((item) => fresh.has(item.message.offset));
        await releaseChunkTail(
          client,
          schema,
          key,
          first.offset + BigInt(done),
          unclaimed.map((item) => item.event.eventId),
        );
      }
      await client.query('commit');
      return { kind: 'committed', applied };
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      if (OffsetConflict.is(error)) throw error;
      if (failedAt !== undefined && !isInfrastructureError(error)) {
        return { kind: 'handler-failed', index: failedAt, error };
      }
      return { kind: 'infrastructure', error };
    } finally {
      client.release(broken);
    }
  }

  /**
   * Applies consecutive valid messages of one partition, chunk by chunk, dead-lettering those whose handler
   * keeps failing. Returns how many it got through (fewer than all only when it must stop); throws
   * OffsetConflict.
   */
  async function applyRun(
    run: readonly Parsed<E>[],
    partition: PartitionState,
    keepGoing: () => boolean,
  ): Promise<number> {
    const key: PartitionKey = { consumer: consumerName, topic, partition: partition.partition };
    /** Failed handler attempts (and the last error) per offset, for the messages of this run. */
    const failures = new Map<string, { attempts: number; error: unknown }>();
    /** Index in `rest` of the message that failed last: chunks stop before it, then it runs alone. */
    let isolate: number | undefined;
    let infrastructureAttempts = 0;
    let rest = run;
    while (rest.length > 0 && keepGoing()) {
      const head = rest[0];
      if (head === undefined) break;
      const headFailures = isolate === 0 ? failures.get(head.message.offset) : undefined;
      if (headFailures !== undefined && headFailures.attempts >= maxAttempts) {
        const failure = HandlerFailed(
          `handler failed ${headFailures.attempts} times: ${errorMessageOf(headFailures.error)}`,
          { details: { attempts: headFailures.attempts }, cause: headFailures.error },
        );
        const next = await deadLetter(
          head.message,
          partition.partition,
          positions.get(partition.key),
          {
            error: failure,
            code: errorCodeOf(headFailures.error, HandlerFailed.code),
            attempts: headFailures.attempts,
            eventId: head.event.eventId,
          },
          partition.heartbeat,
        );
        partition.advanced(next, head.message.offset);
        rest = rest.slice(1);
        isolate = undefined;
        continue;
      }
      if (headFailures !== undefined) {
        counters.retries++;
        logger.warn(
          {
            topic,
            partition: partition.partition,
            offset: head.message.offset,
            attempt: headFailures.attempts,
            error: errorMessageOf(headFailures.error),
          },
          'consumer: handler failed, retrying',
        );
        await sleep(backoffDelay(headFailures.attempts, options.backoff), stopping.signal);
        await partition.heartbeat();
        if (!keepGoing()) break;
      }
      const size = Math.min(maxChunkSize, isolate === undefined ? rest.length : Math.max(isolate, 1));
      const chunk = rest.slice(0, size);
      const outcome = await applyChunk(chunk, key, positions.get(partition.key));
      if (outcome.kind === 'committed') {
        infrastructureAttempts = 0;
        const done = outcome.applied.length;
        const last = chunk[done - 1];
        if (last !== undefined) partition.advanced(last.offset + 1n, last.message.offset);
        for (const [i, applied] of outcome.applied.entries()) {
          if (applied) counters.applied++;
          else counters.duplicates++;
          const item = chunk[i];
          if (item !== undefined) {
            await options.afterCommit?.({
              topic,
              partition: partition.partition,
              offset: item.message.offset,
              eventId: item.event.eventId,
              applied,
            });
          }
        }
        rest = rest.slice(done);
        // A chunk never reaches past the isolated message: it is now `done` closer, or was the chunk itself.
        isolate = isolate === undefined || isolate === 0 ? undefined : isolate - done;
        if (isolate === undefined && failures.size > 0) failures.clear();
        await partition.heartbeat();
      } else if (outcome.kind === 'handler-failed') {
        const failed = chunk[outcome.index]?.message.offset ?? head.message.offset;
        const before = failures.get(failed)?.attempts ?? 0;
        failures.set(failed, { attempts: before + 1, error: outcome.error });
        isolate = outcome.index;
      } else {
        // PostgreSQL, not the message, failed: wait for it, without spending the message's attempts.
        if (stopping.signal.aborted) break;
        infrastructureAttempts++;
        counters.infraRetries++;
        logger.warn({ error: errorMessageOf(outcome.error) }, 'consumer: transaction failed, retrying');
        await sleep(backoffDelay(infrastructureAttempts, options.backoff), stopping.signal);
        await partition.heartbeat();
      }
    }
    return run.length - rest.length;
  }

  /**
   * Applies the message at `messages[from]` (at the partition's next offset): dead-letters it if invalid,
   * otherwise applies it with the valid messages right after it that follow without an offset gap. Returns how
   * many messages it got through: 0 when it had to stop; fewer than the run when it stopped in it.
   */
  async function applyFrom(
    messages: readonly KafkaMessage[],
    from: number,
    partition: PartitionState,
    keepGoing: () => boolean,
  ): Promise<number> {
    const message = messages[from];
    if (message === undefined) return 0;
    const parsed = parseMessage(message, partition.partition);
    if ('invalid' in parsed) {
      const next = await deadLetter(
        message,
        partition.partition,
        positions.get(partition.key),
        {
          error: parsed.invalid,
          code: errorCodeOf(parsed.invalid, InvalidMessage.code),
          attempts: 0,
          eventId: headerText(message, EVENT_HEADERS.eventId),
        },
        partition.heartbeat,
      );
      partition.advanced(next, message.offset);
      await partition.heartbeat();
      return 1;
    }
    const offset = BigInt(message.offset);
    const run: Parsed<E>[] = [{ message, offset, event: parsed.event }];
    for (let j = from + 1; j < messages.length; j++) {
      const following = messages[j];
      if (following === undefined || BigInt(following.offset) !== offset + BigInt(run.length)) break;
      const parsedFollowing = parseMessage(following, partition.partition);
      // An invalid message ends the run: it is dead-lettered once the messages before it are applied.
      if ('invalid' in parsedFollowing) break;
      run.push({ message: following, offset: BigInt(following.offset), event: parsedFollowing.event });
    }
    const done = await applyRun(run, partition, keepGoing);
    return done < run.length ? 0 : done;
  }

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const key = `${batch.topic}:${batch.partition}`;
    if (!positions.has(key)) {
      positions.set(
        key,
        await untilDone('offset read', heartbeat, () =>
          loadOffset(pool, schema, consumerName, topic, batch.partition),
        ),
      );
    }
    const keepGoing = () => isRunning() && !isStale() && !stopping.signal.aborted;
    let committed: bigint | undefined;
    const partition: PartitionState = {
      partition: batch.partition,
      key,
      heartbeat,
      advanced(next, offset) {
        positions.set(key, next);
        committed = next;
        resolveOffset(offset);
      },
    };
    const messages = batch.messages;
    try {
      let i = 0;
      while (i < messages.length && keepGoing()) {
        const message = messages[i];
        if (message === undefined) break;
        const offset = BigInt(message.offset);
        const next = positions.get(key);
        if (next !== undefined && offset < next) {
          counters.duplicates++;
          resolveOffset(message.offset);
          i++;
          continue;
        }
        if (next !== undefined && offset + FAR_BEHIND < next && soughtTo.get(key) !== next) {
          // Far below PostgreSQL's offset (a consumer that started at the end of a long topic): jump, do not
          // skip message by message.
          soughtTo.set(key, next);
          consumer.seek({ topic, partition: batch.partition, offset: next.toString() });
          break;
        }
        if (next !== undefined && offset > next && soughtTo.get(key) !== next) {
          // Kafka's position is ahead of PostgreSQL's (its commit is only a trailing copy): go back once. If the
          // log still starts past `next` after that, the offsets in between do not exist (a gap) and we go on.
          soughtTo.set(key, next);
          consumer.seek({ topic, partition: batch.partition, offset: next.toString() });
          break;
        }
        let done: number;
        try {
          done = await applyFrom(messages, i, partition, keepGoing);
        } catch (error) {
          if (!OffsetConflict.is(error)) throw error;
          // Someone else owns this partition now, or did meanwhile: resume from what PostgreSQL says.
          logger.warn(
            { topic, partition: batch.partition },
            'consumer: offset moved by another member, re-reading it',
          );
          positions.delete(key);
          soughtTo.delete(key);
          const stored = await loadOffset(pool, schema, consumerName, topic, batch.partition);
          if (stored !== undefined) {
            consumer.seek({ topic, partition: batch.partition, offset: stored.toString() });
          }
          break;
        }
        if (done === 0) break;
        i += done;
      }
    } finally {
      if (committed !== undefined) {
        // Trailing copy for tooling (kafka-consumer-groups, lag exporters); PostgreSQL stays the truth, so the
        // next fetch does not wait for it, except when stopping: it must land before the member leaves.
        const commit = consumer
          .commitOffsets([{ topic, partition: batch.partition, offset: committed.toString() }])
          .catch((error: unknown) =>
            logger.info({ error: errorMessageOf(error) }, 'consumer: Kafka commit skipped'),
          )
          .finally(() => kafkaCommits.delete(commit));
        kafkaCommits.add(commit);
        if (!keepGoing()) await Promise.all(kafkaCommits);
      }
    }
  }

  await producer.connect();
  if (options.fromBeginning === false) await startAtTheEnd(kafka, pool, schema, consumerName, topic);
  await consumer.connect();
  // PostgreSQL's offsets decide where each partition starts; one without any starts at the beginning.
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch,
  });

  let stopped: Promise<void> | undefined;
  return {
    ready: () => joined && !crashed && !stopping.signal.aborted,
    metrics: () => ({
      ...counters,
      positions: Object.fromEntries(
        [...positions].flatMap(([k, v]) => (v === undefined ? [] : [[k, v.toString()] as const])),
      ),
    }),
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await consumer.disconnect().catch(() => {});
        await producer.disconnect().catch(() => {});
        await pool.end().catch(() => {});
      })();
      return stopped;
    },
  };
}

interface Parsed<E> {
  readonly message: KafkaMessage;
  readonly offset: bigint;
  readonly event: E;
}

type ChunkOutcome =
  /** Per message applied, in order: true when its handler ran, false for a redelivery. */
  | { readonly kind: 'committed'; readonly applied: readonly boolean[] }
  | { readonly kind: 'handler-failed'; readonly index: number; readonly error: unknown }
  | { readonly kind: 'infrastructure'; readonly error: unknown };

/** The partition a batch belongs to, as the chunk loop needs it. */
interface PartitionState {
  readonly partition: number;
  /** `topic:partition`, the key of `positions`. */
  readonly key: string;
  heartbeat(): Promise<void>;
  /** PostgreSQL committed up to `next` (the message at `offset` included). */
  advanced(next: bigint, offset: string): void;
}

function claimOf<E extends { readonly eventId: string }>(item: Parsed<E>) {
  return { eventId: item.event.eventId, offset: item.offset };
}

function positiveOption(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw InvalidMessagingOption(`${option} must be positive, got ${value}`, { details: { option } });
  }
  return value;
}

function sqlTransaction(client: pg.PoolClient): SqlTransaction {
  return {
    async query(sql: string, params: readonly SqlParam[] = []) {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}

function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Connection-level failures (SQLSTATE classes 08, 53, 57P; socket errors): retried, never dead-lettered. */
export function isInfrastructureError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (/^(08|53|57P)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Client has encountered a connection error|connection timeout/i.test(message);
}
