import { describe, expect, it } from 'vitest';
import { type DomainError, ValidationFailed } from '../errors.js';
import {
  type CalendarDataInput,
  CalendarOutOfRange,
  vnCivilServiceCalendar as calendar,
  createCalendar,
  DEFAULT_WORKING_HOURS,
  vnCivilServiceCalendarData,
  workingDayMs,
  workingMsToDays,
} from './index.js';

const HOUR = 3_600_000;

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(ValidationFailed.is(error)).toBe(true);
    return (error as DomainError & { details: { issues: Array<{ path: string }> } }).details.issues.map(
      (issue) => issue.path,
    );
  }
  throw new Error('expected a validation error');
}

const withChanges = (changes: Partial<CalendarDataInput>): CalendarDataInput => ({
  ...vnCivilServiceCalendarData,
  ...changes,
});

describe('vnCivilServiceCalendar', () => {
  it('records its version, effective date and known years', () => {
    expect(calendar.version).toBe('vn-civil-service-2026.1');
    expect(calendar.effectiveFrom).toBe('2025-12-25');
    expect(calendar.knownYears).toEqual([2025, 2026]);
  });

  it('has every weekday day off of DOMAIN.md section 5 for 2025 and 2026', () => {
    const off2025 = [
      '01-01',
      '01-27',
      '01-28',
      '01-29',
      '01-30',
      '01-31',
      '04-07',
      '04-30',
      '05-01',
      '05-02',
    ];
    const off2026 = [
      '01-01',
      '01-02',
      '02-16',
      '02-17',
      '02-18',
      '02-19',
      '02-20',
      '04-27',
      '04-30',
      '05-01',
    ];
    const days = [
      ...[...off2025, '09-01', '09-02'].map((d) => `2025-${d}`),
      ...[...off2026, '08-31', '09-01', '09-02'].map((d) => `2026-${d}`),
    ];
    for (const day of days) expect(calendar.isWorkingDay(day), day).toBe(false);
    expect(calendar.data.daysOff.map((d) => d.date).sort()).toEqual([...days].sort());
  });

  it('has the swapped working Saturdays and treats other weekends as days off', () => {
    for (const day of ['2025-04-26', '2026-01-10', '2026-08-22'])
      expect(calendar.isWorkingDay(day), day).toBe(true);
    expect(calendar.isWorkingDay('2025-04-19')).toBe(false); // an ordinary Saturday
    expect(calendar.isWorkingDay('2026-02-22')).toBe(false); // a Sunday
    expect(calendar.isWorkingDay('2026-02-23')).toBe(true); // Monday after Tết
  });

  it('refuses a date outside its known years instead of guessing', () => {
    for (const day of ['2024-12-31', '2027-01-04']) {
      try {
        calendar.isWorkingDay(day);
        expect.unreachable();
      } catch (error) {
        expect(CalendarOutOfRange.is(error)).toBe(true);
        expect((error as DomainError).details).toEqual({
          date: day,
          calendarVersion: 'vn-civil-service-2026.1',
          knownYears: [2025, 2026],
        });
      }
    }
  });

  it('rejects a malformed date with a validation error', () => {
    expect(issuesOf(() => calendar.isWorkingDay('2026-02-30'))).toEqual(['']);
  });

  it('uses 07:00–11:30 and 13:30–17:00 as the default hours: 8 h = 1 working day', () => {
    expect(calendar.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(workingDayMs()).toBe(8 * HOUR);
    expect(workingMsToDays(20 * HOUR)).toBe(2.5);
    expect(workingMsToDays(HOUR)).toBe(0.13);
  });
});

describe('createCalendar', () => {
  it('given per-unit hours, when asked for a unit, then returns its override or the default', () => {
    const short = {
      periods: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '16:30' },
      ],
    };
    const custom = createCalendar(
      withChanges({ version: 'custom-1', unitWorkingHours: { 'unit-a': short } }),
    );
    expect(custom.workingHoursFor('unit-a')).toEqual(short);
    expect(custom.workingHoursFor('unit-b')).toEqual(DEFAULT_WORKING_HOURS);
    expect(custom.workingHoursFor()).toEqual(DEFAULT_WORKING_HOURS);
    expect(custom.workingHoursFor('toString')).toEqual(DEFAULT_WORKING_HOURS);
    expect(Object.isFrozen(custom.data.daysOff[0])).toBe(true);
    expect(workingDayMs(short)).toBe(7.5 * HOUR);
  });

  it.each([
    ['a day off on a weekend', { daysOff: [{ date: '2026-02-21', name: 'Sat' }] }, 'daysOff.0.date'],
    ['a day off outside knownYears', { daysOff: [{ date: '2024-05-01', name: 'x' }] }, 'daysOff.0.date'],
    ['a date that does not exist', { daysOff: [{ date: '2026-02-30', name: 'x' }] }, 'daysOff.0.date'],
    [
      'a duplicate day off',
      {
        daysOff: [
          { date: '2026-01-01', name: 'New Year' },
          { date: '2026-01-01', name: 'again' },
        ],
      },
      'daysOff.1.date',
    ],
    [
      'an extra working day that is a weekday',
      { extraWorkingDays: [{ date: '2026-03-04', name: 'Wed' }] },
      'extraWorkingDays.0.date',
    ],
    ['an empty version', { version: '' }, 'version'],
    ['a duplicate known year', { knownYears: [2025, 2026, 2025] }, 'knownYears.2'],
    ['an unknown weekday name', { weekendDays: ['sat', 'sunday'] }, 'weekendDays.1'],
    [
      'a time past 24:00',
      { workingHours: { periods: [{ start: '07:00', end: '25:00' }] } },
      'workingHours.periods.0.end',
    ],
    [
      'a period ending before it starts',
      { workingHours: { periods: [{ start: '13:30', end: '12:00' }] } },
      'workingHours.periods.0.end',
    ],
    [
      'overlapping periods',
      {
        workingHours: {
          periods: [
            { start: '07:00', end: '12:00' },
            { start: '11:00', end: '17:00' },
          ],
        },
      },
      'workingHours.periods.1.start',
    ],
    [
      'bad unit hours',
      { unitWorkingHours: { 'unit-a': { periods: [] } } },
      'unitWorkingHours.unit-a.periods',
    ],
  ])('given %s, when the calendar is created, then the error names the field', (_, changes, path) => {
    // The cases deliberately include values the static type forbids: calendar data often comes from JSON.
    expect(issuesOf(() => createCalendar(withChanges(changes as Partial<CalendarDataInput>)))).toEqual([
      path,
    ]);
  });

  it('is the only source of truth: a calendar built from the same data answers the same', () => {
    const copy = createCalendar(vnCivilServiceCalendarData);
    for (const day of ['2025-04-26', '2025-04-28', '2026-02-16', '2026-08-22']) {
      expect(copy.isWorkingDay(day)).toBe(calendar.isWorkingDay(day));
    }
  });
});
