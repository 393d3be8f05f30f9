/**
 * The pure half of the KurrentDB adapter: how the port's arguments, records and errors translate to and from
 * `@eventstore/db-client`. Kept apart from the I/O so that it is unit-tested without a server.
 */
import {
  type AllStreamRecordedEvent,
  ANY,
  type ExpectedRevision,
  MaxAppendSizeExceededError,
  NO_STREAM,
  type Position,
  type RecordedEvent,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { defineError, isDomainError } from '@onestop/domain';
import { z } from 'zod';
import {
  type ExpectedVersion,
  InvalidAppend,
  type JsonObject,
  type StoredEvent,
  StoreUnavailable,
  WrongExpectedVersion,
} from '../port.js';

/** A record the port cannot represent (not JSON, data not an object, no $all position): nothing is guessed. */
export const UnreadableEvent = defineError<{ streamId: string; streamVersion: number; reason: string }>(
  'ES_UNREADABLE_EVENT',
  'internal',
);

export function toExpectedRevision(expected: ExpectedVersion): ExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

/** KurrentDB reserves `$`-prefixed stream names and event types for itself (system streams, links, metadata). */
export const isSystemName = (name: string): boolean => name.startsWith('$');

/**
 * Turns what the client threw during an append into the port's errors: a version conflict becomes
 * `WrongExpectedVersion` (actual -1 for a missing stream), an oversized batch `InvalidAppend`, and everything
 * else (no connection, deadline, access denied, server errors) `StoreUnavailable` with the client error as cause.
 */
export function mapAppendError(error: unknown, streamId: string, expected: ExpectedVersion): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : -1;
    return WrongExpectedVersion(
      `wrong expected version for stream ${streamId}: expected ${String(expected)}, actual ${actual}`,
      { details: { streamId, expected, actual }, cause: error },
    );
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return InvalidAppend(`invalid append: events exceed the server's maximum append size`, {
      details: {
        field: 'events',
        reason: `exceed the server's maximum append size (${error.maxAppendSize} bytes)`,
      },
      cause: error,
    });
  }
  return mapStoreError(error, 'append');
}

/** Wraps client and server failures in `StoreUnavailable`; domain errors (ours) pass through. */
export function mapStoreError(error: unknown, what: string): unknown {
  if (isDomainError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return StoreUnavailable(`KurrentDB ${what} failed: ${message}`, { cause: error });
}

const jsonObject = z.record(z.string(), z.json());

// The server sends u64::MAX for a position it does not know (stream reads before KurrentDB/EventStoreDB 22.6).
const unknownPosition = 2n ** 64n - 1n;

/** The $all position of a record, or `undefined` when the server did not send one. */
export function positionOf(record: RecordedEvent | AllStreamRecordedEvent): Position | undefined {
  const position = record.position;
  if (position === undefined || position.commit === unknownPosition) return undefined;
  return position;
}

/**
 * Maps a record to the port's `StoredEvent`. `streamId` is the port's id (the store prefix removed);
 * `globalPosition` is the commit position (unique per event for appends, which KurrentDB writes without
 * explicit transactions), `recordedAt` the server's `created`.
 */
export function toStoredEvent(record: RecordedEvent | AllStreamRecordedEvent, streamId: string): StoredEvent {
  const streamVersion = Number(record.revision);
  const unreadable = (reason: string) =>
    UnreadableEvent(`cannot read event ${streamId}@${streamVersion}: ${reason}`, {
      details: { streamId, streamVersion, reason },
    });
  if (!record.isJson) throw unreadable('its content type is not application/json');
  const data = jsonObject.safeParse(record.data);
  if (!data.success) throw unreadable('its data is not a JSON object');
  let metadata: JsonObject = {};
  if (record.metadata !== undefined) {
    const parsed = jsonObject.safeParse(record.metadata);
    if (!parsed.success) throw unreadable('its metadata is not a JSON object');
    metadata = parsed.data;
  }
  const position = positionOf(record);
  if (position === undefined)
    throw unreadable('the server sent no $all position (KurrentDB 22.6 or later sends it)');
  return {
    eventId: record.id,
    type: record.type,
    data: data.data,
    metadata,
    streamId,
    streamVersion,
    globalPosition: position.commit,
    recordedAt: record.created,
  };
}
