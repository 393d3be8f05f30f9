import { z } from 'zod';
import { defineError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import { dayToIsoDate, HOUR_MS, isoDateToDay, weekdayOfDay, yearOfDay } from './local-time.js';

/**
 * The working-day calendar for civil servants is versioned data, not a formula: holidays and swapped Saturdays
 * are announced year by year, and a dossier records the version its due date was computed with.
 */

/** Asked about a day in a year the calendar has no data for: answering would be a guess. */
export const CalendarOutOfRange = defineError<{
  date: string;
  calendarVersion: string;
  knownYears: readonly number[];
}>('DOM_CALENDAR_OUT_OF_RANGE', 'unprocessable');

const MINUTE_MS = 60_000;

const isoDate = z
  .string()
  .refine((value) => isoDateToDay(value) !== undefined, { message: 'expected a real date as YYYY-MM-DD' });

const isoDay = z.string().transform((value, ctx) => {
  const day = isoDateToDay(value);
  if (day === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a real date as YYYY-MM-DD' });
    return z.NEVER;
  }
  return day;
});

const clockTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM between 00:00 and 24:00');

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Daily working periods in local time, e.g. 07:00–11:30 and 13:30–17:00. The same on every working day. */
export const workingHoursSchema = z
  .object({
    periods: z.array(z.object({ start: clockTime, end: clockTime })).min(1),
  })
  .superRefine((hours, ctx) => {
    let previousEnd = -1;
    hours.periods.forEach((period, i) => {
      const start = minutesOf(period.start);
      const end = minutesOf(period.end);
      if (end <= start) {
        ctx.addIssue({ code: 'custom', path: ['periods', i, 'end'], message: 'end must be after start' });
      }
      if (start < previousEnd) {
        ctx.addIssue({
          code: 'custom',
          path: ['periods', i, 'start'],
          message: 'periods must be in order and must not overlap',
        });
      }
      previousEnd = end;
    });
  });
export interface WorkingHours {
  readonly periods: ReadonlyArray<{ readonly start: string; readonly end: string }>;
}

/** 07:00–11:30 and 13:30–17:00: 8 working hours, i.e. 1 working day. */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze({
  periods: Object.freeze([
    Object.freeze({ start: '07:00', end: '11:30' }),
    Object.freeze({ start: '13:30', end: '17:00' }),
  ]),
});

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const namedDate = z.object({ date: isoDate, name: z.string().min(1) });

export const calendarDataSchema = z
  .object({
    version: z.string().min(1),
    /** Local date from which this version applies. */
    effectiveFrom: isoDate,
    /** Years whose days off are known; any other year is out of range. */
    knownYears: z.array(z.number().int().min(1970).max(9999)).min(1),
    weekendDays: z.array(z.enum(WEEKDAYS)),
    /** Weekday non-working days (holidays, days off in lieu, bridge days). */
    daysOff: z.array(namedDate),
    /** Weekend days that are working days (a swapped Saturday). */
    extraWorkingDays: z.array(namedDate),
    workingHours: workingHoursSchema,
    /** Units whose working hours differ from the default, by unit id. */
    unitWorkingHours: z.record(z.string().min(1), workingHoursSchema).default({}),
    /** Where the data comes from (announcements, letters), for people. */
    sources: z.array(z.string()).default([]),
  })
  .superRefine((data, ctx) => {
    const years = new Set<number>();
    data.knownYears.forEach((year, i) => {
      if (years.has(year))
        ctx.addIssue({ code: 'custom', path: ['knownYears', i], message: 'duplicate year' });
      years.add(year);
    });
    const weekend = new Set<string>(data.weekendDays);
    const seen = new Set<string>();
    const check = (field: 'daysOff' | 'extraWorkingDays', mustBeWeekend: boolean) => {
      data[field].forEach((entry, i) => {
        const day = isoDateToDay(entry.date);
        if (day === undefined) return;
        const path = [field, i, 'date'];
        if (!years.has(yearOfDay(day))) {
          ctx.addIssue({ code: 'custom', path, message: `${entry.date} is not in knownYears` });
        }
        const onWeekend = weekend.has(WEEKDAYS[weekdayOfDay(day)] ?? '');
        if (onWeekend !== mustBeWeekend) {
          const message = mustBeWeekend
            ? `${entry.date} is already a working day`
            : `${entry.date} is already a weekend day`;
          ctx.addIssue({ code: 'custom', path, message });
        }
        if (seen.has(entry.date)) {
          ctx.addIssue({ code: 'custom', path, message: `${entry.date} is listed more than once` });
        }
        seen.add(entry.date);
      });
    };
    check('daysOff', false);
    check('extraWorkingDays', true);
  });
export type CalendarDataInput = z.input<typeof calendarDataSchema>;
export type CalendarData = z.output<typeof calendarDataSchema>;

export interface Calendar {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly knownYears: readonly number[];
  /** The validated data, with defaults filled in. */
  readonly data: CalendarData;
  /** Default working hours. */
  readonly workingHours: WorkingHours;
  /** The unit's own working hours if it has an override, else the default. */
  workingHoursFor(unitId?: string): WorkingHours;
  /** Whether a local date (`YYYY-MM-DD`) is a working day; throws DOM_CALENDAR_OUT_OF_RANGE outside knownYears. */
  isWorkingDay(date: string): boolean;
}

/** Validates calendar data (COMMON_VALIDATION_FAILED naming each bad field) and builds a calendar. */
export function createCalendar(input: CalendarDataInput): Calendar {
  // Frozen so that the index built below can never drift from the data it was built from.
  const data = deepFreeze(parseOrThrow(calendarDataSchema, input, 'calendar data'));
  const calendar: Calendar = Object.freeze({
    version: data.version,
    effectiveFrom: data.effectiveFrom,
    knownYears: Object.freeze([...data.knownYears].sort((a, b) => a - b)),
    data,
    workingHours: data.workingHours,
    workingHoursFor: (unitId?: string) =>
      (unitId !== undefined && Object.hasOwn(data.unitWorkingHours, unitId)
        ? data.unitWorkingHours[unitId]
        : undefined) ?? data.workingHours,
    isWorkingDay: (date: string) => isWorkingDayNumber(calendar, parseOrThrow(isoDay, date, 'date')),
  });
  indexes.set(calendar, buildIndex(data));
  return calendar;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

interface CalendarIndex {
  readonly years: ReadonlySet<number>;
  readonly weekend: ReadonlySet<number>;
  readonly off: ReadonlySet<number>;
  readonly extra: ReadonlySet<number>;
}

const indexes = new WeakMap<Calendar, CalendarIndex>();

function buildIndex(data: CalendarData): CalendarIndex {
  const days = (entries: ReadonlyArray<{ date: string }>) =>
    new Set(entries.flatMap((entry) => isoDateToDay(entry.date) ?? []));
  return {
    years: new Set(data.knownYears),
    weekend: new Set(data.weekendDays.map((name) => WEEKDAYS.indexOf(name))),
    off: days(data.daysOff),
    extra: days(data.extraWorkingDays),
  };
}

function indexOf(calendar: Calendar): CalendarIndex {
  let index = indexes.get(calendar);
  if (!index) {
    // A calendar-shaped object not built by createCalendar: trust nothing, validate its data.
    index = buildIndex(parseOrThrow(calendarDataSchema, calendar.data, 'calendar data'));
    indexes.set(calendar, index);
  }
  return index;
}

/** Whether a local day number is a working day. The hot path of all working-time arithmetic. */
export function isWorkingDayNumber(calendar: Calendar, day: number): boolean {
  const index = indexOf(calendar);
  if (!index.years.has(yearOfDay(day))) {
    const date = dayToIsoDate(day);
    throw CalendarOutOfRange(
      `calendar ${calendar.version} has no data for ${date} (known years: ${calendar.knownYears.join(', ')})`,
      { details: { date, calendarVersion: calendar.version, knownYears: calendar.knownYears } },
    );
  }
  if (index.extra.has(day)) return true;
  if (index.off.has(day)) return false;
  return !index.weekend.has(weekdayOfDay(day));
}

/** Working hours compiled to ms offsets from local midnight. */
export interface DaySchedule {
  readonly periods: ReadonlyArray<readonly [start: number, end: number]>;
  /** Working ms in one working day (8 h by default): the length of "1 working day". */
  readonly dayMs: number;
  /** Offset of the end of the last period (17:00 by default). */
  readonly dayEnd: number;
}

const schedules = new WeakMap<WorkingHours, DaySchedule>();

export function scheduleOf(hours: WorkingHours): DaySchedule {
  const cached = schedules.get(hours);
  if (cached) return cached;
  const parsed = parseOrThrow(workingHoursSchema, hours, 'working hours');
  const periods = parsed.periods.map(
    (period) => [minutesOf(period.start) * MINUTE_MS, minutesOf(period.end) * MINUTE_MS] as const,
  );
  const last = periods[periods.length - 1];
  const schedule: DaySchedule = {
    periods,
    dayMs: periods.reduce((sum, [start, end]) => sum + (end - start), 0),
    dayEnd: last ? last[1] : 0,
  };
  schedules.set(hours, schedule);
  return schedule;
}

/** Working ms in one working day under the given hours (8 h for the default hours). */
export function workingDayMs(hours: WorkingHours = DEFAULT_WORKING_HOURS): number {
  return scheduleOf(hours).dayMs;
}

/** Expresses working ms as working days with 2 decimals (the unit KPI reports use). */
export function workingMsToDays(ms: number, hours: WorkingHours = DEFAULT_WORKING_HOURS): number {
  return Math.round((ms / workingDayMs(hours)) * 100) / 100;
}

/** Expresses working ms as working hours with 2 decimals. */
export function workingMsToHours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 100) / 100;
}
