/**
 * `Idempotency-Key` for receipts.
 *
 * The key is claimed BEFORE anything else is written: the claim (stream `idempotency-intake-{key}`, appended with
 * `no_stream`) records the body's keyed fingerprint and the dossier id the request will use. Everything the
 * request then writes lives under that id: the dossier stream `intake-{dossierId}` (appended with `no_stream`, so
 * it is written at most once) or, for an incomplete dossier, the GuidanceGiven event in that same stream.
 *
 * So the result needs no second record, and there is no window in which a crash loses it: a retry finds the claim,
 * reads `intake-{dossierId}` and answers from it; if the first attempt died before writing the dossier, the retry
 * does the receipt itself, under the same id. Two concurrent attempts race for the one `no_stream` append and the
 * loser answers from the winner's dossier. (The event store's append runs on its own connection, so a claim and a
 * dossier cannot share one transaction; this ordering makes that unnecessary.) The only cost of a crash is a gap
 * in the day's code sequence if it happened after the code was drawn, which DOMAIN.md allows: codes are never
 * reused, not necessarily dense.
 *
 * The claim holds an HMAC of the body, never the body: bodies carry names and ID numbers.
 */
import { type EventStore, WrongExpectedVersion } from '@onestop/event-store';
import type { IdGenerator } from '@onestop/service-kit';
import { z } from 'zod';
import { IdempotencyKeyReused } from '../errors.js';

export const IDEMPOTENCY_KEY_CLAIMED = 'IdempotencyKeyClaimed';

/** Client-chosen, usually a UUID; restricted so that it can name a stream. */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected 1–128 characters of A–Z a–z 0–9 _ . : -')
  .describe('unique per intended receipt; a retry sends the same key and body');

const Claim = z.object({ fingerprint: z.string(), dossierId: z.uuid() });

export function idempotencyStreamId(key: string): string {
  return `idempotency-intake-${key}`;
}

export interface Claimed {
  readonly dossierId: string;
  /** The key was claimed by an earlier request (this one is a retry). */
  readonly repeated: boolean;
}

/** Claims `key` for a request with `fingerprint`; 409 INTAKE_IDEMPOTENCY_KEY_REUSED when it held another body. */
export async function claimIdempotencyKey(
  store: EventStore,
  ids: IdGenerator,
  input: { key: string; fingerprint: string; dossierId: string },
): Promise<Claimed> {
  const streamId = idempotencyStreamId(input.key);
  // Append first: the store's no_stream check says whether the key is new, so a first receipt reads nothing.
  try {
    await store.appendToStream(
      streamId,
      [
        {
          eventId: ids.next(),
          type: IDEMPOTENCY_KEY_CLAIMED,
          data: { fingerprint: input.fingerprint, dossierId: input.dossierId },
          metadata: { source: 'intake' },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    return { dossierId: input.dossierId, repeated: false };
  } catch (error) {
    if (!WrongExpectedVersion.is(error)) throw error;
  }
  // Another request claimed it first: its claim is the first event of the stream.
  const [first] = await store.readStream(streamId, { maxCount: 1 });
  if (first === undefined) throw new Error(`idempotency claim ${input.key} conflicted but cannot be read`);
  const claim = Claim.parse(first.data);
  if (claim.fingerprint !== input.fingerprint) {
    throw IdempotencyKeyReused(`Idempotency-Key ${input.key} was already used for a different request body`, {
      details: { idempotencyKey: input.key },
    });
  }
  return { dossierId: claim.dossierId, repeated: true };
}
