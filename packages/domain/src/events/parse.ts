import { valueAtPath } from '../validation.js';
import { DossierEvent, streamIdOfEvent } from './catalogue.js';
import { eventIssues, summarizeIssues } from './event-issues.js';
import { InvalidEvent, type InvalidEventIssue } from './invalid-event.js';
import { upcast } from './upcast.js';

function describeEvent(raw: unknown): { type?: string; schemaVersion?: number; eventId?: string } {
  const type = valueAtPath(raw, ['type']);
  const schemaVersion = valueAtPath(raw, ['schemaVersion']);
  const eventId = valueAtPath(raw, ['eventId']);
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof schemaVersion === 'number' ? { schemaVersion } : {}),
    ...(typeof eventId === 'string' ? { eventId } : {}),
  };
}

function fail(raw: unknown, issues: InvalidEventIssue[], cause?: unknown): never {
  const about = describeEvent(raw);
  const what = [about.type ?? 'event', about.schemaVersion === undefined ? '' : `v${about.schemaVersion}`]
    .filter(Boolean)
    .join(' ');
  throw InvalidEvent(
    `invalid ${what}${about.eventId ? ` ${about.eventId}` : ''}: ${summarizeIssues(issues)}`,
    {
      details: { ...about, issues },
      cause,
    },
  );
}

/**
 * Validates a stored or consumed event (envelope + payload) after upcasting it to the current schema version.
 * Throws DOM_INVALID_EVENT whose message and details name each offending field and value.
 */
export function parseDossierEvent(raw: unknown): DossierEvent {
  const current = upcast(raw);
  const result = DossierEvent.safeParse(current);
  if (!result.success) {
    const issues = eventIssues(current, result.error.issues);
    fail(current, issues, result.error);
  }
  const event = result.data;
  const expected = streamIdOfEvent(event);
  if (event.streamId !== expected) {
    fail(current, [{ path: 'streamId', message: `expected ${expected}`, value: event.streamId }]);
  }
  return event;
}

/** The event-store row shape (`StoredEvent` of @onestop/event-store) that `dossierEventFromStored` reads. */
export interface StoredEventLike {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly recordedAt: Date;
}

/**
 * Rebuilds the full event from a stored row: the envelope fields that are not store columns travel in
 * `metadata` (see `eventToAppend`); store columns win over anything in metadata.
 */
export function dossierEventFromStored(stored: StoredEventLike): DossierEvent {
  const metadata = typeof stored.metadata === 'object' && stored.metadata !== null ? stored.metadata : {};
  return parseDossierEvent({
    ...metadata,
    eventId: stored.eventId,
    type: stored.type,
    data: stored.data,
    streamId: stored.streamId,
    streamVersion: stored.streamVersion,
    recordedAt: stored.recordedAt.toISOString(),
  });
}
