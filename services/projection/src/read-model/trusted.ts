/**
 * Events of the system's own log taken as trusted: their envelope JSON is upcast and its envelope checked (the
 * fields the read models use), and the payload is trusted, which its service validated before appending it (a
 * full parse of every event costs more than the rest of reading the log). The replay reads the store's rows and
 * the relay's topic this way (`LogEntry`'s `trusted`), and the handler reads back the events it stored itself.
 */
import { type DossierEvent, eventSchemaOf, streamIdOfEvent, upcast } from '@onestop/domain';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The envelope checks of a `trusted` entry, after upcasting: a known type at its current version, from its
 * source, with the ids, instant and stream the read models use. The payload is the trusted part.
 */
function isTrustedEnvelope(event: Record<string, unknown>): event is DossierEvent {
  const schema = typeof event.type === 'string' ? eventSchemaOf(event.type) : undefined;
  return (
    schema !== undefined &&
    event.schemaVersion === schema.shape.schemaVersion.value &&
    event.source === schema.shape.source.value &&
    typeof event.eventId === 'string' &&
    event.eventId !== '' &&
    typeof event.dossierId === 'string' &&
    event.dossierId !== '' &&
    typeof event.occurredAt === 'string' &&
    Number.isFinite(Date.parse(event.occurredAt)) &&
    isRecord(event.data) &&
    event.streamId ===
      streamIdOfEvent({ source: schema.shape.source.value, dossierId: event.dossierId, data: event.data })
  );
}

export type Applicable = { readonly event: DossierEvent } | { readonly rejected: string };

/** The keys of each type's envelope and payload, in its schema's order. */
const layouts = new Map<string, { envelope: readonly string[]; data: readonly string[] }>();

/** The defined values of `keys` in `from`, in that order. */
function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/**
 * The event with the keys of its envelope and payload in its schema's order, unknown keys dropped, as a parse
 * would give them: the body the projection stores is then the same text whichever way the event was read
 * (store rows come back with their metadata and jsonb keys reordered). Nested payload objects keep their order.
 */
function inSchemaOrder(event: Record<string, unknown>): Record<string, unknown> {
  const schema = typeof event.type === 'string' ? eventSchemaOf(event.type) : undefined;
  if (schema === undefined) return event;
  let layout = layouts.get(schema.shape.type.value);
  if (layout === undefined) {
    layout = { envelope: Object.keys(schema.shape), data: Object.keys(schema.shape.data.shape) };
    layouts.set(schema.shape.type.value, layout);
  }
  const ordered = pick(event, layout.envelope);
  if (isRecord(event.data)) ordered.data = pick(event.data, layout.data);
  return ordered;
}

/** A `trusted` entry's event (upcast when stored at an older version), or why it is rejected. */
export function trustedEvent(raw: unknown): Applicable {
  try {
    const schema = isRecord(raw) && typeof raw.type === 'string' ? eventSchemaOf(raw.type) : undefined;
    const current =
      schema !== undefined && isRecord(raw) && raw.schemaVersion === schema.shape.schemaVersion.value
        ? raw
        : upcast(raw);
    const event = isRecord(current) ? inSchemaOrder(current) : undefined;
    if (event !== undefined && isTrustedEnvelope(event)) return { event };
    return { rejected: 'not a dossier event envelope' };
  } catch (error) {
    return { rejected: error instanceof Error ? error.message : String(error) };
  }
}
