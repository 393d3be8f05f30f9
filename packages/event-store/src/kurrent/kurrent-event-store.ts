/**
 * The KurrentDB (formerly EventStoreDB) adapter, via `@eventstore/db-client` as DESIGN.md section 2 names it.
 * Its renamed successor `@kurrent/kurrentdb-client` has the same shape (`expectedRevision` became `streamState`);
 * moving to it is a change of imports in this folder only.
 *
 * Thin by intent: KurrentDB already has stream OCC (expected revision), idempotent appends by event id, one
 * global log ($all) and catch-up subscriptions, so this file only translates. What it cannot promise:
 * - Retry safety with `'any'`: the server dedupes a re-sent batch by event id for an exact expected version
 *   (and `'no_stream'`); with `'any'` it only checks a cache of recently written ids, so a retry long after the
 *   first attempt can append duplicates. Use an exact version where retries matter.
 * - No consumer transactions (`withTransaction`): KurrentDB has no SQL transactions, so read models in a
 *   KurrentDB deployment keep their checkpoints in their own store, in the same transaction as their effects.
 * - `readAll` filters system events (`$`-prefixed streams and types) on the client: this client's `readAll` has
 *   no server-side filter, so a page may scan more records than it returns.
 */
import {
  type AllStreamRecordedEvent,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  type Position,
  START,
  StreamNotFoundError,
  streamNameFilter,
} from '@eventstore/db-client';
import { validateAppend } from '../contract/validate-append.js';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  InvalidAppend,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedVersion,
} from '../port.js';
import { decodeCheckpoint, encodeCheckpoint, isAfter } from './checkpoint.js';
import { isSystemName, mapAppendError, mapStoreError, toExpectedRevision, toStoredEvent } from './mapping.js';

export interface KurrentEventStoreOptions {
  /**
   * e.g. `esdb://localhost:2113?tls=false`. Client settings go in the query string: `defaultDeadline` (ms, for
   * appends), `keepAliveInterval`, `throwOnAppendFailure`, credentials as `esdb://user:pass@host`.
   */
  readonly connectionString: string;
  /**
   * Stored stream name = `streamPrefix + streamId`; `readAll` and `subscribeToAll` return only streams with the
   * prefix, with it removed. Lets several stores (or test runs) share one server, as `schema` does for
   * PostgreSQL. Default `''`: every non-system stream on the server.
   */
  readonly streamPrefix?: string;
}

const defaultPageSize = 1000;
const catchUpPageSize = 500;
// Scanning $all for the prefix's events reads at least this many records per round trip.
const minScan = 500;

interface Positioned {
  readonly event: StoredEvent;
  readonly position: Position;
}

interface ScanResult {
  readonly events: Positioned[];
  /** The last $all position looked at (possibly a filtered-out record); resume after it. */
  readonly last: Position | undefined;
  /** The end of $all was reached. */
  readonly exhausted: boolean;
}

