import { afterEach, describe, expect, it } from 'vitest';
import type { DomainError } from '../errors.js';
import {
  addWorkingTime,
  CalendarOutOfRange,
  vnCivilServiceCalendar as calendar,
  computeDueAt,
  createCalendar,
  InvalidTimeLimit,
  InvalidWorkingDuration,
  isWorkingTime,
  nextWorkingTimeStart,
  type TimeLimit,
  vnCivilServiceCalendarData,
  workingTimeBetween,
} from './index.js';

const HOUR = 3_600_000;
/** A Vietnam local time written without offset, as an instant. */
const vn = (local: string) => new Date(`${local}+07:00`);
const due = (receivedAt: string, limit: TimeLimit) =>
  computeDueAt({ receivedAt: vn(receivedAt), limit, calendar });
const days = (value: number): TimeLimit => ({ value, unit: 'working_days' });

describe('computeDueAt: the worked examples of DOMAIN.md section 9', () => {
  it('given Wed 2026-02-11 10:00 and 5 working days, when Tết and a weekend intervene, then due Wed 25 Feb 10:00', () => {
    expect(due('2026-02-11T10:00', days(5))).toEqual({
      startAt: vn('2026-02-11T10:00'),
      dueAt: vn('2026-02-25T10:00'),
      calendarVersion: 'vn-civil-service-2026.1',
    });
  });

  it('given Fri 2025-04-25 16:00 and 1 working day, when Sat 26 Apr is a working day, then due Sat 16:00', () => {
    expect(due('2025-04-25T16:00', days(1)).dueAt).toEqual(vn('2025-04-26T16:00'));
  });

  it('given Mon 2026-03-02 18:30 and 2 working days, then start Tue 07:00 and due Wed 17:00 (not Thu 07:00)', () => {
    const result = due('2026-03-02T18:30', days(2));
    expect(result.startAt).toEqual(vn('2026-03-03T07:00'));
    expect(result.dueAt).toEqual(vn('2026-03-04T17:00'));
  });
});

describe('computeDueAt: start of the clock', () => {
  it.each([
    ['inside working time stays', '2026-03-03T09:15', '2026-03-03T09:15'],
    ['before 07:00 moves to 07:00', '2026-03-03T06:10', '2026-03-03T07:00'],
    ['at lunch moves to 13:30', '2026-03-03T12:00', '2026-03-03T13:30'],
    ['exactly 11:30 moves to 13:30', '2026-03-03T11:30', '2026-03-03T13:30'],
    ['exactly 17:00 moves to the next morning', '2026-03-03T17:00', '2026-03-04T07:00'],
    ['after 17:00 on Friday moves to Monday', '2026-03-06T19:00', '2026-03-09T07:00'],
    ['on a day off moves to the next working day', '2026-04-30T09:00', '2026-05-04T07:00'],
    ['on the eve of Tết moves past Tết and the weekend', '2026-02-13T17:30', '2026-02-23T07:00'],
    ['on a swapped Saturday stays', '2026-01-10T08:00', '2026-01-10T08:00'],
    [
      'on the Friday before a swapped Saturday, after hours, moves to Saturday',
      '2025-04-25T17:05',
      '2025-04-26T07:00',
    ],
  ])('receipt %s', (_, received, start) => {
    expect(due(received, { value: 1, unit: 'working_hours' }).startAt).toEqual(vn(start));
    expect(nextWorkingTimeStart(vn(received), calendar)).toEqual(vn(start));
  });
});

