import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  vnCivilServiceCalendar as calendar,
  computeDueAt,
  evaluateClock,
  evaluateClockWithElapsed,
  isWorkingTime,
  type TimeLimit,
  workingTimeBetween,
} from './index.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const from = Date.parse('2025-01-01T00:00:00+07:00');
const until = Date.parse('2026-06-30T00:00:00+07:00');

/** Receipt instants to the minute, anywhere in the first 18 months the calendar knows. */
const instant = fc.integer({ min: 0, max: (until - from) / MINUTE }).map((m) => new Date(from + m * MINUTE));
/** Limits whose dues (even 40 units larger) stay inside the known years from any receipt above. */
const limit: fc.Arbitrary<TimeLimit> = fc.oneof(
  fc.integer({ min: 1, max: 480 }).map((eighths) => ({ value: eighths / 8, unit: 'working_days' as const })),
  fc
    .integer({ min: 1, max: 2000 })
    .map((quarters) => ({ value: quarters / 4, unit: 'working_hours' as const })),
  fc.integer({ min: 1, max: 60 }).map((value) => ({ value, unit: 'calendar_days' as const })),
);
const runs = { numRuns: 200 };

describe('clock properties', () => {
  it('the due is monotonic in the limit', () => {
    fc.assert(
      fc.property(instant, limit, fc.integer({ min: 0, max: 40 }), (receivedAt, small, extra) => {
        const large = { ...small, value: small.value + extra };
        const a = computeDueAt({ receivedAt, limit: small, calendar }).dueAt;
        const b = computeDueAt({ receivedAt, limit: large, calendar }).dueAt;
        expect(a.getTime()).toBeLessThanOrEqual(b.getTime());
      }),
      runs,
    );
  });

  it('a working-day due lies in working time or exactly at a period end, value × 8 working hours after the start', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 480 }), (receivedAt, eighths) => {
        const value = eighths / 8;
        const { startAt, dueAt } = computeDueAt({
          receivedAt,
          limit: { value, unit: 'working_days' },
          calendar,
        });
        const atPeriodEnd =
          !isWorkingTime(dueAt, calendar) && isWorkingTime(new Date(dueAt.getTime() - 1), calendar);
        expect(isWorkingTime(dueAt, calendar) || atPeriodEnd).toBe(true);
        expect(isWorkingTime(startAt, calendar)).toBe(true);
        expect(workingTimeBetween(startAt, dueAt, calendar)).toBe(value * 8 * HOUR);
      }),
      runs,
    );
  });

  it('adding working time and measuring it back are inverse', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 * 60 }), (at, minutes) => {
        const later = addWorkingTime(at, minutes * MINUTE, calendar);
        expect(workingTimeBetween(at, later, calendar)).toBe(minutes * MINUTE);
      }),
      runs,
    );
  });

  it('a pause of P working ms moves the due by exactly P working ms', () => {
    const asOf = new Date('2026-11-30T00:00:00+07:00');
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 480 }),
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        fc.integer({ min: 1, max: 10 * 24 * 60 }),
        (receivedAt, eighths, offsetMinutes, lengthMinutes) => {
          const received = {
            type: 'DossierReceived',
            occurredAt: receivedAt.toISOString(),
            data: { limit: { value: eighths / 8, unit: 'working_days' } },
          };
          const pauseStart = receivedAt.getTime() + offsetMinutes * MINUTE;
          const pauseEnd = pauseStart + lengthMinutes * MINUTE;
          const pause = [
            { type: 'SupplementRequested', occurredAt: new Date(pauseStart).toISOString(), data: {} },
            { type: 'SupplementReceived', occurredAt: new Date(pauseEnd).toISOString(), data: {} },
          ];
          const without = evaluateClock([received], { calendar, asOf });
          const withPause = evaluateClock([received, ...pause], { calendar, asOf });
          const paused = workingTimeBetween(
            new Date(Math.max(pauseStart, without.startAt.getTime())),
            new Date(pauseEnd),
            calendar,
          );
          expect(withPause.pausedMs).toBe(paused);
          expect(withPause.statutoryDueAt.getTime()).toBeGreaterThanOrEqual(without.statutoryDueAt.getTime());
          expect(workingTimeBetween(without.statutoryDueAt, withPause.statutoryDueAt, calendar)).toBe(paused);
        },
      ),
      runs,
    );
  });

  it('the elapsed time at an earlier instant equals the clock evaluated as of that instant', () => {
    const asOf = new Date('2026-11-30T00:00:00+07:00');
    const at = (ms: number) => new Date(ms).toISOString();
    fc.assert(
      fc.property(
        instant,
        fc.array(fc.integer({ min: 0, max: 20 * 24 * 60 }), { minLength: 5, maxLength: 5 }),
        fc.constantFrom('SupplementRequested', 'PaymentRequested', 'CaseOpened'),
        fc.constantFrom('DossierDecided', 'ProcessingStopped', 'none'),
        fc.array(fc.integer({ min: -24 * 60, max: 40 * 24 * 60 }), { minLength: 1, maxLength: 6 }),
        (receivedAt, offsets, pauseKind, ending, probes) => {
          const t0 = receivedAt.getTime();
          const [p1 = 0, p2 = 0, p3 = 0, p4 = 0, end = 0] = offsets
            .map((m) => t0 + m * MINUTE)
            .sort((a, b) => a - b);
          const closing = { SupplementRequested: 'SupplementReceived', PaymentRequested: 'PaymentConfirmed' };
          const pause = (from: number, to: number) =>
            pauseKind === 'CaseOpened'
              ? []
              : [
                  { type: pauseKind, occurredAt: at(from), data: { pausesClock: true } },
                  { type: closing[pauseKind], occurredAt: at(to), data: {} },
                ];
          const events = [
            {
              type: 'DossierReceived',
              occurredAt: at(t0),
              data: { limit: { value: 3, unit: 'working_days' } },
            },
            ...pause(p1, p2),
            ...pause(p3, p4),
            ...(ending === 'none' ? [] : [{ type: ending, occurredAt: at(end), data: {} }]),
          ];
          const { elapsedWorkingMsAt } = evaluateClockWithElapsed(events, { calendar, asOf });
          for (const probe of probes) {
            const ms = t0 + probe * MINUTE;
            const expected =
              ms < t0 ? 0 : evaluateClock(events, { calendar, asOf: new Date(ms) }).elapsedWorkingMs;
            expect(elapsedWorkingMsAt(ms)).toBe(expected);
          }
        },
      ),
      runs,
    );
  });
});
