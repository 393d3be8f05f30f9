import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDomainError } from '@onestop/domain';
import Database from 'better-sqlite3';
import { validateAppend } from '../contract/validate-append.js';
import {
  type AppendOptions,
  type AppendResult,
  type Checkpoint,
  type EventStore,
  type EventToAppend,
  type JsonObject,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  StoreUnavailable,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedVersion,
} from '../port.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';
import { migrate } from './schema.js';

export interface EmbeddedEventStoreOptions {
  /** Directory that holds `events.sqlite` (created if missing). Absent: in memory, gone on `close()`. */
  readonly dataDir?: string;
  /**
   * How often an idle subscription re-reads. Appends through this store wake subscriptions at once; polling
   * only matters when another process writes the same file. Default 250 ms.
   */
  readonly pollIntervalMs?: number;
  /** How long a write waits for another process's write lock before failing. Default 5,000 ms. */
  readonly busyTimeoutMs?: number;
  /** Events read per round trip by `subscribeToAll`. Default 500. */
  readonly subscriptionBatchSize?: number;
  /**
   * Group commit (default on): appends made while the event loop is busy are queued and committed together in
   * one transaction, one fsync, at the next turn of the loop. `false`: every append commits on its own.
   */
  readonly batching?: boolean;
  /** Most appends in one group commit. Default 500. */
  readonly maxBatchAppends?: number;
  /** Most bytes of event JSON in one group commit (a larger single append still goes, alone). Default 8 MiB. */
  readonly maxBatchBytes?: number;
  /**
   * Called after each COMMIT of appends made outside a consumer transaction, with how many appends it carried
   * (refused ones included). For tests and metrics; it must not throw.
   */
  readonly onAppendCommit?: (appends: number) => void;
}

export type SqlRow = Record<string, unknown>;
export interface SqlResult<R extends SqlRow = SqlRow> {
  readonly rows: R[];
  /** Rows returned, or rows changed by a statement that returns none. */
  readonly rowCount: number;
}

/**
 * The consumer's view of one SQLite transaction, shaped like `PostgresTransaction` (`query<R>(sql, params)`
 * → `{ rows, rowCount }`, `saveCheckpoint`, `loadCheckpoint`) so a read model can be written once.
 * Statements may use PostgreSQL's `$1, $2` placeholders (SQLite accepts them) or `?`. Parameters are
 * converted as node-pg would send them: booleans → 1/0, Dates → ISO text, objects and arrays → JSON text,
 * undefined → null. SQL errors are passed through unchanged.
 */