describe('computeDueAt: limit units', () => {
  it('working days: received Mon 09:00 with 1 working day is due Tue 09:00', () => {
    expect(due('2026-03-02T09:00', days(1)).dueAt).toEqual(vn('2026-03-03T09:00'));
  });

  it('working days: a limit that ends exactly at 11:30 is due at 11:30', () => {
    expect(due('2026-03-02T07:30', days(0.5)).dueAt).toEqual(vn('2026-03-02T11:30'));
    expect(due('2026-03-02T07:00', { value: 4.5, unit: 'working_hours' }).dueAt).toEqual(
      vn('2026-03-02T11:30'),
    );
  });

  it.each([
    [0.5, '2026-03-03T07:00', '2026-03-03T11:00'],
    [0.25, '2026-03-03T11:00', '2026-03-03T15:00'],
    [1.5, '2026-03-03T07:00', '2026-03-04T11:00'],
    [2.75, '2026-03-06T15:00', '2026-03-11T11:00'],
  ])('fractional working days: %s from %s is due %s', (value, received, expected) => {
    expect(due(received, days(value)).dueAt).toEqual(vn(expected));
  });

  it('working hours: 3 h from Mon 10:00 skip lunch and are due 15:00; 8 h from 16:00 Friday reach Monday', () => {
    expect(due('2026-03-02T10:00', { value: 3, unit: 'working_hours' }).dueAt).toEqual(
      vn('2026-03-02T15:00'),
    );
    expect(due('2026-03-06T16:00', { value: 8, unit: 'working_hours' }).dueAt).toEqual(
      vn('2026-03-09T16:00'),
    );
  });

  it('calendar days: 17:00 on start date + N, pushed to the next working day when that is not one', () => {
    expect(due('2026-03-02T09:00', { value: 3, unit: 'calendar_days' }).dueAt).toEqual(
      vn('2026-03-05T17:00'),
    );
    // Thu 2026-04-23 + 7 = Thu 30 Apr (holiday), Fri 1 May (holiday), weekend, so Mon 4 May.
    expect(due('2026-04-23T10:00', { value: 7, unit: 'calendar_days' }).dueAt).toEqual(
      vn('2026-05-04T17:00'),
    );
    // The start date is the clock start (after-hours receipt moves it), not the receipt date.
    expect(due('2026-03-02T18:00', { value: 1, unit: 'calendar_days' }).dueAt).toEqual(
      vn('2026-03-04T17:00'),
    );
  });

  it('uses the working hours it is given, e.g. a unit override', () => {
    const custom = createCalendar({
      ...vnCivilServiceCalendarData,
      version: 'custom-1',
      unitWorkingHours: {
        'unit-a': {
          periods: [
            { start: '07:30', end: '11:30' },
            { start: '13:00', end: '16:30' },
          ],
        },
      },
    });
    const result = computeDueAt({
      receivedAt: vn('2026-03-02T07:00'),
      limit: days(1),
      calendar: custom,
      workingHours: custom.workingHoursFor('unit-a'),
    });
    expect(result).toEqual({
      startAt: vn('2026-03-02T07:30'),
      dueAt: vn('2026-03-02T16:30'),
      calendarVersion: 'custom-1',
    });
    expect(due('2026-03-02T07:00', { value: 1, unit: 'calendar_days' }).dueAt).toEqual(
      vn('2026-03-03T17:00'),
    );
    const calendarDays = computeDueAt({
      receivedAt: vn('2026-03-02T07:00'),
      limit: { value: 1, unit: 'calendar_days' },
      calendar: custom,
      workingHours: custom.workingHoursFor('unit-a'),
    });
    expect(calendarDays.dueAt).toEqual(vn('2026-03-03T16:30'));
  });

  it('walks day by day: 200 dues of 250 working days take well under a second and add up exactly', () => {
    const received = vn('2025-01-02T08:00');
    const started = performance.now();
    let last = received;
    for (let i = 0; i < 200; i++) last = due('2025-01-02T08:00', days(250)).dueAt;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(workingTimeBetween(received, last, calendar)).toBe(250 * 8 * HOUR);
  });
});

