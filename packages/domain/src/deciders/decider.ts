/**
 * The three-member decider (DESIGN.md section 4) and what it emits. Deciders are pure: the command carries the
 * business time (`now`), the actor, any ids and any clock facts the handler computed; the service adds what only
 * it knows (eventId, dossierId, stream version, trace ids) when it appends.
 */
import { z } from 'zod';
import {
  type Actor,
  Actor as ActorSchema,
  currentSchemaVersion,
  type DossierEventType,
  type EventData,
  eventSchemaOf,
  streamIdOfEvent,
} from '../events/index.js';

export interface Decider<Command, State, Event> {
  /** Validates the command and returns the events it causes (none for an idempotent repeat), or throws. */
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** An event as a decider emits it: the envelope fields a decider can know, plus the payload. */
export interface Decided<T extends DossierEventType> {
  readonly type: T;
  readonly data: EventData<T>;
  /** Business time: the command's `now`. */
  readonly occurredAt: string;
  readonly actor: Actor;
}

/** A decided event of any of the types `T` (a union, so `switch (event.type)` narrows `data`). */
export type DecidedEvent<T extends DossierEventType = DossierEventType> = { [K in T]: Decided<K> }[T];

/** Every command carries the business time and who issues it. */
export const CommandBase = { now: z.date(), actor: ActorSchema };

export function emit<T extends DossierEventType>(
  type: T,
  data: EventData<T>,
  command: { readonly now: Date; readonly actor: Actor },
): Decided<T> {
  return { type, data, occurredAt: command.now.toISOString(), actor: command.actor };
}

/** Ids the service assigns when it appends a decided event. */
export interface AppendIds {
  readonly eventId: string;
  readonly dossierId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

// Payload types carry `field?: T | undefined`, which a JSON-object type refuses; parsing proves plain JSON.
const JsonObject = z.record(z.string(), z.json());

/**
 * The event in the event store's append shape: the envelope fields that are not columns of the store
 * (streamId, streamVersion and recordedAt are) travel in `metadata`.
 */
export function eventToAppend(event: DecidedEvent, ids: AppendIds) {
  const schema = eventSchemaOf(event.type);
  if (schema === undefined) throw new Error(`unknown event type ${event.type}`);
  const source = schema.shape.source.value;
  return {
    eventId: ids.eventId,
    type: event.type,
    data: JsonObject.parse(event.data),
    metadata: JsonObject.parse({
      schemaVersion: currentSchemaVersion(event.type),
      dossierId: ids.dossierId,
      occurredAt: event.occurredAt,
      source,
      correlationId: ids.correlationId,
      causationId: ids.causationId,
      actor: event.actor,
    }),
    streamId: streamIdOfEvent({ source, dossierId: ids.dossierId, data: event.data }),
  };
}
