/**
 * The Kafka transport of the consumer runner: a kafkajs consumer group whose effects, inbox row and offset
 * commit in ONE PostgreSQL transaction per message (exactly-once effect over at-least-once delivery).
 *
 * - PostgreSQL's offsets are the truth. On each assignment the first batch of a partition is checked against
 *   them: messages below the stored offset are skipped (already applied), and a fetch that starts beyond it
 *   seeks back. Kafka's committed offsets are written after PostgreSQL's, only so standard tooling sees lag.
 * - The inbox (event ids) also drops duplicates that the relay produced with new offsets after a crash.
 * - The offset write is conditional on the value read, so a member that kept processing after losing the
 *   partition in a rebalance cannot commit on top of the new owner.
 * - A message that fails parsing goes to the dead-letter topic at once; a handler that keeps failing goes
 *   there after `maxAttempts`; then the partition moves on. Infrastructure failures (PostgreSQL down) are
 *   retried without limit: they say nothing about the message.
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
import { errorCodeOf, errorMessageOf, HandlerFailed, InvalidMessage, OffsetConflict } from '../errors.js';
import { kafkaLogCreator, type MessagingLogger, stderrLogger } from '../logger.js';
import { type PgLocation, quoteIdent } from '../pg.js';
import type { KafkaConnection } from '../relay/relay.js';
import { DOSSIER_EVENTS_TOPIC, deadLetterTopicOf } from '../topics.js';
import { DEAD_LETTER_HEADERS } from './dead-letters.js';
import type { EventHandler, EventParser, SqlParam, SqlTransaction } from './handler.js';
import { advanceOffset, claimInbox, ensureConsumerTables, loadOffset, recordDeadLetter } from './tables.js';

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
  /** Handler attempts before a message is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Between handler attempts and infrastructure retries. Default 100 ms doubling to 5 s. */
  readonly backoff?: BackoffOptions;
  /**
   * Generous defaults so a slow handler does not trigger rebalance storms (kafkajs#375): the session lives
   * 30 s without a heartbeat, and the runner heartbeats after every message and between retries.
   */
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  readonly rebalanceTimeout?: number;
  /** Where a partition with no offset in PostgreSQL starts. Default true (the topic keeps everything). */
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel by this member. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** PostgreSQL connections. Default partitionsConsumedConcurrently + 1. */
  readonly poolSize?: number;
  readonly logger?: MessagingLogger;
  /**
   * Called after a message's transaction committed and before anything is committed to Kafka: the window
   * in which a crash leaves PostgreSQL ahead of Kafka. Fault tests use it to kill the process there.
   */
  readonly afterCommit?: (message: ConsumedMessage) => void | Promise<void>;
}

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventId: string;
  /** False when the inbox already held the event id (a redelivery): the handler was not called. */
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
  /** Finishes the message in hand, leaves the group, closes connections. Wire it to SIGTERM. */
  stop(): Promise<void>;
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

  /** Applies one message; returns the partition's next offset. Throws OffsetConflict or on stop. */
  async function handle(
    message: KafkaMessage,
    partition: number,
    expected: bigint | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<bigint> {
    const offset = BigInt(message.offset);
    let event: E;
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
      event = options.parse(raw);
    } catch (error) {
      return deadLetter(
        message,
        partition,
        expected,
        {
          error,
          code: errorCodeOf(error, InvalidMessage.code),
          attempts: 0,
          eventId: headerText(message, EVENT_HEADERS.eventId),
        },
        heartbeat,
      );
    }

    for (let attempt = 1; ; attempt++) {
      let handlerError: { error: unknown } | undefined;
      try {
        const applied = await inTransaction(async (client) => {
          const fresh = await claimInbox(client, schema, {
            consumer: consumerName,
            eventId: event.eventId,
            topic,
            partition,
            offset,
          });
          if (fresh) {
            try {
              await options.handler(event, sqlTransaction(client));
            } catch (error) {
              handlerError = { error };
              throw error;
            }
          }
          await advanceOffset(
            client,
            schema,
            { consumer: consumerName, topic, partition },
            expected,
            offset + 1n,
          );
          return fresh;
        });
        if (applied) counters.applied++;
        else counters.duplicates++;
        await options.afterCommit?.({
          topic,
          partition,
          offset: message.offset,
          eventId: event.eventId,
          applied,
        });
        return offset + 1n;
      } catch (error) {
        if (OffsetConflict.is(error) || stopping.signal.aborted) throw error;
        if (handlerError === undefined || isInfrastructureError(error)) {
          // PostgreSQL, not the message, failed: wait for it, without spending the message's attempts.
          counters.infraRetries++;
          attempt--;
          logger.warn({ error: errorMessageOf(error) }, 'consumer: transaction failed, retrying');
        } else if (attempt >= maxAttempts) {
          const failure = HandlerFailed(`handler failed ${attempt} times: ${errorMessageOf(error)}`, {
            details: { attempts: attempt },
            cause: error,
          });
          return deadLetter(
            message,
            partition,
            expected,
            {
              error: failure,
              code: errorCodeOf(error, HandlerFailed.code),
              attempts: attempt,
              eventId: event.eventId,
            },
            heartbeat,
          );
        } else {
          counters.retries++;
          logger.warn(
            { topic, partition, offset: message.offset, attempt, error: errorMessageOf(error) },
            'consumer: handler failed, retrying',
          );
        }
        await sleep(backoffDelay(Math.max(attempt, 1), options.backoff), stopping.signal);
        await heartbeat();
      }
    }
  }

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const key = `${batch.topic}:${partition}`;
    if (!positions.has(key)) {
      positions.set(
        key,
        await untilDone('offset read', heartbeat, () =>
          loadOffset(pool, schema, consumerName, topic, partition),
        ),
      );
    }
    let committed: bigint | undefined;
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || stopping.signal.aborted) break;
        const offset = BigInt(message.offset);
        const next = positions.get(key);
        if (next !== undefined && offset < next) {
          counters.duplicates++;
          resolveOffset(message.offset);
          continue;
        }
        if (next !== undefined && offset > next && soughtTo.get(key) !== next) {
          // Kafka's position is ahead of PostgreSQL's (its commit is only a trailing copy): go back once. If the
          // log still starts past `next` after that, the offsets in between do not exist (a gap) and we go on.
          soughtTo.set(key, next);
          consumer.seek({ topic, partition, offset: next.toString() });
          break;
        }
        try {
          const after = await handle(message, partition, next, heartbeat);
          positions.set(key, after);
          committed = after;
        } catch (error) {
          if (!OffsetConflict.is(error)) throw error;
          // Someone else owns this partition now, or did meanwhile: resume from what PostgreSQL says.
          logger.warn({ topic, partition }, 'consumer: offset moved by another member, re-reading it');
          positions.delete(key);
          soughtTo.delete(key);
          const stored = await loadOffset(pool, schema, consumerName, topic, partition);
          if (stored !== undefined) consumer.seek({ topic, partition, offset: stored.toString() });
          break;
        }
        resolveOffset(message.offset);
        await heartbeat();
      }
    } finally {
      if (committed !== undefined) {
        // Trailing copy for tooling (kafka-consumer-groups, lag exporters); PostgreSQL stays the truth.
        await consumer
          .commitOffsets([{ topic, partition, offset: committed.toString() }])
          .catch((error: unknown) =>
            logger.info({ error: errorMessageOf(error) }, 'consumer: Kafka commit skipped'),
          );
      }
    }
  }

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
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
