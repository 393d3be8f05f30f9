import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and never exceeds the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 10, 60].map((attempt) =>
      backoffDelay(attempt, { initialMs: 100, maxMs: 1_000 }),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });
});
