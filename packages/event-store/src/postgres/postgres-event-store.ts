/**
 * The PostgreSQL event store (system of record). Global order is the visibility-watermark order of
 * DESIGN.md section 2: `readAll` returns only rows whose transaction is older than every running transaction
 * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`), ordered by (transaction_id, global_position),
 * so a commit that arrives late with a small position can never be skipped. The checkpoint is that pair.
 */
import { isDomainError } from '@onestop/domain';
import pg from 'pg';
import { validateAppend } from '../contract/validate-append.js';
import { InvalidCheckpoint } from '../embedded/checkpoint.js';
import {
  type AppendOptions,
  type AppendResult,
  type Checkpoint,
  type EventStore,
  type EventToAppend,
  eventWithRawData,
  type JsonObject,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  StoreUnavailable,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import {
  AppendBatcher,
  type AppendOutcome,
  inLockOrder,
  type PendingAppend,
  settle,
} from './append-batcher.js';
import { assertSchemaName, channelOf, ident, migrate } from './migrations.js';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Schema that holds the store's tables (created if missing). Default `event_store`. */
  readonly schema?: string;
  readonly pool?: {
    /** Default 10. */
    readonly max?: number;
    /** Default 30,000 ms. */
    readonly idleTimeoutMillis?: number;
    /** How long to wait for a connection before failing with StoreUnavailable. Default 10,000 ms. */
    readonly connectionTimeoutMillis?: number;
  };
  /**
   * Natural batching (default on): appends arriving while a commit is in flight are committed together in the
   * next transaction, each with its own outcome. Off: every append is its own transaction.
   */
  readonly batching?: boolean;
  /** Upper bounds of one batch. Defaults: 500 appends, 8 MB of event data. */
  readonly maxBatchAppends?: number;
  readonly maxBatchBytes?: number;
  /**
   * Batches committed at the same time (default 2): while one waits for its commit to reach the disk, the next
   * one runs, and the server flushes both commits together.
   */
  readonly maxBatchesInFlight?: number;
  /** Idle subscriptions re-read this often even without a NOTIFY (missed wake-up, held watermark). Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Events read per round trip by subscriptions. Default 500. */
  readonly subscriptionBatchSize?: number;
  /**
   * Least time between two NOTIFYs (default 20 ms): commits meanwhile are announced together. Subscriptions of
   * this store instance are woken at once without one; the NOTIFY is for other processes and instances.
   */
  readonly notifyIntervalMs?: number;
}

