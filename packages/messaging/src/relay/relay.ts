/**
 * The relay (DESIGN.md section 1): tails one store's committed events and publishes them to Kafka, keyed by
 * dossier. It never writes twice from the request path ("save then publish"); it follows the store.
 *
 * Guarantees:
 * - at-least-once, in store order: a batch is sent with an idempotent producer (acks = all, one request in
 *   flight) and the checkpoint advances only after Kafka acknowledged it. A crash between the two re-sends
 *   the batch; consumers dedupe by event id.
 * - never drops or skips: a failed send is retried with capped exponential backoff until it succeeds; the
 *   subscription is paused meanwhile (bounded buffer), so memory stays bounded while Kafka is down.
 * - one publisher per store: a PostgreSQL session advisory lock. Standbys poll for it and take over when the
 *   holder's connection closes (process death closes it). The checkpoint is saved over the lock's own
 *   connection, so a relay whose connection died cannot advance it.
 *
 * Throughput (docs/decisions/0007): the kafkajs producer runs on a worker thread (`producer-thread.ts`), so the
 * store is read and the next batch built while the previous one is encoded and sent; the payload text the store
 * kept is spliced into the Kafka value, not serialized again (`rawDataOf`).
 */
import type { Checkpoint, EventStore, StoredEvent, Subscription } from '@onestop/event-store';
import type pg from 'pg';
import { type BackoffOptions, backoffDelay, sleep } from '../backoff.js';
import { type RelayMessage, toRelayMessage } from '../envelope.js';
import { errorMessageOf, RelayLockLost } from '../errors.js';
import { type MessagingLogger, stderrLogger } from '../logger.js';
import { type PgLocation, pgClient } from '../pg.js';
import { DOSSIER_EVENTS_TOPIC } from '../topics.js';
import { ensureRelayTables, loadRelayCheckpoint, relayLockKey, saveRelayCheckpoint } from './checkpoints.js';
import { startProducerThread } from './producer-thread.js';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId?: string;
}

export interface RelayOptions {
  readonly store: EventStore;
  readonly kafka: KafkaConnection;
  /** The service whose store this is (`intake`, …): names the checkpoint, and the `source` header fallback. */
  readonly source: string;
  /** Where the checkpoint and the lock live (normally the store's own database and schema). */
  readonly checkpointStore: PgLocation;
  /** Advisory lock name; relays with the same key exclude each other. Default `relay:{schema}:{source}`. */
  readonly lockKey?: string;
  /** Default `onestop.dossier-events.v1`. */
  readonly topic?: string;
  /** Most events per Kafka request. Default 500. */
  readonly batchSize?: number;
  /** Most bytes (keys + values) per Kafka request. Default 512 KiB (the broker's limit is 1 MiB). */
  readonly maxBatchBytes?: number;
  /** Events read ahead of Kafka at most (the bounded buffer). Default 2 × batchSize. */
  readonly maxBuffered?: number;
  /** How often a standby tries to take the lock. Default 1,000 ms. */
  readonly lockPollMs?: number;
  /**
   * Which stored events go to the topic (default: all). A store may hold the service's own bookkeeping
   * (intake's `DossierCodeDrawn`, `IdempotencyKeyClaimed`) beside its domain events; pass
   * `inDossierCatalogue` so only catalogue events are published. Skipped events still advance the checkpoint.
   */
  readonly include?: (event: StoredEvent) => boolean;
  /** Backoff of failed sends and of restarts after an error. Default 100 ms doubling to 5 s. */
  readonly backoff?: BackoffOptions;
  readonly logger?: MessagingLogger;
  /**
   * Called after Kafka acknowledged a batch and before its checkpoint is saved: the window in which a crash
   * re-sends the batch. Fault tests use it to kill the process there.
   */
  readonly afterSend?: (batch: PublishedBatch) => void | Promise<void>;
  /** Called after each batch was acknowledged by Kafka and its checkpoint saved. */
  readonly onPublished?: (batch: PublishedBatch) => void;
}

export interface PublishedBatch {
  /** Events sent to Kafka (skipped events are not counted). */
  readonly count: number;
  readonly firstEventId: string;
  readonly lastEventId: string;
  readonly checkpoint: Checkpoint;
}

export interface RelayMetrics {
  /** Holds the lock and publishes. */
  readonly leader: boolean;
  /** The last contact with Kafka succeeded. */
  readonly ready: boolean;
  /** Events published (acknowledged and checkpointed) by this process. */
  readonly published: number;
  /** Events passed over by the `include` filter (their position is checkpointed, nothing is sent). */
  readonly skipped: number;
  readonly batches: number;
  /** Failed send attempts (each retried). */
  readonly sendFailures: number;
  /** Events read from the store and not yet acknowledged by Kafka. */
  readonly buffered: number;
  readonly checkpoint: Checkpoint | undefined;
  /** Epoch ms of the last acknowledged batch. */
  readonly lastPublishedAt: number | undefined;
  /** How many times this process became leader. */
  readonly leaderships: number;
}

