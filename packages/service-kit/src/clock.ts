import { defineError } from '@onestop/domain';

/**
 * Business time. Handlers take `now` from here and pass it into commands; it is never read from request bodies
 * (back-dating would let a unit hide lateness). In test mode (`ONESTOP_TEST_CLOCK=1`) one clock object is shared by
 * every service of the process and `POST /v1/dev/clock` moves it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface TestClock extends Clock {
  /** Sets business time; it then advances with the wall clock from that instant. */
  set(now: Date): void;
}

export const ClockRefused = defineError<{ now: string }>('DEV_CLOCK_INVALID', 'validation');

export function createTestClock(initial?: Date, wall: () => number = Date.now): TestClock {
  let offsetMs = initial === undefined ? 0 : initial.getTime() - wall();
  return {
    now: () => new Date(wall() + offsetMs),
    set(now: Date) {
      if (Number.isNaN(now.getTime()))
        throw ClockRefused('invalid instant', { details: { now: String(now) } });
      offsetMs = now.getTime() - wall();
    },
  };
}