/** The consumer's view of one PostgreSQL transaction (see `withTransaction`). */
export interface PostgresTransaction {
  /** Runs SQL on the transaction's connection. SQL errors are passed through unchanged. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
  saveCheckpoint(name: string, checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(name: string): Promise<Checkpoint | undefined>;
}

/** How far the visibility watermark trails the commits (alert when it grows: see DESIGN.md section 2). */
export interface WatermarkLag {
  /** Committed events of this store that `readAll` cannot return yet because an older transaction still runs. */
  readonly pendingEvents: number;
  /** Age of the oldest transaction in the cluster that holds a transaction id (holds the watermark), in ms. */
  readonly oldestWriterAgeMs: number;
  /** Transaction ids between the watermark (snapshot xmin) and the next id to be assigned (snapshot xmax). */
  readonly transactionSpan: number;
}

export interface PostgresEventStore extends EventStore {
  readonly schema: string;
  /** Resolves once the schema is migrated; rejects with StoreUnavailable if the server cannot be reached. */
  ready(): Promise<void>;
  /**
   * Runs `work` in one transaction (committed when it resolves, rolled back when it throws), so a consumer's
   * effects and its `saveCheckpoint` commit together. The transaction uses its own pooled connection.
   */
  withTransaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T>;
  /** One statement on the store's pool, committed on its own (for writes that need no transaction). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
  loadCheckpoint(name: string): Promise<Checkpoint | undefined>;
  watermarkLag(): Promise<WatermarkLag>;
}

interface EventRow {
  global_position: string;
  /** Text form of the xid8 (node-pg has no parser for it); named apart so ORDER BY still sees the xid8 column. */
  transaction_text: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  /** The `json` column's text as appended (see `jsonAsText`). */
  data: string;
  metadata: string;
  /** `recorded_at` in epoch milliseconds (with a microsecond fraction that `Date` drops, as the text parser did). */
  recorded_ms: number;
}

interface Positioned {
  readonly event: StoredEvent;
  /** Text forms, so the checkpoint string is built only where one is handed out (not for every row read). */
  readonly transactionId: string;
  readonly position: string;
}

const checkpointOf = (row: Positioned): Checkpoint => `pg:${row.transactionId}:${row.position}`;

/** Read-ahead limits: pages up to this size, this many pages at once, dropped when not asked for in time. */
const maxPrefetchCount = 10_000;
const maxPrefetchedPages = 8;
const prefetchTtlMs = 5_000;

const columns =
  'global_position, transaction_id::text AS transaction_text, stream_id, stream_version, event_id, type, data, metadata, ' +
  // A number, not the timestamp's text: parsing that text into a Date was 6 % of a readAll's client CPU.
  '(extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms';

/**
 * The global read ($1 transaction id, $2 position, $3 limit). Exported so a test can check its plan: an index
 * scan on (transaction_id, global_position), no sort.
 */
export function readAllSql(schema: string): string {
  return `SELECT ${columns} FROM ${ident(schema)}.events
    WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, global_position
    LIMIT $3`;
}

/**
 * Event reads take the `json` columns as text and parse them here, keeping the payload's text with the event: the
 * relay splices it into the Kafka value instead of serializing it again (`rawDataOf`). Other types parse as usual.
 */
const JSON_OID = 114;
const keepText = (value: string) => value;
const jsonAsText = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === JSON_OID ? keepText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function toEvent(row: EventRow): StoredEvent {
  return eventWithRawData(
    {
      eventId: row.event_id,
      type: row.type,
      metadata: JSON.parse(row.metadata) as JsonObject,
      streamId: row.stream_id,
      streamVersion: Number(row.stream_version),
      globalPosition: BigInt(row.global_position),
      recordedAt: new Date(row.recorded_ms),
    },
    row.data,
  );
}

// `pg:<transaction id>:<global position>`; the prefix tells it apart from the embedded store's checkpoints.
const checkpointPattern = /^pg:(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,18})$/;

function decodeCheckpoint(checkpoint: Checkpoint | undefined): [string, string] {
  if (checkpoint === undefined) return ['0', '0'];
  const match = typeof checkpoint === 'string' ? checkpointPattern.exec(checkpoint) : null;
  if (!match?.[1] || !match[2]) {
    throw InvalidCheckpoint(`not a PostgreSQL event store checkpoint: ${String(checkpoint)}`, {
      details: { checkpoint: String(checkpoint) },
    });
  }
  return [match[1], match[2]];
}

/** Wraps driver and server failures; domain errors (ours) pass through. */
function unavailable(error: unknown, what: string): unknown {
  if (isDomainError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return StoreUnavailable(`event store ${what} failed: ${message}`, { cause: error });
}

// Lost connections and server shutdowns (SQLSTATE classes 08 and 57P): nothing was decided, retrying is pointless here.
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = Reflect.get(error, 'code');
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) {
    return true;
  }
  return /Connection terminated|connection timeout|not queryable|Client has encountered a connection error/i.test(
    error.message,
  );
}

const retryableBatchError = new Set(['40P01', '40001']); // deadlock, serialisation failure

const expectedCode = (expected: number | 'no_stream' | 'any') =>
  expected === 'no_stream' ? -1 : expected === 'any' ? -2 : expected;

function outcomeOf(row: { status: string; version: string | null }): AppendOutcome {
  const version = Number(row.version ?? -1);
  if (row.status === 'ok' || row.status === 'duplicate' || row.status === 'wrong_version') {
    return { status: row.status, version };
  }
  if (row.status === 'retry') return { status: 'retry' };
  throw new Error(`append_batch returned an unknown status ${row.status}`);
}

/**
 * Opens the store. Returns at once: the schema is created/migrated in the background and every operation waits
 * for it (await `ready()` to fail fast at startup). A failed migration (e.g. server down) is retried by the next
 * operation.
 */
