export {
  type Calendar,
  type CalendarData,
  type CalendarDataInput,
  CalendarOutOfRange,
  calendarDataSchema,
  createCalendar,
  DEFAULT_WORKING_HOURS,
  type WorkingHours,
  workingDayMs,
  workingHoursSchema,
  workingMsToDays,
  workingMsToHours,
} from './calendar.js';
export {
  computeDueAt,
  type DueComputation,
  type DueInput,
  InvalidTimeLimit,
  parseTimeLimit,
  TIME_LIMIT_UNITS,
  type TimeLimit,
  type TimeLimitUnit,
  timeLimitSchema,
} from './due.js';
export {
  type Classification,
  type ClockEndEvent,
  type ClockEvaluation,
  type ClockEventInput,
  ClockNotStarted,
  type ClockRules,
  type ClockWithElapsed,
  DEFAULT_CLOCK_RULES,
  type DueBasis,
  type EvaluateClockOptions,
  evaluateClock,
  evaluateClockWithElapsed,
  type LateReason,
  nationalStatusAt,
} from './evaluate.js';
export { localDateOf, VN_UTC_OFFSET_MS } from './local-time.js';
export {
  vnCivilServiceCalendar,
  vnCivilServiceCalendarAmendmentData,
  vnCivilServiceCalendarData,
  vnCivilServiceCalendars,
} from './vn-civil-service.js';
export {
  addWorkingTime,
  InvalidInstant,
  InvalidWorkingDuration,
  isWorkingTime,
  nextWorkingTimeStart,
  workingTimeBetween,
} from './working-time.js';
