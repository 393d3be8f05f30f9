import {
  type DecidedEvent,
  type Decider,
  type DossierEvent,
  dossierEventFromStored,
  eventToAppend,
} from '@onestop/domain';
import { type EventStore, type StoredEvent, WrongExpectedVersion } from '@onestop/event-store';
import type { IdGenerator } from './ids.js';

/** Trace ids of the request that issued the command. */
export interface CommandTrace {
  readonly correlationId: string;
  /** The event or request that caused this command; defaults to the correlation id. */
  readonly causationId?: string;
}

export interface HandleCommandOptions<C, S, E extends DecidedEvent> {
  readonly store: EventStore;
  readonly decider: Decider<C, S, E>;
  readonly dossierId: string;
  readonly streamId: string;
  /**
   * The command, or a function building it from the current state and history (for commands that carry clock
   * facts the handler derives from the events, e.g. the due in force when an apology is issued).
   */
  readonly command: C | ((state: S, history: readonly DossierEvent[]) => C);
  readonly ids: IdGenerator;
  readonly trace: CommandTrace;
  /** Re-reads and re-decides this many times when another writer got there first (default 3). */
  readonly retries?: number;
}

export interface HandledCommand<S> {
  readonly state: S;
  /** The events this command appended (empty for an idempotent repeat). */
  readonly appended: readonly DossierEvent[];
  /** All events of the stream after the command. */
  readonly history: readonly DossierEvent[];
  /** Stream version after the command (-1 for a stream that still does not exist). */
  readonly version: number;
}

/**
 * Read → fold → decide → append with optimistic concurrency; on a version conflict, read again and decide again
 * (the decider sees the newer state and may refuse). The only place services touch their streams for writes.
 */
export async function handleCommand<C, S, E extends DecidedEvent>(
  options: HandleCommandOptions<C, S, E>,
): Promise<HandledCommand<S>> {
  const { store, decider, streamId } = options;
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const stored = await store.readStream(streamId);
    const history = stored.map(toDossierEvent);
    // The stream holds only this decider's event types (one stream per service and dossier).
    const state = history.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
    const command = isCommandBuilder(options.command) ? options.command(state, history) : options.command;
    const decided = decider.decide(command, state);
    const version = stored.length - 1;
    if (decided.length === 0) return { state, appended: [], history, version };
    const toAppend = decided.map((event) =>
      eventToAppend(event, {
        eventId: options.ids.next(),
        dossierId: options.dossierId,
        correlationId: options.trace.correlationId,
        causationId: options.trace.causationId ?? options.trace.correlationId,
      }),
    );
    try {
      await store.appendToStream(
        streamId,
        toAppend.map(({ eventId, type, data, metadata }) => ({ eventId, type, data, metadata })),
        { expectedVersion: version < 0 ? 'no_stream' : version },
      );
    } catch (error) {
      if (WrongExpectedVersion.is(error) && attempt < retries) continue;
      throw error;
    }
    const after = await store.readStream(streamId, { fromVersion: version + 1, maxCount: toAppend.length });
    const appended = after.map(toDossierEvent);
    const newState = appended.reduce((s, e) => decider.evolve(s, e as unknown as E), state);
    return {
      state: newState,
      appended,
      history: [...history, ...appended],
      version: version + appended.length,
    };
  }
}

function isCommandBuilder<C, S>(
  command: C | ((state: S, history: readonly DossierEvent[]) => C),
): command is (state: S, history: readonly DossierEvent[]) => C {
  return typeof command === 'function';
}

function toDossierEvent(event: StoredEvent): DossierEvent {
  return dossierEventFromStored(event);
}
