/** The national status machine of DOMAIN.md section 3, as data: deciders check moves against it. */
import type { NationalStatus } from '../events/index.js';
import { type AggregateStatus, invalidTransition } from './errors.js';

export const NATIONAL_TRANSITIONS: { readonly [S in NationalStatus]: readonly NationalStatus[] } = {
  1: [2, 3],
  2: [4, 7],
  3: [],
  4: [5, 6, 8, 9, 7],
  5: [4, 7],
  6: [4, 7],
  7: [],
  8: [],
  9: [10],
  10: [],
};

/** No move leaves these (9 is terminal for the clock only: the result is still returned). */
export const TERMINAL_STATUSES: readonly NationalStatus[] = [3, 7, 8, 10];

export function canTransition(from: NationalStatus, to: NationalStatus): boolean {
  return NATIONAL_TRANSITIONS[from].includes(to);
}

/** Throws DOM_INVALID_TRANSITION unless `from → to` is allowed; `'none'` may only enter via `entry`. */
export function assertTransition(
  command: string,
  from: AggregateStatus,
  to: NationalStatus,
  entry: readonly NationalStatus[] = [],
): void {
  const allowed = from === 'none' ? entry.includes(to) : canTransition(from, to);
  if (!allowed) throw invalidTransition(command, from, `it cannot move to status ${to}`);
}

/** Throws DOM_INVALID_TRANSITION unless the aggregate is in one of `allowed` (for commands that keep the status). */
export function assertStatus<S extends AggregateStatus>(
  command: string,
  status: AggregateStatus,
  allowed: readonly S[],
): asserts status is S {
  if (!allowed.some((candidate) => candidate === status)) {
    throw invalidTransition(command, status, `allowed only in ${allowed.join(', ')}`);
  }
}
