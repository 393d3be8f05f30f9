import { z } from 'zod';
import { defineError } from '../errors.js';
import { zodIssues } from '../validation.js';
import {
  type Calendar,
  type DaySchedule,
  isWorkingDayNumber,
  scheduleOf,
  type WorkingHours,
} from './calendar.js';
import { HOUR_MS, localDayOf, localMidnight } from './local-time.js';
import { addWorkingMs, instantMs, nextWorkingStartMs } from './working-time.js';

export const TIME_LIMIT_UNITS = ['working_days', 'working_hours', 'calendar_days'] as const;
export type TimeLimitUnit = (typeof TIME_LIMIT_UNITS)[number];

/** A procedure's time limit. zod 4 numbers are finite; calendar days must be whole days. */
export const timeLimitSchema = z
  .object({
    value: z.number().positive(),
    unit: z.enum(TIME_LIMIT_UNITS),
  })
  .superRefine((limit, ctx) => {
    if (limit.unit === 'calendar_days' && !Number.isInteger(limit.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'calendar days must be a whole number' });
    }
  });
export type TimeLimit = z.infer<typeof timeLimitSchema>;

export const InvalidTimeLimit = defineError<{
  value: unknown;
  unit: unknown;
  issues: ReadonlyArray<{ path: string; message: string }>;
}>('DOM_CLOCK_INVALID_LIMIT', 'validation');

/** Parses a time limit; on failure the error carries the offending value and unit. */
export function parseTimeLimit(limit: unknown): TimeLimit {
  const result = timeLimitSchema.safeParse(limit);
  if (result.success) return result.data;
  const raw = typeof limit === 'object' && limit !== null ? limit : {};
  const value = 'value' in raw ? raw.value : undefined;
  const unit = 'unit' in raw ? raw.unit : undefined;
  const issues = zodIssues(result.error);
  throw InvalidTimeLimit(
    `invalid time limit ${String(value)} ${String(unit)}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { value, unit, issues }, cause: result.error },
  );
}

export interface DueInput {
  /** The instant of valid receipt (status 2). */
  readonly receivedAt: Date;
  readonly limit: TimeLimit;
  readonly calendar: Calendar;
  /** Defaults to the calendar's default working hours; pass `calendar.workingHoursFor(unitId)` for a unit. */
  readonly workingHours?: WorkingHours;
}

export interface DueComputation {
  /** Receipt moved to the next working-time start when it fell outside working time. */
  readonly startAt: Date;
  readonly dueAt: Date;
  /** Record this with the dossier: the due depends on it. */
  readonly calendarVersion: string;
}

/** The clock start and statutory due of a dossier (DOMAIN.md section 5). */
export function computeDueAt(input: DueInput): DueComputation {
  const limit = parseTimeLimit(input.limit);
  const schedule = scheduleOf(input.workingHours ?? input.calendar.workingHours);
  const { startMs, dueMs } = computeDueMs(
    instantMs(input.receivedAt, 'receivedAt'),
    limit,
    input.calendar,
    schedule,
  );
  return { startAt: new Date(startMs), dueAt: new Date(dueMs), calendarVersion: input.calendar.version };
}

export function computeDueMs(
  receivedMs: number,
  limit: TimeLimit,
  calendar: Calendar,
  schedule: DaySchedule,
): { startMs: number; dueMs: number } {
  const startMs = nextWorkingStartMs(receivedMs, calendar, schedule);
  switch (limit.unit) {
    case 'working_days':
      // A working day is the unit's working hours in one day (8 h by default); 0.5 day is half of it.
      return {
        startMs,
        dueMs: addWorkingMs(startMs, Math.round(limit.value * schedule.dayMs), calendar, schedule),
      };
    case 'working_hours':
      return { startMs, dueMs: addWorkingMs(startMs, Math.round(limit.value * HOUR_MS), calendar, schedule) };
    case 'calendar_days': {
      let day = localDayOf(startMs) + limit.value;
      while (!isWorkingDayNumber(calendar, day)) day++;
      return { startMs, dueMs: localMidnight(day) + schedule.dayEnd };
    }
  }
}
