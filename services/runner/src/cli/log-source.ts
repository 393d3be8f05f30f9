/** The embedded store's log as a replay reads it: dossier events to apply, bookkeeping events passed over. */
import type { EmbeddedEventStore, StoredEvent } from '@onestop/event-store';
import { errorMessageOf, toEventEnvelope } from '@onestop/messaging';
import type { LogEntry, RebuildSource } from '@onestop/projection';
import { z } from 'zod';
import { parseBusMessage } from '../bus.js';

/** As the bus and the projection consumer see it: the relay's envelope, parsed by the same parser. */
export function logEntryOf(stored: StoredEvent): LogEntry {
  try {
    const message = parseBusMessage(toEventEnvelope(stored));
    return message.kind === 'dossier' ? { kind: 'dossier', event: message.event } : { kind: 'skipped' };
  } catch (error) {
    return { kind: 'rejected', eventId: stored.eventId, reason: errorMessageOf(error) };
  }
}

const Position = z.string().regex(/^\d+$/).transform(Number);
const CountRow = z.object({ n: z.number() });

export function embeddedLogSource(store: EmbeddedEventStore): RebuildSource {
  return {
    async read(after, max) {
      const { events, checkpoint } = await store.readAll({
        ...(after === undefined ? {} : { after }),
        maxCount: max,
      });
      return { checkpoint, entries: events.map(logEntryOf) };
    },
    async remaining(after) {
      const position = after === undefined ? 0 : Position.parse(after);
      const { rows } = await store.query('select count(*) as n from events where global_position > ?', [
        position,
      ]);
      return CountRow.parse(rows[0]).n;
    },
  };
}