export interface EmbeddedTransaction {
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Synchronous form, for code that wants no await between statements. */
  run(sql: string, params?: readonly unknown[]): { rowCount: number };
  saveCheckpoint(name: string, checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(name: string): Promise<Checkpoint | undefined>;
}

export interface EmbeddedEventStore extends EventStore {
  /**
   * Runs `fn` in one SQLite transaction (`BEGIN IMMEDIATE` … `COMMIT`, rolled back if `fn` throws), so a
   * consumer's effects and its checkpoint commit together. Other calls on this store wait until it ends
   * (one connection, and no one may see the uncommitted rows); calls made inside `fn` (e.g. an
   * `appendToStream` reacting to an event) join the transaction instead.
   */
  withTransaction<T>(fn: (tx: EmbeddedTransaction) => Promise<T>): Promise<T>;
  loadCheckpoint(name: string): Promise<Checkpoint | undefined>;
  /** A statement outside any consumer transaction (e.g. a read model answering an HTTP query). */
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Resolves at once (the file is opened synchronously); mirrors `PostgresEventStore.ready()`. */
  ready(): Promise<void>;
  /** The database file, or `undefined` in memory mode. */
  readonly file: string | undefined;
}

interface EventRow {
  global_position: number;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
}

interface TxState {
  active: boolean;
  appended: boolean;
}

/** An append as the transaction writes it: JSON serialised before the write lock is taken. */
interface AppendInput {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly data: readonly string[];
  readonly metadata: readonly string[];
  readonly expected: AppendOptions['expectedVersion'];
}

interface PendingAppend extends AppendInput {
  readonly bytes: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

const eventColumns =
  'global_position, stream_id, stream_version, event_id, type, data, metadata, recorded_at';

/** The embedded adapter (DESIGN.md section 2): SQLite through better-sqlite3, WAL, fsync on every commit. */
export function embeddedEventStore(options: EmbeddedEventStoreOptions = {}): EmbeddedEventStore {
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const batchSize = options.subscriptionBatchSize ?? 500;
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, 'events.sqlite');
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });

  const db = openDatabase(file, options.busyTimeoutMs ?? 5_000);

  const statements = {
    streamVersion: db.prepare<[string], { v: number | null }>(
      'SELECT max(stream_version) AS v FROM events WHERE stream_id = ?',
    ),
    versionOfEventId: db.prepare<[string, string], { stream_version: number }>(
      'SELECT stream_version FROM events WHERE stream_id = ? AND event_id = ?',
    ),
    insert: db.prepare<[string, number, string, string, string, string, number], unknown>(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    readStream: db.prepare<[string, number, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE stream_id = ? AND stream_version >= ?
       ORDER BY stream_version LIMIT ?`,
    ),
    readAll: db.prepare<[bigint, number], EventRow>(
      `SELECT ${eventColumns} FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?`,
    ),
    saveCheckpoint: db.prepare<[string, string, number], unknown>(
      `INSERT INTO consumer_checkpoints (name, checkpoint, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
    ),
    loadCheckpoint: db.prepare<[string], { checkpoint: string }>(
      'SELECT checkpoint FROM consumer_checkpoints WHERE name = ?',
    ),
  };

  // Called inside an open transaction (a group commit or a consumer's), better-sqlite3 runs this in a
  // SAVEPOINT: an append that throws is undone alone and the rest of the transaction goes on.
  const append = db.transaction(
    ({ streamId, events, data, metadata, expected }: AppendInput): AppendResult => {
      const current = statements.streamVersion.get(streamId)?.v ?? -1;
      // Idempotency comes before the version check: a retry of an append that succeeded (but whose answer
      // was lost) must succeed again even though the stream has moved on.
      const stored = events.map((e) => statements.versionOfEventId.get(streamId, e.eventId)?.stream_version);
      if (stored.every((v) => v !== undefined)) {
        return { nextExpectedVersion: Math.max(...stored) };
      }
      // A batch that only partly matches stored events is not a retry of one append: a conflict.
      const partlyStored = stored.some((v) => v !== undefined);
      if (
        partlyStored ||
        (expected === 'no_stream' && current !== -1) ||
        (typeof expected === 'number' && expected !== current)
      ) {
        throw WrongExpectedVersion(
          `stream ${streamId}: expected version ${String(expected)}, actual ${current}`,
          { details: { streamId, expected, actual: current } },
        );
      }
      const now = Date.now();
      events.forEach((e, i) => {
        statements.insert.run(
          streamId,
          current + 1 + i,
          e.eventId,
          e.type,
          data[i] ?? '{}',
          metadata[i] ?? '{}',
          now,
        );
      });
      return { nextExpectedVersion: current + events.length };
    },
  );

  // One transaction for a whole group; each append in its own savepoint, in submission order, so it sees the
  // appends before it (a second append to a stream checks its expected version against the first one's result).
  const appendGroup = db.transaction((group: readonly PendingAppend[]): Outcome[] =>
    group.map((input): Outcome => {
      try {
        return { ok: true, result: append(input) };
      } catch (error) {
        // Errors that end the whole transaction (disk full, I/O) must fail the group, not just this append:
        // the appends after it would otherwise run, and commit, outside the group.
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    }),
  );

  // --- one connection, shared: serialise async users of it -------------------------------------------------
  // better-sqlite3 calls are synchronous, so appends and reads never interleave. Only `withTransaction`
  // spans awaits; while it is open every other call queues behind it (they would otherwise run inside the
  // open transaction and see, or be rolled back with, its uncommitted rows). Calls made from inside `fn`
  // carry the transaction in AsyncLocalStorage and run directly.
  const txContext = new AsyncLocalStorage<TxState>();
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function exclusive<T>(fn: (tx: TxState | undefined) => T | Promise<T>): Promise<T> {
    if (closed) return Promise.reject(StoreUnavailable('embedded event store is closed'));
    const tx = txContext.getStore();
    if (tx?.active) return new Promise<T>((resolve) => resolve(fn(tx)));
    const result = tail.then(() => {
      if (closed) throw StoreUnavailable('embedded event store is closed');
      return fn(undefined);
    });
    tail = result.then(noop, noop);
    return result;
  }

  // --- wake-up of subscriptions ----------------------------------------------------------------------------
  let commits = 0; // bumped on every commit that added events; lets a subscription notice one it raced with
  const waiters = new Set<() => void>();
  function committed(): void {
    commits++;
    for (const wake of waiters) wake();
    waiters.clear();
  }

  const subscriptions = new Set<Subscription>();

  // --- group commit ------------------------------------------------------------------------------------------
  // A commit is synchronous, fsync included, so while one runs nothing else on the loop does; requests that
  // arrive meanwhile all want to append next. Appends outside a consumer transaction therefore wait in `queue`
  // for the next turn of the loop (setImmediate: after the pending I/O callbacks have run and queued theirs)
  // and commit together: one BEGIN IMMEDIATE … COMMIT, one fsync. A lone append on an idle loop waits one
  // macrotask. Callers are settled only after COMMIT returned, so nothing is acknowledged before its fsync.
  const batching = options.batching ?? true;
  const maxBatchAppends = Math.max(1, options.maxBatchAppends ?? 500);
  const maxBatchBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
  const queue: PendingAppend[] = [];
  let flushing: Promise<void> | undefined;

  function enqueue(pending: PendingAppend): void {
    queue.push(pending);
    // Outside any consumer transaction's context: the flush must queue behind one, never join it.
    flushing ??= txContext.exit(flushSoon);
  }

  async function flushSoon(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      await exclusive(() => commitGroup(takeGroup()));
    } catch (error) {
      // Only `exclusive` throws here (the store was closed): nothing queued can be written any more.
      for (const pending of queue.splice(0)) pending.reject(error);
    } finally {
      flushing = queue.length > 0 ? flushSoon() : undefined;
    }
  }

  /** The queue's head, up to the bounds, in submission order (so appends to one stream keep theirs). */
  function takeGroup(): PendingAppend[] {
    let count = 0;
    let bytes = 0;
    for (const pending of queue) {
      if (count === maxBatchAppends || (count > 0 && bytes + pending.bytes > maxBatchBytes)) break;
      count++;
      bytes += pending.bytes;
    }
    return queue.splice(0, count);
  }

  function commitGroup(group: readonly PendingAppend[]): void {
    let outcomes: Outcome[];
    try {
      // IMMEDIATE takes the write lock before any version is read: another process on the same file
      // cannot slip an event in between the checks and the inserts.
      outcomes = appendGroup.immediate(group);
    } catch (error) {
      const failure = asUnavailable(
        error,
        `embedded event store: commit of ${group.length} append(s) failed`,
      );
      for (const pending of group) pending.reject(failure);
      return;
    }
    if (outcomes.some((o) => o.ok)) committed();
    group.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) pending.resolve(outcome.result);
      else
        pending.reject(
          asUnavailable(outcome?.error, `embedded event store: append to ${pending.streamId} failed`),
        );
    });
    options.onAppendCommit?.(group.length);
  }

  function toStored(row: EventRow): StoredEvent {
    const data: JsonObject = JSON.parse(row.data);
    const metadata: JsonObject = JSON.parse(row.metadata);
    return {
      eventId: row.event_id,
      type: row.type,
      data,
      metadata,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      globalPosition: BigInt(row.global_position),
      recordedAt: new Date(row.recorded_at),
    };
  }

  function readAllNow(readOptions: ReadAllOptions = {}): ReadAllResult {
    const after = decodeCheckpoint(readOptions.after);
    const limit = readOptions.maxCount ?? -1; // SQLite: LIMIT -1 = no limit
    const events = statements.readAll.all(after, limit).map(toStored);
    const last = events.at(-1);
    return { events, checkpoint: last ? encodeCheckpoint(last.globalPosition) : readOptions.after };
  }

  function run<R extends SqlRow>(sql: string, params: readonly unknown[] = []): SqlResult<R> {
    // The caller names the row shape, as with node-pg's `query<R>`: rows of its own tables.
    const statement = db.prepare<unknown[], R>(sql);
    const args = bindArgs(sql, params);
    if (statement.reader) {
      const rows = statement.all(...args);
      return { rows, rowCount: rows.length };
    }
    return { rows: [], rowCount: statement.run(...args).changes };
  }

  const store: EmbeddedEventStore = {
    file,

    appendToStream(streamId, events, appendOptions) {
      try {
        validateAppend(streamId, events, appendOptions?.expectedVersion);
      } catch (error) {
        return Promise.reject(error);
      }
      if (closed) return Promise.reject(StoreUnavailable('embedded event store is closed'));
      const data = events.map((e) => JSON.stringify(e.data));
      const metadata = events.map((e) => JSON.stringify(e.metadata ?? {}));
      const input: AppendInput = {
        streamId,
        events,
        data,
        metadata,
        expected: appendOptions.expectedVersion,
      };
      // Inside a consumer transaction the append joins it (and commits or rolls back with it), not a group.
      if (batching && !txContext.getStore()?.active) {
        const bytes =
          data.reduce((sum, d) => sum + d.length, 0) + metadata.reduce((sum, m) => sum + m.length, 0);
        return new Promise<AppendResult>((resolve, reject) => enqueue({ ...input, bytes, resolve, reject }));
      }
      return exclusive((tx) => {
        let result: AppendResult;
        try {
          // IMMEDIATE takes the write lock before the version is read (see `commitGroup`).
          result = append.immediate(input);
        } catch (error) {
          throw asUnavailable(error, `embedded event store: append to ${streamId} failed`);
        }
        if (tx) tx.appended = true;
        else {
          options.onAppendCommit?.(1);
          committed();
        }
        return result;
      });
    },

    readStream(streamId, readOptions: ReadStreamOptions = {}) {
      const fromVersion = readOptions.fromVersion ?? 0;
      const maxCount = readOptions.maxCount ?? -1;
      return exclusive(() =>
        statements.readStream.all(streamId, Math.max(fromVersion, 0), maxCount).map(toStored),
      );
    },

    readAll(readOptions) {
      return exclusive(() => readAllNow(readOptions));
    },

    subscribeToAll(subscribeOptions: SubscribeOptions): Subscription {
      const { handler, signal, onCaughtUp } = subscribeOptions;
      let stopping = false;
      let wakeIdle: (() => void) | undefined;
      const stopNow = () => {
        stopping = true;
        wakeIdle?.();
      };

      const loop = async (): Promise<void> => {
        let after = subscribeOptions.after;
        decodeCheckpoint(after); // a bad checkpoint fails `done` before any handler runs
        let caughtUp = false;
        while (!stopping && !signal?.aborted) {
          const seen = commits;
          const { events } = await store.readAll(
            after === undefined ? { maxCount: batchSize } : { after, maxCount: batchSize },
          );
          for (const event of events) {
            if (stopping || signal?.aborted) return;
            const checkpoint = encodeCheckpoint(event.globalPosition);
            await handler(event, checkpoint);
            after = checkpoint;
          }
          if (events.length === batchSize) continue;
          if (!caughtUp) {
            caughtUp = true;
            onCaughtUp?.();
          }
          if (commits !== seen || stopping) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, pollIntervalMs);
            function done() {
              clearTimeout(timer);
              waiters.delete(done);
              wakeIdle = undefined;
              resolve();
            }
            waiters.add(done);
            wakeIdle = done;
          });
        }
      };

      signal?.addEventListener('abort', stopNow, { once: true });
      // Started outside any open consumer transaction, so the loop never inherits (and bypasses) its lock.
      const done = txContext.exit(loop).finally(() => {
        signal?.removeEventListener('abort', stopNow);
        subscriptions.delete(subscription);
      });
      const subscription: Subscription = {
        stop() {
          stopNow();
          return done.then(noop, noop);
        },
        done,
      };
      subscriptions.add(subscription);
      return subscription;
    },

    withTransaction(fn) {
      return exclusive(async (outer) => {
        const state: TxState = outer ?? { active: true, appended: false };
        const tx: EmbeddedTransaction = {
          query: async <R extends SqlRow>(sql: string, params?: readonly unknown[]) => {
            assertActive(state);
            return run<R>(sql, params);
          },
          run: (sql, params) => {
            assertActive(state);
            return { rowCount: run(sql, params).rowCount };
          },
          saveCheckpoint: async (name, checkpoint) => {
            assertActive(state);
            decodeCheckpoint(checkpoint);
            statements.saveCheckpoint.run(name, checkpoint, Date.now());
          },
          loadCheckpoint: async (name) => {
            assertActive(state);
            return statements.loadCheckpoint.get(name)?.checkpoint;
          },
        };
        // Nested call: part of the caller's transaction, which commits or rolls back as a whole.
        if (outer) return fn(tx);
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await txContext.run(state, () => fn(tx));
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        } finally {
          state.active = false;
          if (state.appended && !db.inTransaction) committed();
        }
      });
    },

    loadCheckpoint(name) {
      return exclusive(() => statements.loadCheckpoint.get(name)?.checkpoint);
    },

    query<R extends SqlRow>(sql: string, params?: readonly unknown[]) {
      return exclusive(() => run<R>(sql, params));
    },

    ready() {
      return closed ? Promise.reject(StoreUnavailable('embedded event store is closed')) : Promise.resolve();
    },

    async close() {
      if (closed) return;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      // Appends already accepted are committed, not dropped.
      while (flushing) await flushing;
      await tail;
      closed = true;
      db.close();
    },
  };
  return store;
}

