/**
 * The store transport of the consumer runner (embedded mode, DESIGN.md section 1): the same handler, fed by a
 * catch-up subscription on the store instead of Kafka. Effects and the checkpoint commit in one store
 * transaction (`withTransaction` + `saveCheckpoint`), so each event is applied exactly once; there is no
 * inbox because a checkpoint in the same transaction is exact. The handler sees the event exactly as a Kafka
 * consumer would (the relay's envelope), parsed by the same parser.
 *
 * Events are applied in chunks, like the Kafka transport's: the events the subscription hands over in one turn
 * of the loop (up to `maxChunk`, and a chunk's transaction closes after `maxChunkMs` of handler time) share one
 * transaction and one checkpoint write. On the embedded store every commit is an fsync that blocks the event
 * loop, and a transaction per event per consumer cost more than the requests that wrote the events. A chunk
 * that fails is rolled back and its events are applied one by one, so a poison event is retried and
 * dead-lettered alone.
 */
import type { Checkpoint, EventStore, StoredEvent } from '@onestop/event-store';
import { type BackoffOptions, backoffDelay, sleep } from '../backoff.js';
import { toEventEnvelope } from '../envelope.js';
import { errorCodeOf, errorMessageOf, HandlerFailed, InvalidMessage } from '../errors.js';
import { type MessagingLogger, stderrLogger } from '../logger.js';
import { quoteIdent } from '../pg.js';
import type { EventHandler, EventParser, SqlTransaction } from './handler.js';

export interface CheckpointTransaction {
  saveCheckpoint(name: string, checkpoint: Checkpoint): Promise<void>;
}

/** A store whose consumers can commit effects and checkpoint together (embedded and PostgreSQL adapters). */
export interface TransactionalEventStore<Tx> extends EventStore {
  withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  loadCheckpoint(name: string): Promise<Checkpoint | undefined>;
}

export interface StoreConsumerOptions<E extends { readonly eventId: string }, Tx> {
  readonly store: TransactionalEventStore<Tx>;
  /** The consumer's checkpoint name (use the Kafka group id of the same consumer in stack mode). */
  readonly name: string;
  readonly parse: EventParser<E>;
  readonly handler: EventHandler<E, Tx>;
  /** Handler attempts before the event is recorded as a dead letter and skipped. Default 5. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: MessagingLogger;
  /** Called each time the subscription has caught up with the store. */
  readonly onCaughtUp?: () => void;
  /** Most events per transaction. Default 200. */
  readonly maxChunk?: number;
  /** Handler time after which a chunk's transaction commits and the rest goes to the next one. Default 25 ms. */
  readonly maxChunkMs?: number;
}

export interface StoreConsumerMetrics {
  readonly applied: number;
  readonly deadLettered: number;
  readonly retries: number;
  readonly restarts: number;
  readonly checkpoint: Checkpoint | undefined;
}

