import { defineError } from '../errors.js';
import {
  type Calendar,
  type DaySchedule,
  isWorkingDayNumber,
  scheduleOf,
  type WorkingHours,
} from './calendar.js';
import { localDayOf, localMidnight } from './local-time.js';

/**
 * Working-time arithmetic. Working time is the union of the daily periods on working days, each period
 * half-open [start, end). The walks go day by day (never minute by minute), so 30 working days cost ~45 steps.
 * The `*Ms` functions work on epoch ms for the clock's inner loops; the Date versions are the public face.
 */

export const InvalidWorkingDuration = defineError<{ value: unknown }>(
  'DOM_CLOCK_INVALID_DURATION',
  'validation',
);
export const InvalidInstant = defineError<{ field: string }>('DOM_CLOCK_INVALID_INSTANT', 'validation');

/** Epoch ms of a Date given at an edge; an Invalid Date would otherwise walk the calendar forever. */
export function instantMs(at: Date, field: string): number {
  const ms = at instanceof Date ? at.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw InvalidInstant(`${field} is not a valid instant`, { details: { field } });
  return ms;
}

/** The instant itself if it is inside working time, else the start of the next working period. */
export function nextWorkingStartMs(at: number, calendar: Calendar, schedule: DaySchedule): number {
  for (let day = localDayOf(at); ; day++) {
    if (!isWorkingDayNumber(calendar, day)) continue;
    const midnight = localMidnight(day);
    for (const [start, end] of schedule.periods) {
      if (at < midnight + end) return Math.max(at, midnight + start);
    }
  }
}

/**
 * `at` plus `amount` working ms. When the amount runs out exactly at the end of a period the result is that end
 * (17:00, 11:30), not the start of the next period: a limit is due at the last moment it still covers.
 * Adding 0 returns `at` unchanged, even outside working time.
 */
export function addWorkingMs(at: number, amount: number, calendar: Calendar, schedule: DaySchedule): number {
  if (amount <= 0) return at;
  let remaining = amount;
  for (let day = localDayOf(at); ; day++) {
    if (!isWorkingDayNumber(calendar, day)) continue;
    const midnight = localMidnight(day);
    for (const [start, end] of schedule.periods) {
      const from = Math.max(at, midnight + start);
      const to = midnight + end;
      if (from >= to) continue;
      if (remaining <= to - from) return from + remaining;
      remaining -= to - from;
    }
  }
}

/** Working ms in [from, to); 0 when `to` is not after `from`. */
export function workingMsBetween(
  from: number,
  to: number,
  calendar: Calendar,
  schedule: DaySchedule,
): number {
  let total = 0;
  for (let day = localDayOf(from); from < to && localMidnight(day) < to; day++) {
    if (!isWorkingDayNumber(calendar, day)) continue;
    const midnight = localMidnight(day);
    for (const [start, end] of schedule.periods) {
      const overlap = Math.min(to, midnight + end) - Math.max(from, midnight + start);
      if (overlap > 0) total += overlap;
    }
  }
  return total;
}

export function isWorkingTimeMs(at: number, calendar: Calendar, schedule: DaySchedule): boolean {
  const day = localDayOf(at);
  if (!isWorkingDayNumber(calendar, day)) return false;
  const offset = at - localMidnight(day);
  return schedule.periods.some(([start, end]) => offset >= start && offset < end);
}

const hoursOf = (calendar: Calendar, hours: WorkingHours | undefined) =>
  scheduleOf(hours ?? calendar.workingHours);

/** Whether an instant is inside working time (period ends excluded). */
export function isWorkingTime(at: Date, calendar: Calendar, hours?: WorkingHours): boolean {
  return isWorkingTimeMs(instantMs(at, 'at'), calendar, hoursOf(calendar, hours));
}

/** The instant itself if inside working time, else the start of the next working period. */
export function nextWorkingTimeStart(at: Date, calendar: Calendar, hours?: WorkingHours): Date {
  return new Date(nextWorkingStartMs(instantMs(at, 'at'), calendar, hoursOf(calendar, hours)));
}

/** `at` plus `ms` working ms (see addWorkingMs for the end-of-period rule). */
export function addWorkingTime(at: Date, ms: number, calendar: Calendar, hours?: WorkingHours): Date {
  if (!Number.isFinite(ms) || ms < 0) {
    throw InvalidWorkingDuration(`invalid working duration ${String(ms)}: must be a finite number ≥ 0`, {
      details: { value: ms },
    });
  }
  return new Date(addWorkingMs(instantMs(at, 'at'), ms, calendar, hoursOf(calendar, hours)));
}

/** Working ms between two instants; 0 when `to` is not after `from`. */
export function workingTimeBetween(from: Date, to: Date, calendar: Calendar, hours?: WorkingHours): number {
  return workingMsBetween(instantMs(from, 'from'), instantMs(to, 'to'), calendar, hoursOf(calendar, hours));
}
