import { defineError } from '@onestop/domain';
import type { Checkpoint } from '../port.js';

/** A checkpoint that this store did not produce (e.g. one from the PostgreSQL adapter, or edited by hand). */
export const InvalidCheckpoint = defineError<{ checkpoint: string }>('ES_INVALID_CHECKPOINT', 'validation');

/** The embedded checkpoint is the decimal global position of the last event handled. */
export function encodeCheckpoint(position: bigint): Checkpoint {
  return position.toString(10);
}

/** `undefined` (from the start) decodes to 0: positions start at 1. */
export function decodeCheckpoint(checkpoint: Checkpoint | undefined): bigint {
  if (checkpoint === undefined) return 0n;
  if (typeof checkpoint !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(checkpoint)) {
    throw InvalidCheckpoint(`not an embedded event store checkpoint: ${String(checkpoint)}`, {
      details: { checkpoint: String(checkpoint) },
    });
  }
  return BigInt(checkpoint);
}