export function postgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  const schema = options.schema ?? 'event_store';
  assertSchemaName(schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.pool?.max ?? 10,
    idleTimeoutMillis: options.pool?.idleTimeoutMillis ?? 30_000,
    connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? 10_000,
    application_name: `onestop-event-store:${schema}`,
  });
  // An idle client that loses its connection emits here; without a listener the process would crash. The
  // next query on the pool reports the failure instead.
  pool.on('error', () => undefined);
  const store = new PgEventStore(pool, options, schema);
  store.ready().catch(() => undefined);
  return store;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class PgEventStore implements PostgresEventStore {
  private readonly s: string;
  private readonly channel: string;
  private readonly batcher: AppendBatcher | undefined;
  private readonly pollIntervalMs: number;
  private readonly notifyIntervalMs: number;
  private readonly subscriptionBatchSize: number;
  private readonly wakers = new Set<() => void>();
  /** Largest transaction id announced by NOTIFY: its events are committed, perhaps not yet visible. */
  private notifiedTransaction = 0n;
  private readonly subscriptions = new Set<Subscription>();
  private listener: pg.Client | undefined;
  private listenerPending: Promise<void> | undefined;
  private listenerRetryAt = 0;
  private closed: Promise<void> | undefined;
  /** Batches being committed; `close()` lets them finish before it ends the pool. */
  private readonly inFlight = new Set<Promise<void>>();
  private migration: Promise<void> | undefined;
  /** Pages read ahead by `readPositioned`, by `${maxCount}|${after}`. */
  private readonly prefetched = new Map<
    string,
    { readonly page: Promise<Positioned[] | undefined>; readonly expiry: NodeJS.Timeout }
  >();
  /** Largest committed appending transaction to announce, the last one announced, and whether a NOTIFY is out. */
  private toAnnounce = 0n;
  private announced = 0n;
  private announcing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions,
    readonly schema: string,
  ) {
    this.s = ident(schema);
    this.channel = channelOf(schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.notifyIntervalMs = options.notifyIntervalMs ?? 20;
    this.subscriptionBatchSize = options.subscriptionBatchSize ?? 500;
    this.batcher =
      options.batching === false
        ? undefined
        : new AppendBatcher(
            (batch, committed) => this.track(this.runBatch(batch, committed)),
            options.maxBatchAppends ?? 500,
            options.maxBatchBytes ?? 8 * 1024 * 1024,
            Math.max(1, options.maxBatchesInFlight ?? 2),
          );
  }

  ready(): Promise<void> {
    this.migration ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrate(client, this.schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.migration = undefined;
      throw unavailable(error, 'migration');
    });
    return this.migration;
  }

  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    try {
      validateAppend(streamId, events, options.expectedVersion);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) return Promise.reject(StoreUnavailable('event store is closed'));
    const data = events.map((e) => JSON.stringify(e.data));
    const metadata = events.map((e) => (e.metadata === undefined ? '{}' : JSON.stringify(e.metadata)));
    const bytes = data.reduce((sum, d) => sum + d.length, 0) + metadata.reduce((sum, m) => sum + m.length, 0);
    return new Promise<AppendResult>((resolve, reject) => {
      const append: PendingAppend = {
        streamId,
        events,
        expected: options.expectedVersion,
        bytes,
        data,
        metadata,
        retries: 0,
        resolve,
        reject,
      };
      if (this.batcher) this.batcher.submit(append);
      else void this.track(this.runBatch([append]));
    });
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  /** Commits `batch` and settles every append in it; never throws. Calls `committed` before settling. */
  private async runBatch(
    batch: readonly PendingAppend[],
    committed: () => void = () => undefined,
  ): Promise<void> {
    const ordered = inLockOrder(batch);
    let outcomes: AppendOutcome[] | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt < 3 && outcomes === undefined; attempt++) {
      try {
        await this.ready();
        outcomes = await this.callAppendBatch(ordered);
      } catch (error) {
        failure = error;
        const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
        if (!(typeof code === 'string' && retryableBatchError.has(code))) break;
      }
    }
    if (outcomes === undefined) {
      if (ordered.length > 1 && !isConnectionError(failure)) {
        // One bad append must not fail its neighbours: isolate it by committing each one alone (still holding
        // the batch's streams, so no later append to them overtakes).
        for (const append of ordered) await this.runBatch([append]);
        committed();
      } else {
        committed();
        for (const append of ordered) append.reject(unavailable(failure, 'append'));
      }
      return;
    }
    committed();
    ordered.forEach((append, i) => {
      settle(append, outcomes[i], () => {
        if (this.batcher) this.batcher.requeue(append);
        else void this.track(this.runBatch([append]));
      });
    });
  }

  /**
   * Wakes subscriptions once a batch has committed: this instance's at once, other processes' through NOTIFY.
   * At most one NOTIFY is in flight and they are spaced by `notifyIntervalMs`; commits meanwhile are announced
   * together by the next one, with the largest transaction id. (One NOTIFY per commit cost a round trip per
   * batch on the request path of every append.)
   */
  private announce(transactionId: bigint): void {
    if (transactionId > this.notifiedTransaction) this.notifiedTransaction = transactionId;
    for (const wake of this.wakers) wake();
    if (transactionId > this.toAnnounce) this.toAnnounce = transactionId;
    if (this.announcing) return;
    this.announcing = true;
    void this.track(
      (async () => {
        try {
          while (this.toAnnounce > this.announced) {
            const transaction = this.toAnnounce;
            // A lost NOTIFY only delays other processes' subscriptions until their next poll.
            await this.pool
              .query({
                name: 'es_notify',
                text: 'SELECT pg_notify($1, $2)',
                values: [this.channel, transaction.toString()],
              })
              .catch(() => undefined);
            this.announced = transaction;
            if (this.closed === undefined) await delay(this.notifyIntervalMs);
          }
        } finally {
          this.announcing = false;
        }
      })(),
    );
  }

  private async callAppendBatch(batch: readonly PendingAppend[]): Promise<AppendOutcome[]> {
    const eventIds: string[] = [];
    const types: string[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    for (const append of batch) {
      for (const e of append.events) {
        eventIds.push(e.eventId);
        types.push(e.type);
      }
      data.push(...append.data);
      metadata.push(...append.metadata);
    }
    // No channel: the function would NOTIFY inside the transaction, which serialises commits (see migration 2).
    const result = await this.pool.query<{ status: string; version: string | null; tx: string | null }>({
      name: `es_append_${this.schema}`,
      text: `SELECT status, version, pg_current_xact_id_if_assigned()::text AS tx
        FROM ${this.s}.append_batch($1, $2, $3, $4, $5, $6, $7, NULL)`,
      values: [
        batch.map((a) => a.streamId),
        batch.map((a) => expectedCode(a.expected)),
        batch.map((a) => a.events.length),
        eventIds,
        types,
        data,
        metadata,
      ],
    });
    const transaction = result.rows.find((row) => row.status === 'ok')?.tx;
    if (transaction) this.announce(BigInt(transaction));
    return result.rows.map(outcomeOf);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    try {
      await this.ready();
      const result = await this.pool.query<EventRow>({
        text: `SELECT ${columns} FROM ${this.s}.events
          WHERE stream_id = $1 AND stream_version >= $2
          ORDER BY stream_version LIMIT $3`,
        values: [streamId, options.fromVersion ?? 0, options.maxCount ?? null],
        types: jsonAsText,
      });
      return result.rows.map(toEvent);
    } catch (error) {
      throw unavailable(error, 'readStream');
    }
  }

  /**
   * One page of the global order. A full page also starts the read of the page after it, so the server produces
   * that page while the caller works through this one (a reader that is behind nearly always asks for it next).
   * A prefetched page may have been read under an older watermark; that is harmless when it is full: the rows
   * below an older watermark all sort before any row the newer one adds, so a full page is exactly what a fresh
   * read returns. A short prefetched page may be missing newer commits, so it is dropped and read afresh.
   */
  private async readPositioned(after: Checkpoint | undefined, maxCount: number): Promise<Positioned[]> {
    const key = `${maxCount}|${after ?? ''}`;
    const ahead = this.prefetched.get(key);
    let rows: Positioned[] | undefined;
    if (ahead) {
      this.prefetched.delete(key);
      clearTimeout(ahead.expiry);
      const page = await ahead.page;
      if (page?.length === maxCount) rows = page;
    }
    rows ??= await this.readPage(after, maxCount);
    const last = rows.at(-1);
    if (last && rows.length === maxCount && maxCount <= maxPrefetchCount && !this.closed) {
      this.prefetch(checkpointOf(last), maxCount);
    }
    return rows;
  }

  private prefetch(after: Checkpoint, maxCount: number): void {
    const key = `${maxCount}|${after}`;
    if (this.prefetched.has(key)) return;
    // Bounded: the oldest prefetched page goes first (a reader that stopped, or many readers at once).
    const oldest = this.prefetched.keys().next();
    if (this.prefetched.size >= maxPrefetchedPages && !oldest.done) {
      clearTimeout(this.prefetched.get(oldest.value)?.expiry);
      this.prefetched.delete(oldest.value);
    }
    // A failed prefetch is read again (and its error reported) by the caller's own read.
    const page = this.readPage(after, maxCount).catch(() => undefined);
    void this.track(page.then(() => undefined));
    const expiry = setTimeout(() => this.prefetched.delete(key), prefetchTtlMs);
    expiry.unref();
    this.prefetched.set(key, { page, expiry });
  }

  private async readPage(after: Checkpoint | undefined, maxCount: number): Promise<Positioned[]> {
    const [transactionId, position] = decodeCheckpoint(after);
    try {
      await this.ready();
      const result = await this.pool.query<EventRow>({
        name: `es_read_all_${this.schema}`,
        text: readAllSql(this.schema),
        values: [transactionId, position, maxCount],
        types: jsonAsText,
      });
      return result.rows.map((row) => ({
        event: toEvent(row),
        transactionId: row.transaction_text,
        position: row.global_position,
      }));
    } catch (error) {
      throw unavailable(error, 'readAll');
    }
  }

  /** Without `maxCount`, returns at most 1,000 events: page with the checkpoint. */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const rows = await this.readPositioned(options.after, options.maxCount ?? 1000);
    const last = rows.at(-1);
    return { events: rows.map((r) => r.event), checkpoint: last ? checkpointOf(last) : options.after };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    let stopped = false;
    let pendingWake = false;
    let wake: (() => void) | undefined;
    const waker = () => {
      pendingWake = true;
      wake?.();
    };
    const stopNow = () => {
      stopped = true;
      waker();
    };
    if (options.signal?.aborted) stopped = true;
    else options.signal?.addEventListener('abort', stopNow, { once: true });

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        if (pendingWake || stopped) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });

    const loop = async () => {
      if (stopped) return;
      this.wakers.add(waker);
      try {
        let after = options.after;
        let seenTransaction = BigInt(decodeCheckpoint(after)[0]);
        let caughtUp = false;
        let backoffMs = 5;
        while (!stopped) {
          pendingWake = false;
          const page = await this.readPositioned(after, this.subscriptionBatchSize);
          for (const row of page) {
            if (stopped) return;
            const { event } = row;
            const checkpoint = checkpointOf(row);
            await options.handler(event, checkpoint);
            after = checkpoint;
          }
          const last = page.at(-1);
          if (last) {
            seenTransaction = BigInt(last.transactionId);
            backoffMs = 5;
          }
          if (page.length < this.subscriptionBatchSize) {
            if (!caughtUp) {
              caughtUp = true;
              options.onCaughtUp?.();
            }
            this.ensureListener();
            if (this.notifiedTransaction > seenTransaction) {
              // Announced but not visible yet (an older transaction holds the watermark): look again soon.
              await sleep(Math.min(backoffMs, this.pollIntervalMs));
              // Capped: another database's long transaction can hold the cluster-wide watermark for seconds, and
              // an uncapped doubling then slept far past the moment the event became visible.
              backoffMs = Math.min(backoffMs * 2, 250);
            } else {
              await sleep(this.pollIntervalMs);
            }
          }
        }
      } finally {
        this.wakers.delete(waker);
        options.signal?.removeEventListener('abort', stopNow);
      }
    };

    const done = loop();
    const subscription: Subscription = {
      stop: async () => {
        stopNow();
        await done.catch(() => undefined);
      },
      done,
    };
    this.subscriptions.add(subscription);
    done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  /**
   * One LISTEN connection per store wakes every subscription. If it cannot connect (or drops), subscriptions
   * still progress by polling, and the next idle subscription tries again after 5 s.
   */
  private ensureListener(): void {
    if (this.listener || this.listenerPending || this.closed || Date.now() < this.listenerRetryAt) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: `onestop-event-store-listen:${this.schema}`,
    });
    const drop = () => {
      if (this.listener === client) this.listener = undefined;
      this.listenerRetryAt = Date.now() + 5_000;
      client.end().catch(() => undefined);
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', (message) => {
      const payload = message.payload ?? '';
      if (/^[0-9]{1,20}$/.test(payload) && BigInt(payload) > this.notifiedTransaction) {
        this.notifiedTransaction = BigInt(payload);
      }
      for (const wake of this.wakers) wake();
    });
    this.listenerPending = (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${ident(this.channel)}`);
        if (this.closed) {
          await client.end();
          return;
        }
        this.listener = client;
        // Events committed while we were connecting raised no wake-up we could hear.
        for (const wake of this.wakers) wake();
      } catch {
        drop();
      } finally {
        this.listenerPending = undefined;
      }
    })();
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    await this.ready();
    return this.pool.query<R>(sql, params === undefined ? undefined : [...params]);
  }

  async withTransaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      await this.ready();
      client = await this.pool.connect();
      await client.query('BEGIN');
    } catch (error) {
      throw unavailable(error, 'transaction start');
    }
    let broken = false;
    const tx: PostgresTransaction = {
      query: async <R extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]) => {
        try {
          return await client.query<R>(sql, params === undefined ? undefined : [...params]);
        } catch (error) {
          if (isConnectionError(error)) {
            broken = true;
            throw unavailable(error, 'query');
          }
          throw error;
        }
      },
      saveCheckpoint: async (name, checkpoint) => {
        await tx.query(
          `INSERT INTO ${this.s}.checkpoints (name, checkpoint) VALUES ($1, $2)
            ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now()`,
          [name, checkpoint],
        );
      },
      loadCheckpoint: async (name) => {
        const result = await tx.query<{ checkpoint: string }>(
          `SELECT checkpoint FROM ${this.s}.checkpoints WHERE name = $1`,
          [name],
        );
        return result.rows[0]?.checkpoint;
      },
    };
    try {
      const value = await work(tx);
      try {
        await client.query('COMMIT');
      } catch (error) {
        broken = true;
        throw unavailable(error, 'commit');
      }
      return value;
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async loadCheckpoint(name: string): Promise<Checkpoint | undefined> {
    try {
      await this.ready();
      const result = await this.pool.query<{ checkpoint: string }>(
        `SELECT checkpoint FROM ${this.s}.checkpoints WHERE name = $1`,
        [name],
      );
      return result.rows[0]?.checkpoint;
    } catch (error) {
      throw unavailable(error, 'loadCheckpoint');
    }
  }

  async watermarkLag(): Promise<WatermarkLag> {
    try {
      await this.ready();
      const result = await this.pool.query<{ pending: string; span: string; age: string | null }>(
        `WITH snap AS (SELECT pg_current_snapshot() AS s)
         SELECT
           (SELECT count(*) FROM ${this.s}.events WHERE transaction_id >= pg_snapshot_xmin(snap.s)) AS pending,
           pg_snapshot_xmax(snap.s)::text::numeric - pg_snapshot_xmin(snap.s)::text::numeric AS span,
           (SELECT extract(epoch FROM clock_timestamp() - min(xact_start)) * 1000
              FROM pg_stat_activity WHERE backend_xid IS NOT NULL) AS age
         FROM snap`,
      );
      const row = result.rows[0];
      return {
        pendingEvents: Number(row?.pending ?? 0),
        oldestWriterAgeMs: Math.max(0, Math.round(Number(row?.age ?? 0))),
        transactionSpan: Number(row?.span ?? 0),
      };
    } catch (error) {
      throw unavailable(error, 'watermarkLag');
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.subscriptions].map((s) => s.stop()));
      for (const { expiry } of this.prefetched.values()) clearTimeout(expiry);
      this.prefetched.clear();
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      await this.migration?.catch(() => undefined);
      await this.listenerPending;
      await this.listener?.end().catch(() => undefined);
      this.listener = undefined;
      await this.pool.end();
    })();
    return this.closed;
  }
}
