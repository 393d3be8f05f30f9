/**
 * Dossier code sequences (DOMAIN.md section 4): one per receiving unit per reception day, kept in the event store
 * itself as the stream `dossier-sequence-{unitCode}-{yyMMdd}`. Each event of the stream reserves a block of
 * numbers `first..last` (`first` is one more than the previous event's `last`), appended with the stream version
 * the process last saw, so two writers can never reserve the same number: the loser gets WrongExpectedVersion,
 * reads the winner's block and reserves after it. A reserved number is never given back.
 *
 * Within one process, numbers are handed out from the reserved block in order without touching the store; when
 * it runs out, one append reserves a block for every draw waiting then (natural batching: concurrent receipts
 * share one append instead of queueing one append each), plus a few spare numbers for the draws likely to follow
 * (at most `MAX_SPARE`, growing while demand keeps exhausting the blocks). The spare numbers are why codes can
 * have gaps beyond failed receipts: a crash or restart loses the unused rest of the block (at most `MAX_SPARE`
 * per unit and day), and with several processes each hands out its own block, so codes follow reception order
 * within a process only. DOMAIN.md allows both: codes are never reused, not necessarily dense. One process alone,
 * without a restart, still hands out 0001, 0002, … densely.
 */
import { formatDossierCode, MAX_DOSSIER_SEQUENCE, receptionDayKey } from '@onestop/domain';
import { type EventStore, WrongExpectedVersion } from '@onestop/event-store';
import type { IdGenerator } from '@onestop/service-kit';
import { z } from 'zod';
import { DossierSequenceExhausted } from '../errors.js';

/** One event per reserved block (the name predates blocks; a block of one is a single drawn code). */
export const DOSSIER_CODE_DRAWN = 'DossierCodeDrawn';

/** Upper bound on the numbers reserved beyond the draws waiting: what one crash can cost a unit's day. */
export const MAX_SPARE = 16;

export interface DossierCodeAllocator {
  /** Draws the next code of the unit's reception day of `receivedAt` (Vietnam date). */
  next(input: { unitCode: string; receivedAt: Date }): Promise<string>;
}

export function sequenceStreamId(dayKey: string): string {
  return `dossier-sequence-${dayKey}`;
}

/** A block `{ first, last }`; events written before blocks hold one number as `{ sequence }`. */
const Reserved = z.union([
  z.object({ first: z.number().int(), last: z.number().int() }),
  z.object({ sequence: z.number().int() }).transform(({ sequence }) => ({ first: sequence, last: sequence })),
]);

interface DaySequence {
  /** Stream version of the last block this process knows of (-1: none yet). */
  version: number;
  /** Next number to hand out, and the last one reserved by this process. */
  next: number;
  last: number;
  /** Spare numbers the next reservation adds beyond the draws waiting. */
  spare: number;
  readonly waiting: Array<{ resolve: (n: number) => void; reject: (error: unknown) => void }>;
  reserving: boolean;
}

export function dossierCodeAllocator(store: EventStore, ids: IdGenerator): DossierCodeAllocator {
  const days = new Map<string, DaySequence>();

  /** Appends one block after the last one in the stream; returns it. */
  const reserveBlock = async (dayKey: string, day: DaySequence, count: number) => {
    const streamId = sequenceStreamId(dayKey);
    // Terminates: every conflict means another writer reserved numbers, so `first` grows until the day is full.
    for (;;) {
      const first = day.last + 1;
      if (first > MAX_DOSSIER_SEQUENCE) {
        throw DossierSequenceExhausted(`no dossier code left for ${dayKey}`, { details: { dayKey } });
      }
      const last = Math.min(MAX_DOSSIER_SEQUENCE, first + count - 1);
      try {
        await store.appendToStream(
          streamId,
          [
            {
              eventId: ids.next(),
              type: DOSSIER_CODE_DRAWN,
              data: { first, last },
              metadata: { source: 'intake' },
            },
          ],
          { expectedVersion: day.version < 0 ? 'no_stream' : day.version },
        );
        day.version += 1;
        return { first, last };
      } catch (error) {
        if (!WrongExpectedVersion.is(error) || error.details.actual <= day.version) throw error;
        const [latest] = await store.readStream(streamId, { fromVersion: error.details.actual, maxCount: 1 });
        if (latest === undefined) throw error;
        day.version = latest.streamVersion;
        day.last = Reserved.parse(latest.data).last;
        day.next = day.last + 1;
      }
    }
  };

  /** Serves the waiting draws from new blocks until none waits; one reservation per day key at a time. */
  const refill = async (dayKey: string, day: DaySequence) => {
    day.reserving = true;
    try {
      while (day.waiting.length > 0) {
        // A reservation is only needed once demand has used up the block in hand, spares included: keep more in
        // hand from now on. It never shrinks: spares only cost on a crash. (Growing only when the waiting draws
        // alone used up a block left the spare at 1 under steady load: one append per few receipts.)
        if (day.version >= 0) day.spare = Math.min(MAX_SPARE, Math.max(1, day.spare * 2));
        const block = await reserveBlock(dayKey, day, day.waiting.length + day.spare);
        day.next = block.first;
        day.last = block.last;
        const served = day.waiting.splice(0, block.last - block.first + 1);
        for (const draw of served) draw.resolve(day.next++);
      }
    } catch (error) {
      for (const draw of day.waiting.splice(0)) draw.reject(error);
    } finally {
      day.reserving = false;
    }
  };

  const draw = (dayKey: string): Promise<number> => {
    let day = days.get(dayKey);
    if (day === undefined) {
      // Yesterday's keys are never drawn from again; keep the map bounded.
      if (days.size > 10_000) {
        for (const [key, old] of days) if (!old.reserving) days.delete(key);
      }
      day = { version: -1, next: 1, last: 0, spare: 0, waiting: [], reserving: false };
      days.set(dayKey, day);
    }
    if (day.next <= day.last && day.waiting.length === 0) return Promise.resolve(day.next++);
    const current = day;
    const drawn = new Promise<number>((resolve, reject) => current.waiting.push({ resolve, reject }));
    if (!current.reserving) void refill(dayKey, current);
    return drawn;
  };

  return {
    async next({ unitCode, receivedAt }) {
      const dayKey = receptionDayKey(unitCode, receivedAt);
      const sequence = await draw(dayKey);
      return formatDossierCode({ unitCode, receivedAt, sequence });
    },
  };
}
