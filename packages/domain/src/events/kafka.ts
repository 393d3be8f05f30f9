/** The Kafka face of the catalogue (DESIGN.md section 3): one topic keyed by dossier, and its dead-letter topic. */
import type { DossierEvent } from './catalogue.js';

export const DOSSIER_EVENTS_TOPIC = 'onestop.dossier-events.v1';
export const DOSSIER_EVENTS_DLQ_TOPIC = `${DOSSIER_EVENTS_TOPIC}.dlq`;

/** Headers of every message on the topic, so consumers can route and skip without parsing the value. */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  source: 'source',
} as const;

/** Extra headers on a dead letter: why it failed and where it came from (the value is the original bytes). */
export const DLQ_HEADERS = {
  errorCode: 'error-code',
  errorMessage: 'error-message',
  originalTopic: 'original-topic',
  originalPartition: 'original-partition',
  originalOffset: 'original-offset',
} as const;

export interface DossierEventMessage {
  /** The dossier id: all events of a dossier land on one partition, in order. */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<(typeof EVENT_HEADERS)[keyof typeof EVENT_HEADERS], string>>;
}

export function toKafkaMessage(event: DossierEvent): DossierEventMessage {
  return {
    key: event.dossierId,
    value: JSON.stringify(event),
    headers: {
      'event-id': event.eventId,
      'event-type': event.type,
      'schema-version': String(event.schemaVersion),
      source: event.source,
    },
  };
}
