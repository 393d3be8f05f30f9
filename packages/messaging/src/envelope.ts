/**
 * How a stored event becomes the event on the wire (DESIGN.md section 3). The store keeps the payload in `data`
 * and the envelope fields the caller chose in `metadata` (`dossierId`, `schemaVersion`, `source`,
 * `correlationId`, `causationId`, `actor`, `occurredAt`); the store itself owns `eventId`, `type`, `streamId`,
 * `streamVersion` and `recordedAt`, so those win over any same-named metadata key. The Kafka value and what a
 * store-fed consumer parses are this same object, so a handler sees one shape in both transports.
 */
import { EVENT_HEADERS, eventSchemaOf } from '@onestop/domain';
import { type JsonObject, rawDataOf, type StoredEvent } from '@onestop/event-store';

export interface RelayMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** The event as it travels: envelope first, payload last (the catalogue's key order). */
export function toEventEnvelope(event: StoredEvent): JsonObject {
  const envelope: JsonObject = {
    eventId: event.eventId,
    type: event.type,
    ...event.metadata,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
  };
  // Set again after the spread: the metadata must not override them, and they keep their leading place.
  envelope.eventId = event.eventId;
  envelope.type = event.type;
  return envelope;
}

/**
 * The partition key: `metadata.dossierId`. An event without one (not from the dossier catalogue) is keyed by
 * its stream id, which still keeps each stream in order on one partition; it is published, never dropped.
 */
export function partitionKeyOf(event: StoredEvent): string {
  const dossierId = event.metadata.dossierId;
  return typeof dossierId === 'string' && dossierId.length > 0 ? dossierId : event.streamId;
}

/** `fallbackSource` (the relay's service) names the source when the event's metadata does not. */
export function toRelayMessage(event: StoredEvent, fallbackSource: string): RelayMessage {
  const { schemaVersion, source } = event.metadata;
  const headers: Record<string, string> = {
    [EVENT_HEADERS.eventId]: event.eventId,
    [EVENT_HEADERS.eventType]: event.type,
    [EVENT_HEADERS.source]: typeof source === 'string' ? source : fallbackSource,
  };
  if (typeof schemaVersion === 'number' || typeof schemaVersion === 'string') {
    headers[EVENT_HEADERS.schemaVersion] = String(schemaVersion);
  }
  return { key: partitionKeyOf(event), value: envelopeJson(event), headers };
}

/**
 * `JSON.stringify(toEventEnvelope(event))`, without serializing the payload again when the store kept its
 * text (`rawDataOf`): the envelope's head is serialized and the payload text, already valid JSON, goes last.
 */
function envelopeJson(event: StoredEvent): string {
  const raw = rawDataOf(event);
  if (raw === undefined) return JSON.stringify(toEventEnvelope(event));
  const { data: _payloadGoesLast, ...metadata } = event.metadata;
  const head: JsonObject = {
    eventId: event.eventId,
    type: event.type,
    ...metadata,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    recordedAt: event.recordedAt.toISOString(),
  };
  head.eventId = event.eventId;
  head.type = event.type;
  return `${JSON.stringify(head).slice(0, -1)},"data":${raw}}`;
}

/**
 * The relay filter of every service (`include` of `startRelay`): only types of the dossier event catalogue go to
 * the topic. A service's store also holds its own bookkeeping (intake's `DossierCodeDrawn`,
 * `IdempotencyKeyClaimed`), which no consumer knows and the catalogue parser would dead-letter.
 */
export function inDossierCatalogue(event: StoredEvent): boolean {
  return eventSchemaOf(event.type) !== undefined;
}
