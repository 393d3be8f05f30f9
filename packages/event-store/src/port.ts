/**
 * The event store port (DESIGN.md section 2, contract). Every adapter (PostgreSQL, embedded, KurrentDB)
 * implements exactly this and passes the same contract suite.
 */
import { defineError } from '@onestop/domain';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An event as the caller hands it to `appendToStream`. */
export interface EventToAppend {
  /** Unique id (UUIDv7 by convention). Re-appending an id already in the stream is an idempotent success. */
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: JsonObject;
}

/** An event as stored. */
export interface StoredEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly streamId: string;
  /** 0-based, dense within the stream. */
  readonly streamVersion: number;
  /**
   * Unique position in the store, increasing along a stream; not necessarily dense. Across streams it need not
   * increase in `readAll` order (PostgreSQL orders by commit visibility: transaction, then position), so resume
   * with a `Checkpoint`, never with a position.
   */
  readonly globalPosition: bigint;
  readonly recordedAt: Date;
}

/**
 * The exact JSON text of `event.data` as the store holds it, when the adapter kept it (PostgreSQL does: its
 * `data` column is `json`, the appended text verbatim). The relay splices this text into the Kafka value instead
 * of serializing the payload again. Undefined for any other object, including a copy (`{ ...event }`), so a
 * changed copy never carries stale text (events are immutable values: never change `data` in place).
 */
export function rawDataOf(event: StoredEvent): string | undefined {
  return TextBackedEvent.textOf(event);
}

/** For adapters: an event that keeps its payload's JSON text beside the parsed `data` (see `rawDataOf`). */
export function eventWithRawData(fields: Omit<StoredEvent, 'data'>, dataJson: string): StoredEvent {
  return new TextBackedEvent(fields, dataJson);
}

/**
 * A plain-data class: its fields are own and enumerable like an object literal's (spreads, `JSON.stringify` and
 * equality see the same event), and the text sits in a private field, which no copy takes along. (A WeakMap
 * entry or a lazily parsing getter per event cost about 1 µs each and more garbage collection: measured.)
 */
class TextBackedEvent implements StoredEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: bigint;
  readonly recordedAt: Date;
  readonly #dataJson: string;

  constructor(fields: Omit<StoredEvent, 'data'>, dataJson: string) {
    this.eventId = fields.eventId;
    this.type = fields.type;
    this.data = JSON.parse(dataJson) as JsonObject;
    this.metadata = fields.metadata;
    this.streamId = fields.streamId;
    this.streamVersion = fields.streamVersion;
    this.globalPosition = fields.globalPosition;
    this.recordedAt = fields.recordedAt;
    this.#dataJson = dataJson;
  }

  static textOf(event: StoredEvent): string | undefined {
    return #dataJson in event ? event.#dataJson : undefined;
  }
}

/** `'no_stream'`: the stream must not exist; `'any'`: no check; a number: the version of the last event. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
}

export interface AppendResult {
  /** The stream version of the last event now in the stream (use it as the next `expectedVersion`). */
  readonly nextExpectedVersion: number;
}

export interface ReadStreamOptions {
  readonly fromVersion?: number;
  readonly maxCount?: number;
}

/**
 * Opaque, serialisable position in the global order. Adapters encode what they need (PostgreSQL:
 * transaction id + position). Persist it with `JSON.stringify`-safe `string`s only.
 */
export type Checkpoint = string;

export interface ReadAllOptions {
  /** Continue after this checkpoint; absent = from the beginning. */
  readonly after?: Checkpoint;
  /** Absent: adapter-defined (PostgreSQL: 1,000 per page). Page with `maxCount` and the checkpoint. */
  readonly maxCount?: number;
}

export interface ReadAllResult {
  readonly events: StoredEvent[];
  /** Continues after the last event returned (equals `after` when nothing was returned). */
  readonly checkpoint: Checkpoint | undefined;
}

export interface SubscribeOptions {
  readonly after?: Checkpoint;
  /**
   * Called for each event in global order, one at a time. The subscription advances only after the promise
   * resolves; if it rejects the subscription stops and `done` rejects with that error.
   */
  readonly handler: (event: StoredEvent, checkpoint: Checkpoint) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Called once the subscription has read everything committed when it started (caught up). */
  readonly onCaughtUp?: () => void;
}

export interface Subscription {
  /** Stops after the current handler call; resolves when stopped. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on stop/abort, rejects on a handler or store error. */
  readonly done: Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically. Bad arguments (see `InvalidAppend`; an empty `events` list is one) throw before anything
   * is written. If every `eventId` of `events` is already in the stream, nothing is written and the result is the
   * stream version of the last of them as first stored, whatever `expectedVersion` says (a safe retry). If only
   * some are, it is a `WrongExpectedVersion` with the current version.
   */
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Events of one stream in version order. A missing stream reads as `[]` (no `StreamNotFound`). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /**
   * Events in global order. An append can show up here a little after it resolved (PostgreSQL waits until every
   * older transaction in the cluster has ended, so that nothing is ever skipped); `readStream` sees it at once.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Releases connections/handles; calling it again is a no-op. */
  close(): Promise<void>;
}

/** Raised when `expectedVersion` does not hold. `actual` is -1 when the stream does not exist. */
export const WrongExpectedVersion = defineError<{
  streamId: string;
  expected: ExpectedVersion;
  actual: number;
}>('ES_WRONG_EXPECTED_VERSION', 'precondition_failed');
/** Not raised by the operations above (a missing stream reads as `[]`); reserved for stream-level operations. */
export const StreamNotFound = defineError<{ streamId: string }>('ES_STREAM_NOT_FOUND', 'not_found');
/** Bad arguments (empty stream id, missing type, non-JSON payload, negative version): nothing was written. */
export const InvalidAppend = defineError<{ field: string; reason: string }>(
  'ES_INVALID_APPEND',
  'validation',
);
/** The store could not be reached or failed; `cause` holds the driver error. */
export const StoreUnavailable = defineError('ES_STORE_UNAVAILABLE', 'unavailable');