function openDatabase(file: string | undefined, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file ?? ':memory:');
    // WAL + synchronous=FULL: each COMMIT fsyncs the WAL before it returns, so an acknowledged append
    // survives kill -9 and power loss (synchronous=NORMAL would only survive a process crash).
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (file !== undefined && mode !== 'wal') {
      throw StoreUnavailable(`embedded event store: could not enable WAL on ${file} (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw asUnavailable(error, `embedded event store: cannot open ${file ?? ':memory:'}`);
  }
}

function noop(): void {}

function assertActive(state: TxState): void {
  if (!state.active) {
    throw StoreUnavailable('embedded event store: transaction already ended (was a query not awaited?)');
  }
}

/**
 * SQLite takes `$1` as a parameter named "1", bound from an object; PostgreSQL-style statements therefore
 * work unchanged. Positional `?` statements take the array as is.
 */
function bindArgs(sql: string, params: readonly unknown[]): unknown[] {
  const values = params.map(toSqlite);
  if (!/\$[0-9]/.test(sql)) return values;
  return [Object.fromEntries(values.map((v, i) => [String(i + 1), v]))];
}

function toSqlite(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function asUnavailable(error: unknown, message: string): unknown {
  return isDomainError(error) ? error : StoreUnavailable(message, { cause: error });
}
