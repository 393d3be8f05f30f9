import { describe, expect, it } from 'vitest';
import type { NationalStatus } from '../events/index.js';
import { canTransition, NATIONAL_TRANSITIONS, TERMINAL_STATUSES } from './lifecycle.js';

/** DOMAIN.md section 3, written out as pairs so the table in lifecycle.ts is checked against the text. */
const ALLOWED = '1→2 1→3 2→4 2→7 4→5 4→6 4→8 4→9 4→7 5→4 5→7 6→4 6→7 9→10';
const ALL: NationalStatus[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('national status transitions', () => {
  const pairs = ALL.flatMap((from) =>
    ALL.map((to) => ({ from, to, allowed: ALLOWED.split(' ').includes(`${from}→${to}`) })),
  );

  it.each(pairs)('$from → $to allowed: $allowed', ({ from, to, allowed }) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('has no way out of the terminal statuses 3, 7, 8, 10', () => {
    expect(TERMINAL_STATUSES).toEqual([3, 7, 8, 10]);
    for (const status of TERMINAL_STATUSES) expect(NATIONAL_TRANSITIONS[status]).toEqual([]);
  });
});