export interface Relay {
  /** False while Kafka is unreachable (and before the first successful contact). */
  ready(): boolean;
  isLeader(): boolean;
  metrics(): RelayMetrics;
  /** Stops reading, lets the batch in flight finish (or abandons its retries), releases the lock. */
  stop(): Promise<void>;
  /** Settles when the relay has stopped. */
  readonly done: Promise<void>;
}

interface Pending {
  readonly event: StoredEvent;
  readonly checkpoint: Checkpoint;
  /** Undefined for an event the `include` filter skipped: only its position travels with the batch. */
  readonly message: RelayMessage | undefined;
  readonly bytes: number;
}

export function startRelay(options: RelayOptions): Relay {
  const topic = options.topic ?? DOSSIER_EVENTS_TOPIC;
  const batchSize = options.batchSize ?? 500;
  const maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
  const maxBuffered = Math.max(options.maxBuffered ?? 2 * batchSize, batchSize);
  const lockPollMs = options.lockPollMs ?? 1_000;
  const logger = options.logger ?? stderrLogger;
  const lockKey = options.lockKey ?? relayLockKey(options.checkpointStore.schema, options.source);
  const name = options.source;
  const include = options.include ?? (() => true);

  const producer = startProducerThread({
    brokers: options.kafka.brokers,
    clientId: options.kafka.clientId ?? `relay-${options.source}`,
    logger,
  });

  const stopping = new AbortController();
  let ready = false;
  let leader = false;
  let publishedCount = 0;
  let skippedCount = 0;
  let batches = 0;
  let sendFailures = 0;
  let leaderships = 0;
  let checkpoint: Checkpoint | undefined;
  let lastPublishedAt: number | undefined;
  let buffer: Pending[] = [];

  /** Resolves once Kafka acknowledged `messages`; false when the relay stops or loses the lock first. */
  async function send(messages: RelayMessage[], abort: AbortSignal): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (abort.aborted) return false;
      try {
        await producer.send(topic, messages);
        if (!ready) logger.info({ topic }, 'relay: Kafka reachable');
        ready = true;
        return true;
      } catch (error) {
        sendFailures++;
        if (ready || attempt === 1) {
          logger.warn({ topic, error: errorMessageOf(error), attempt }, 'relay: send failed, retrying');
        }
        ready = false;
        // A producer that failed repeatedly may hold dead connections or a stale producer id: start afresh.
        if (attempt % 3 === 0) await producer.drop().catch(() => undefined);
        await sleep(backoffDelay(attempt, options.backoff), abort);
      }
    }
  }

  /** Polls the advisory lock on a dedicated connection; returns it holding the lock, or undefined on stop. */
  async function acquireLock(): Promise<pg.Client | undefined> {
    const client = pgClient(options.checkpointStore.connectionString, (error) =>
      logger.warn({ error: error.message }, 'relay: lock connection error'),
    );
    await client.connect();
    try {
      await ensureRelayTables(client, options.checkpointStore.schema);
      while (!stopping.signal.aborted) {
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
          [lockKey],
        );
        if (rows[0]?.locked === true) return client;
        await sleep(lockPollMs, stopping.signal);
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    await client.end().catch(() => {});
    return undefined;
  }

  async function publishWhileLeader(lock: pg.Client): Promise<void> {
    const lost = new AbortController();
    const onEnd = () => lost.abort(RelayLockLost('relay lock connection closed', { details: { lockKey } }));
    lock.once('end', onEnd);
    lock.on('error', onEnd);
    const abort = AbortSignal.any([stopping.signal, lost.signal]);

    checkpoint = await loadRelayCheckpoint(lock, options.checkpointStore.schema, name);
    buffer = [];
    /** The checkpoint saves of acknowledged batches, in order (see below). */
    let saving: Promise<void> = Promise.resolve();
    let saveFailure: { error: unknown } | undefined;
    let wakePublisher: (() => void) | undefined;
    let wakeReader: (() => void) | undefined;
    let subscriptionError: unknown;
    let subscriptionEnded = false;
    const wake = () => {
      wakePublisher?.();
      wakePublisher = undefined;
    };
    abort.addEventListener('abort', () => {
      wake();
      wakeReader?.();
    });

    const subscription: Subscription = options.store.subscribeToAll({
      ...(checkpoint === undefined ? {} : { after: checkpoint }),
      signal: abort,
      handler: async (event, position) => {
        // Back-pressure: while Kafka is slow or down the buffer fills and the store is no longer read.
        while (buffer.length >= maxBuffered && !abort.aborted) {
          await new Promise<void>((resolve) => {
            wakeReader = resolve;
          });
        }
        if (abort.aborted) return;
        const message = include(event) ? toRelayMessage(event, options.source) : undefined;
        buffer.push({
          event,
          checkpoint: position,
          message,
          bytes: message === undefined ? 0 : message.key.length + message.value.length,
        });
        wake();
      },
    });
    subscription.done.then(
      () => {
        subscriptionEnded = true;
        wake();
      },
      (error: unknown) => {
        subscriptionError = error;
        subscriptionEnded = true;
        wake();
      },
    );

    try {
      while (!abort.aborted) {
        if (saveFailure !== undefined) throw saveFailure.error;
        if (buffer.length === 0) {
          if (subscriptionEnded) {
            if (subscriptionError !== undefined) throw subscriptionError;
            return;
          }
          await new Promise<void>((resolve) => {
            wakePublisher = resolve;
          });
          continue;
        }
        const batch = takeBatch(buffer, batchSize, maxBatchBytes);
        const last = batch.at(-1);
        if (last === undefined) continue;
        const sent = batch.filter((p): p is Pending & { message: RelayMessage } => p.message !== undefined);
        const first = sent[0];
        const lastSent = sent.at(-1);
        const published: PublishedBatch | undefined =
          first === undefined || lastSent === undefined
            ? undefined
            : {
                count: sent.length,
                firstEventId: first.event.eventId,
                lastEventId: lastSent.event.eventId,
                checkpoint: last.checkpoint,
              };
        if (published !== undefined) {
          if (
            !(await send(
              sent.map((p) => p.message),
              abort,
            ))
          )
            break;
        }
        // The previous batch's checkpoint was saved while this one was sent: wait for it here, so that a crash at
        // any point re-sends one batch at most (this one), and saves never queue up.
        await saving;
        if (published !== undefined) await options.afterSend?.(published);
        buffer.splice(0, batch.length);
        wakeReader?.();
        wakeReader = undefined;
        // Saved while the next batch is sent; a failure stops the loop at the next batch (these events were
        // acknowledged, so at worst they are sent again after a restart).
        const skipped = batch.length - sent.length;
        saving = saving.then(async () => {
          try {
            await saveRelayCheckpoint(
              lock,
              options.checkpointStore.schema,
              name,
              last.checkpoint,
              sent.length,
            );
          } catch (error) {
            throw RelayLockLost('relay could not save its checkpoint over the lock connection', {
              details: { lockKey },
              cause: error,
            });
          }
          checkpoint = last.checkpoint;
          skippedCount += skipped;
          if (published !== undefined) {
            publishedCount += sent.length;
            batches++;
            lastPublishedAt = Date.now();
            options.onPublished?.(published);
          }
        });
        // Observed at the top of the loop and awaited after the next send; never unhandled in between.
        saving.catch((error: unknown) => {
          saveFailure ??= { error };
        });
      }
      if (lost.signal.aborted) throw lost.signal.reason;
      await saving;
    } finally {
      await saving.catch(() => undefined);
      lock.off('end', onEnd);
      lock.off('error', onEnd);
      await subscription.stop();
      buffer = [];
    }
  }

  async function run(): Promise<void> {
    // Connect early so `ready()` says whether Kafka is reachable even on a standby.
    await producer.connect().then(
      () => {
        ready = true;
      },
      (error: unknown) => logger.warn({ error: errorMessageOf(error) }, 'relay: Kafka not reachable yet'),
    );
    let failures = 0;
    while (!stopping.signal.aborted) {
      let lock: pg.Client | undefined;
      try {
        lock = await acquireLock();
        if (lock === undefined) break;
        leader = true;
        leaderships++;
        logger.info({ lockKey, source: options.source }, 'relay: leader');
        await publishWhileLeader(lock);
        failures = 0;
      } catch (error) {
        failures++;
        logger.warn({ lockKey, error: errorMessageOf(error) }, 'relay: restarting after error');
        await sleep(backoffDelay(failures, options.backoff), stopping.signal);
      } finally {
        leader = false;
        // Ending the session releases the advisory lock.
        await lock?.end().catch(() => {});
      }
    }
    await producer.close();
    ready = false;
  }

  const done = run();
  return {
    ready: () => ready,
    isLeader: () => leader,
    metrics: () => ({
      leader,
      ready,
      published: publishedCount,
      skipped: skippedCount,
      batches,
      sendFailures,
      buffered: buffer.length,
      checkpoint,
      lastPublishedAt,
      leaderships,
    }),
    async stop() {
      stopping.abort();
      await done;
    },
    done,
  };
}

function takeBatch(buffer: readonly Pending[], maxCount: number, maxBytes: number): Pending[] {
  const batch: Pending[] = [];
  let bytes = 0;
  for (const pending of buffer) {
    if (batch.length === maxCount) break;
    // One oversized event still goes alone: the broker, not the relay, decides whether it fits.
    if (batch.length > 0 && bytes + pending.bytes > maxBytes) break;
    batch.push(pending);
    bytes += pending.bytes;
  }
  return batch;
}
