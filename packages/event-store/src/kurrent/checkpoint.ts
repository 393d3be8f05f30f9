import type { Position } from '@eventstore/db-client';
import { InvalidCheckpoint } from '../embedded/checkpoint.js';
import type { Checkpoint } from '../port.js';

// A $all position is a (commit, prepare) pair: monotonic, not dense, and only the full pair resumes exactly
// (research/anchors.md A1). Both are unsigned 64-bit log positions.
const maxPosition = 2n ** 64n - 1n;
const checkpointPattern = /^kdb:(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,19})$/;

/** `kdb:<commit>:<prepare>`; the prefix tells it apart from the PostgreSQL and embedded checkpoints. */
export function encodeCheckpoint(position: Position): Checkpoint {
  return `kdb:${position.commit.toString(10)}:${position.prepare.toString(10)}`;
}

/** `undefined` (from the start) stays `undefined`; anything this adapter did not produce is rejected. */
export function decodeCheckpoint(checkpoint: Checkpoint | undefined): Position | undefined {
  if (checkpoint === undefined) return undefined;
  const match = typeof checkpoint === 'string' ? checkpointPattern.exec(checkpoint) : null;
  const commit = match?.[1] === undefined ? undefined : BigInt(match[1]);
  const prepare = match?.[2] === undefined ? undefined : BigInt(match[2]);
  if (commit === undefined || prepare === undefined || commit > maxPosition || prepare > maxPosition) {
    throw InvalidCheckpoint(`not a KurrentDB event store checkpoint: ${String(checkpoint)}`, {
      details: { checkpoint: String(checkpoint) },
    });
  }
  return { commit, prepare };
}

/** True when `a` comes after `b` in $all order (commit first, then prepare). */
export function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}