export interface StoreConsumerRunner {
  /** True once caught up, until stopped (and false while restarting after an error). */
  ready(): boolean;
  metrics(): StoreConsumerMetrics;
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/**
 * The dead letters of store consumers live in the store's database, beside the checkpoints: in the store's
 * schema when it has one (PostgreSQL), in the one SQLite file otherwise. The SQL is valid in both.
 */
function deadLetterTable(store: object): string {
  const schema = 'schema' in store && typeof store.schema === 'string' ? store.schema : undefined;
  return schema === undefined
    ? 'store_consumer_dead_letters'
    : `${quoteIdent(schema)}.store_consumer_dead_letters`;
}

const deadLetterDdl = (table: string) => `create table if not exists ${table} (
  consumer text not null,
  event_id text not null,
  checkpoint text not null,
  error_code text not null,
  error_message text not null,
  attempts integer not null,
  primary key (consumer, event_id)
)`;

interface Parsed<E> {
  readonly stored: StoredEvent;
  readonly event: E;
  readonly position: Checkpoint;
}

export function startStoreConsumer<
  E extends { readonly eventId: string },
  Tx extends CheckpointTransaction & SqlTransaction,
>(options: StoreConsumerOptions<E, Tx>): StoreConsumerRunner {
  const maxAttempts = options.maxAttempts ?? 5;
  const maxChunk = options.maxChunk ?? 200;
  const maxChunkMs = options.maxChunkMs ?? 25;
  const logger = options.logger ?? stderrLogger;
  const stopping = new AbortController();
  const counters = { applied: 0, deadLettered: 0, retries: 0, restarts: 0 };
  let checkpoint: Checkpoint | undefined;
  let caughtUp = false;

  async function deadLetter(
    event: StoredEvent,
    position: Checkpoint,
    error: unknown,
    code: string,
    attempts: number,
  ) {
    const message = errorMessageOf(error).slice(0, 2_000);
    const table = deadLetterTable(options.store);
    await options.store.withTransaction(async (tx) => {
      await tx.query(deadLetterDdl(table));
      await tx.query(
        `insert into ${table}
           (consumer, event_id, checkpoint, error_code, error_message, attempts)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
        [options.name, event.eventId, position, code, message, attempts],
      );
      await tx.saveCheckpoint(options.name, position);
    });
    counters.deadLettered++;
    logger.warn(
      { consumer: options.name, eventId: event.eventId, code, error: message },
      'consumer: dead-lettered',
    );
  }

  /** Applies one event in a transaction of its own, with retries; dead-letters it after `maxAttempts`. */
  async function applyAlone(item: Parsed<E>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.store.withTransaction(async (tx) => {
          await options.handler(item.event, tx);
          await tx.saveCheckpoint(options.name, item.position);
        });
        counters.applied++;
        checkpoint = item.position;
        return;
      } catch (error) {
        if (stopping.signal.aborted) throw error;
        if (attempt >= maxAttempts) {
          const failure = HandlerFailed(`handler failed ${attempt} times: ${errorMessageOf(error)}`, {
            details: { attempts: attempt },
            cause: error,
          });
          await deadLetter(
            item.stored,
            item.position,
            failure,
            errorCodeOf(error, HandlerFailed.code),
            attempt,
          );
          checkpoint = item.position;
          return;
        }
        counters.retries++;
        logger.warn(
          { consumer: options.name, attempt, error: errorMessageOf(error) },
          'consumer: handler failed',
        );
        await sleep(backoffDelay(attempt, options.backoff), stopping.signal);
      }
    }
  }

  /** Applies `chunk` in as few transactions as its size and handler time allow; empties it. */
  async function applyChunk(chunk: Array<Parsed<E>>): Promise<void> {
    while (chunk.length > 0) {
      let applied = 0;
      try {
        await options.store.withTransaction(async (tx) => {
          const started = performance.now();
          for (const item of chunk) {
            await options.handler(item.event, tx);
            applied++;
            if (performance.now() - started > maxChunkMs) break;
          }
          const last = chunk[applied - 1];
          if (last !== undefined) await tx.saveCheckpoint(options.name, last.position);
        });
      } catch (error) {
        if (stopping.signal.aborted) throw error;
        // Rolled back: the events go one by one, so only a failing one is retried and dead-lettered.
        for (const item of chunk.splice(0)) await applyAlone(item);
        return;
      }
      const done = chunk.splice(0, applied);
      counters.applied += done.length;
      const last = done.at(-1);
      if (last !== undefined) checkpoint = last.position;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      // Events handed over by the subscription and not yet applied, and the application in progress.
      const pending: Array<Parsed<E>> = [];
      let applying: Promise<void> = Promise.resolve();
      let scheduled = false;
      const failed = new AbortController();
      const apply = (): Promise<void> => {
        applying = applying.then(() => applyChunk(pending));
        applying.catch((error: unknown) => failed.abort(error));
        return applying;
      };
      const handle = async (stored: StoredEvent, position: Checkpoint): Promise<void> => {
        let event: E;
        try {
          event = options.parse(toEventEnvelope(stored));
        } catch (error) {
          await apply();
          await deadLetter(stored, position, error, errorCodeOf(error, InvalidMessage.code), 0);
          checkpoint = position;
          return;
        }
        pending.push({ stored, event, position });
        if (pending.length >= maxChunk) {
          await apply();
        } else if (!scheduled) {
          // The rest of this page is handed over in this same turn of the loop; apply once it has been.
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            if (!failed.signal.aborted && !stopping.signal.aborted) void apply().catch(() => undefined);
          });
        }
      };
      try {
        const after = await options.store.loadCheckpoint(options.name);
        checkpoint = after;
        const subscription = options.store.subscribeToAll({
          ...(after === undefined ? {} : { after }),
          signal: AbortSignal.any([stopping.signal, failed.signal]),
          handler: handle,
          onCaughtUp: () => {
            caughtUp = true;
            failures = 0;
            options.onCaughtUp?.();
          },
        });
        await subscription.done;
        await applying;
        if (failed.signal.aborted) throw failed.signal.reason;
      } catch (error) {
        await applying.catch(() => undefined);
        if (stopping.signal.aborted) break;
        caughtUp = false;
        failures++;
        counters.restarts++;
        logger.warn(
          { consumer: options.name, error: errorMessageOf(error) },
          'consumer: subscription failed',
        );
        await sleep(backoffDelay(failures, options.backoff), stopping.signal);
      }
    }
  }
  const done = run();
  return {
    ready: () => caughtUp && !stopping.signal.aborted,
    metrics: () => ({ ...counters, checkpoint }),
    async stop() {
      stopping.abort();
      await done;
    },
    done,
  };
}
