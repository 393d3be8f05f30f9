import { describe, expect, it } from 'vitest';
import {
  computeDueAt,
  vnCivilServiceCalendar,
  vnCivilServiceCalendarAmendmentData,
  vnCivilServiceCalendarData,
  vnCivilServiceCalendars,
} from './index.js';

const [v1, v2] = vnCivilServiceCalendars;

/** Every local date of the given years, as `YYYY-MM-DD`. */
function datesOf(years: readonly number[]): string[] {
  const dates: string[] = [];
  for (const year of years) {
    for (
      let d = new Date(Date.UTC(year, 0, 1));
      d.getUTCFullYear() === year;
      d.setUTCDate(d.getUTCDate() + 1)
    ) {
      dates.push(d.toISOString().slice(0, 10));
    }
  }
  return dates;
}

describe('vnCivilServiceCalendars', () => {
  it('keeps the versions oldest first, the current one (the announced data) first and under the contract name', () => {
    expect(vnCivilServiceCalendars.map((c) => c.version)).toEqual([
      'vn-civil-service-2026.1',
      'vn-civil-service-2026.2',
    ]);
    expect(v1).toBe(vnCivilServiceCalendar);
    expect(v2?.effectiveFrom.localeCompare(v1?.effectiveFrom ?? '')).toBe(1);
    expect(v2?.knownYears).toEqual(v1?.knownYears);
  });

  it('given the two versions, when every day of their known years is compared, then they differ exactly on the amended day', () => {
    if (v1 === undefined || v2 === undefined) throw new Error('expected two versions');
    const differing = datesOf(v1.knownYears).filter(
      (date) => v1.isWorkingDay(date) !== v2.isWorkingDay(date),
    );
    expect(differing).toEqual(['2026-06-05']);
    expect(v1.isWorkingDay('2026-06-05')).toBe(true);
    expect(v2.isWorkingDay('2026-06-05')).toBe(false);
  });

  it('labels the amendment as an illustrative example, not law, in its data and sources', () => {
    const added = vnCivilServiceCalendarAmendmentData.daysOff.filter(
      (day) => !vnCivilServiceCalendarData.daysOff.some((old) => old.date === day.date),
    );
    expect(added.map((day) => day.date)).toEqual(['2026-06-05']);
    expect(added[0]?.name).toMatch(/illustrative example, not law/i);
    expect(v2?.data.sources.at(-1)).toMatch(/ILLUSTRATIVE EXAMPLE/);
    expect(v2?.data.workingHours).toEqual(v1?.data.workingHours);
    expect(v2?.data.extraWorkingDays).toEqual(v1?.data.extraWorkingDays);
  });

  it('given a 10-working-day limit received Fri 22 May 2026, when its due crosses the amended day, then 2026.2 moves it one working day later', () => {
    const due = (calendar: (typeof vnCivilServiceCalendars)[number] | undefined) => {
      if (calendar === undefined) throw new Error('expected a calendar');
      return computeDueAt({
        receivedAt: new Date('2026-05-22T09:00:00+07:00'),
        limit: { value: 10, unit: 'working_days' },
        calendar,
      }).dueAt.toISOString();
    };
    expect(due(v1)).toBe(new Date('2026-06-05T09:00:00+07:00').toISOString());
    expect(due(v2)).toBe(new Date('2026-06-08T09:00:00+07:00').toISOString());
  });

  it('given a due before the amended day, then both versions agree', () => {
    const received = new Date('2026-05-22T09:00:00+07:00');
    const limit = { value: 5, unit: 'working_days' } as const;
    const [a, b] = vnCivilServiceCalendars.map((calendar) =>
      computeDueAt({ receivedAt: received, limit, calendar }).dueAt.getTime(),
    );
    expect(a).toBe(b);
  });
});