export function kurrentEventStore(options: KurrentEventStoreOptions): EventStore {
  const prefix = options.streamPrefix ?? '';
  if (isSystemName(prefix)) throw new Error(`streamPrefix must not start with '$': ${prefix}`);
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const subscriptions = new Set<Subscription>();
  let closed: Promise<void> | undefined;

  const isOurs = (record: AllStreamRecordedEvent) =>
    record.streamId.startsWith(prefix) && !isSystemName(record.streamId) && !isSystemName(record.type);

  /** Reads $all after `from` until `want` of this store's events are found or the log ends. */
  async function scan(from: Position | undefined, want: number): Promise<ScanResult> {
    const events: Positioned[] = [];
    let cursor = from;
    for (;;) {
      // Reading $all from a position includes the record at it: ask for one more and skip it.
      const ask = Math.max(want - events.length, minScan) + (cursor === undefined ? 0 : 1);
      let got = 0;
      try {
        for await (const resolved of client.readAll({ fromPosition: cursor ?? START, maxCount: ask })) {
          got++;
          const record = resolved.event;
          if (record === undefined) continue;
          if (cursor !== undefined && !isAfter(record.position, cursor)) continue;
          cursor = record.position;
          if (!isOurs(record)) continue;
          events.push({
            event: toStoredEvent(record, record.streamId.slice(prefix.length)),
            position: cursor,
          });
          if (events.length === want) return { events, last: cursor, exhausted: false };
        }
      } catch (error) {
        throw mapStoreError(error, 'readAll');
      }
      if (got < ask) return { events, last: cursor, exhausted: true };
    }
  }

  async function appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    { expectedVersion }: AppendOptions,
  ): Promise<AppendResult> {
    validateAppend(streamId, events, expectedVersion);
    const stream = prefix + streamId;
    if (isSystemName(stream)) {
      throw InvalidAppend(`invalid append: streamId starts with '$' (a KurrentDB system stream)`, {
        details: { field: 'streamId', reason: "starts with '$' (a KurrentDB system stream)" },
      });
    }
    events.forEach((event, i) => {
      if (isSystemName(event.type)) {
        throw InvalidAppend(`invalid append: events[${i}].type starts with '$' (a KurrentDB system type)`, {
          details: { field: `events[${i}].type`, reason: "starts with '$' (a KurrentDB system type)" },
        });
      }
    });
    const data = events.map((event) =>
      jsonEvent({ id: event.eventId, type: event.type, data: event.data, metadata: event.metadata }),
    );
    let result: Awaited<ReturnType<typeof client.appendToStream>>;
    try {
      result = await client.appendToStream(stream, data, {
        expectedRevision: toExpectedRevision(expectedVersion),
      });
    } catch (error) {
      throw mapAppendError(error, streamId, expectedVersion);
    }
    const next = Number(result.nextExpectedRevision);
    // Only with `throwOnAppendFailure=false` in the connection string does a conflict come back as a result.
    if (!result.success) {
      throw WrongExpectedVersion(`wrong expected version for stream ${streamId}`, {
        details: { streamId, expected: expectedVersion, actual: next },
      });
    }
    return { nextExpectedVersion: next };
  }

  async function readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    if (options.maxCount === 0) return [];
    const events: StoredEvent[] = [];
    try {
      const reading = client.readStream(prefix + streamId, {
        fromRevision: BigInt(options.fromVersion ?? 0),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of reading) {
        if (resolved.event !== undefined) events.push(toStoredEvent(resolved.event, streamId));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw mapStoreError(error, 'readStream');
    }
    return events;
  }

  async function readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const from = decodeCheckpoint(options.after);
    const want = options.maxCount ?? defaultPageSize;
    if (want <= 0) return { events: [], checkpoint: options.after };
    const page = await scan(from, want);
    const last = page.events.at(-1);
    return {
      events: page.events.map((e) => e.event),
      checkpoint: last === undefined ? options.after : encodeCheckpoint(last.position),
    };
  }

  function subscribeToAll({ after, handler, signal, onCaughtUp }: SubscribeOptions): Subscription {
    const stopSignal = Symbol('stop');
    let stopping = false;
    let wake: () => void = () => undefined;
    const stopRequested = new Promise<typeof stopSignal>((resolve) => {
      wake = () => resolve(stopSignal);
    });
    const requestStop = () => {
      stopping = true;
      wake();
    };
    signal?.addEventListener('abort', requestStop, { once: true });

    async function run(): Promise<void> {
      if (signal?.aborted) return;
      let cursor = decodeCheckpoint(after);
      // Catch-up by reading to the current end first: this client signals "caught up" only on servers that
      // send it (KurrentDB-Client-NodeJS #163), and a read that finds no more is a signal every server gives.
      for (;;) {
        const page = await scan(cursor, catchUpPageSize);
        for (const { event, position } of page.events) {
          if (stopping) return;
          await handler(event, encodeCheckpoint(position));
        }
        cursor = page.last ?? cursor;
        if (stopping) return;
        if (page.exhausted) break;
      }
      onCaughtUp?.();

      // Live: a server-side catch-up subscription from where the reads ended (exclusive), so nothing written
      // in between is lost; the position check drops anything at or before what was already delivered.
      const live = client.subscribeToAll({
        fromPosition: cursor ?? START,
        filter: prefix === '' ? excludeSystemEvents() : streamNameFilter({ prefixes: [prefix] }),
      });
      const iterator = live[Symbol.asyncIterator]();
      try {
        for (;;) {
          const pending = iterator.next();
          pending.catch(() => undefined); // left pending when stopped; its settling is of no interest then
          let next: Awaited<typeof pending> | typeof stopSignal;
          try {
            next = await Promise.race([pending, stopRequested]);
          } catch (error) {
            throw mapStoreError(error, 'subscribeToAll');
          }
          if (next === stopSignal || stopping) return;
          // The stream ends without error only when the client is disposed (close()).
          if (next.done) return;
          const record = next.value.event;
          if (record === undefined || !isOurs(record)) continue;
          if (cursor !== undefined && !isAfter(record.position, cursor)) continue;
          cursor = record.position;
          const event = toStoredEvent(record, record.streamId.slice(prefix.length));
          await handler(event, encodeCheckpoint(record.position));
          if (stopping) return;
        }
      } finally {
        await live.unsubscribe().catch(() => undefined);
        live.destroy();
      }
    }

    const done = run().finally(() => {
      signal?.removeEventListener('abort', requestStop);
      subscriptions.delete(subscription);
    });
    const subscription: Subscription = {
      stop: async () => {
        requestStop();
        await done.then(
          () => undefined,
          () => undefined,
        );
      },
      done,
    };
    subscriptions.add(subscription);
    return subscription;
  }

  function close(): Promise<void> {
    closed ??= (async () => {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await client.dispose();
    })();
    return closed;
  }

  return { appendToStream, readStream, readAll, subscribeToAll, close };
}
