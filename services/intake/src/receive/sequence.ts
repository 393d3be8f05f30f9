/**
 * Dossier code sequences (DOMAIN.md section 4): one per receiving unit per reception day, kept in the event store
 * itself as the stream `dossier-sequence-{unitCode}-{yyMMdd}`. Drawing number n appends the n-th event with
 * `expectedVersion = n - 2` (the stream's version is the sequence minus one), so two writers can never draw the
 * same number: the loser gets WrongExpectedVersion, which carries the actual version, and tries the next one.
 * A drawn number is never given back: a receipt that fails after drawing leaves a gap, never a duplicate.
 *
 * Within one process the draws of a key are queued, so they do not fight each other; the optimistic check is
 * what keeps several processes (stack mode, scale-out) apart.
 */
import { formatDossierCode, MAX_DOSSIER_SEQUENCE, receptionDayKey } from '@onestop/domain';
import { type EventStore, WrongExpectedVersion } from '@onestop/event-store';
import type { IdGenerator } from '@onestop/service-kit';
import { DossierSequenceExhausted } from '../errors.js';

export const DOSSIER_CODE_DRAWN = 'DossierCodeDrawn';

export interface DossierCodeAllocator {
  /** Draws the next code of the unit's reception day of `receivedAt` (Vietnam date) for `dossierId`. */
  next(input: { unitCode: string; receivedAt: Date; dossierId: string }): Promise<string>;
}

export function sequenceStreamId(dayKey: string): string {
  return `dossier-sequence-${dayKey}`;
}

export function dossierCodeAllocator(store: EventStore, ids: IdGenerator): DossierCodeAllocator {
  /** Last version seen per day key: a good first guess, corrected by the store on conflict. */
  const known = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();

  const draw = async (dayKey: string, dossierId: string): Promise<number> => {
    const streamId = sequenceStreamId(dayKey);
    let expected = known.get(dayKey) ?? -1;
    // Terminates: every conflict means another writer drew a number, so `expected` grows until the day is full.
    for (;;) {
      const sequence = expected + 2;
      if (sequence > MAX_DOSSIER_SEQUENCE) {
        throw DossierSequenceExhausted(`no dossier code left for ${dayKey}`, { details: { dayKey } });
      }
      try {
        await store.appendToStream(
          streamId,
          [
            {
              eventId: ids.next(),
              type: DOSSIER_CODE_DRAWN,
              data: { sequence, dossierId },
              metadata: { source: 'intake' },
            },
          ],
          { expectedVersion: expected < 0 ? 'no_stream' : expected },
        );
        known.set(dayKey, expected + 1);
        return sequence;
      } catch (error) {
        if (!WrongExpectedVersion.is(error) || error.details.actual <= expected) throw error;
        expected = error.details.actual;
      }
    }
  };

  return {
    async next({ unitCode, receivedAt, dossierId }) {
      const dayKey = receptionDayKey(unitCode, receivedAt);
      const previous = queues.get(dayKey) ?? Promise.resolve();
      const mine = previous.catch(() => undefined).then(() => draw(dayKey, dossierId));
      queues.set(dayKey, mine);
      try {
        const sequence = await mine;
        return formatDossierCode({ unitCode, receivedAt, sequence });
      } finally {
        if (queues.get(dayKey) === mine) queues.delete(dayKey);
        // Yesterday's keys are never drawn from again; keep the guesses bounded.
        if (known.size > 10_000) known.clear();
      }
    },
  };
}