describe('computeDueAt: errors', () => {
  it.each([
    [0, 'working_days'],
    [-2, 'working_days'],
    [Number.NaN, 'working_hours'],
    [Number.POSITIVE_INFINITY, 'working_days'],
    ['5', 'working_days'],
    [1.5, 'calendar_days'],
    [3, 'weeks'],
  ])('given a limit of %s %s, then DOM_CLOCK_INVALID_LIMIT carries the offending value', (value, unit) => {
    try {
      // Deliberately bad input, as it could arrive from a procedure catalogue.
      computeDueAt({
        receivedAt: vn('2026-03-02T09:00'),
        limit: { value, unit } as unknown as TimeLimit,
        calendar,
      });
      expect.unreachable();
    } catch (error) {
      expect(InvalidTimeLimit.is(error)).toBe(true);
      expect((error as DomainError & { details: { value: unknown; unit: unknown } }).details).toMatchObject({
        value,
        unit,
      });
      expect((error as Error).message).toContain(String(value));
    }
  });

  it('given a receipt before the known years, then DOM_CALENDAR_OUT_OF_RANGE', () => {
    expect(() => due('2024-12-31T09:00', days(1))).toThrow(
      expect.objectContaining({ code: CalendarOutOfRange.code }),
    );
  });

  it('given a due that would run past the known years, then DOM_CALENDAR_OUT_OF_RANGE names the first unknown day', () => {
    try {
      due('2026-12-30T10:00', days(5));
      expect.unreachable();
    } catch (error) {
      expect(CalendarOutOfRange.is(error)).toBe(true);
      expect((error as DomainError & { details: { date: string } }).details.date).toBe('2027-01-01');
    }
  });

  it('rejects an invalid receipt instant and a negative working duration', () => {
    expect(() => computeDueAt({ receivedAt: new Date('nope'), limit: days(1), calendar })).toThrow(
      expect.objectContaining({ code: 'DOM_CLOCK_INVALID_INSTANT' }),
    );
    expect(() => addWorkingTime(vn('2026-03-02T09:00'), -1, calendar)).toThrow(
      expect.objectContaining({ code: InvalidWorkingDuration.code }),
    );
  });
});

describe('working-time primitives', () => {
  it('adding 0 working ms leaves an instant alone, even at 17:00', () => {
    expect(addWorkingTime(vn('2026-03-02T17:00'), 0, calendar)).toEqual(vn('2026-03-02T17:00'));
    expect(addWorkingTime(vn('2026-03-02T17:00'), HOUR, calendar)).toEqual(vn('2026-03-03T08:00'));
  });

  it('period ends are outside working time, period starts inside', () => {
    expect(isWorkingTime(vn('2026-03-02T07:00'), calendar)).toBe(true);
    expect(isWorkingTime(vn('2026-03-02T11:30'), calendar)).toBe(false);
    expect(isWorkingTime(vn('2026-03-02T16:59:59.999'), calendar)).toBe(true);
    expect(isWorkingTime(vn('2026-03-07T09:00'), calendar)).toBe(false);
  });

  it('counts working time across lunch, nights, weekends and holidays', () => {
    expect(workingTimeBetween(vn('2026-03-02T11:00'), vn('2026-03-02T14:00'), calendar)).toBe(HOUR);
    expect(workingTimeBetween(vn('2026-02-13T16:00'), vn('2026-02-23T08:00'), calendar)).toBe(2 * HOUR);
    expect(workingTimeBetween(vn('2026-03-03T10:00'), vn('2026-03-02T10:00'), calendar)).toBe(0);
  });
});

describe('independence from the machine time zone', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it('given TZ=America/New_York, when the worked examples are computed, then the dues are the same instants', () => {
    process.env.TZ = 'America/New_York';
    // Proves the switch took effect in this process: New York is UTC-5 in winter.
    expect(new Date('2026-02-11T12:00:00Z').getTimezoneOffset()).toBe(300);
    expect(due('2026-02-11T10:00', days(5)).dueAt.toISOString()).toBe('2026-02-25T03:00:00.000Z');
    expect(due('2025-04-25T16:00', days(1)).dueAt.toISOString()).toBe('2025-04-26T09:00:00.000Z');
    const late = due('2026-03-02T18:30', days(2));
    expect(late.startAt.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(late.dueAt.toISOString()).toBe('2026-03-04T10:00:00.000Z');
    expect(due('2026-03-06T23:30', { value: 1, unit: 'calendar_days' }).dueAt.toISOString()).toBe(
      '2026-03-10T10:00:00.000Z',
    );
  });
});
