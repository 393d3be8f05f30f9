import { type Calendar, type CalendarDataInput, createCalendar } from './calendar.js';

/**
 * Working calendar of Vietnamese civil servants (Saturday and Sunday off) for 2025 and 2026, as in DOMAIN.md
 * section 5. Only weekday days off and swapped Saturdays are listed: a holiday that falls on a weekend changes
 * nothing, and a day off in lieu appears as a weekday day off. A new announcement means a new version: the
 * versions are kept (`vnCivilServiceCalendars`) so that a replay or a KPI comparison can compute under any of them.
 */
export const vnCivilServiceCalendarData = {
  version: 'vn-civil-service-2026.1',
  effectiveFrom: '2025-12-25',
  knownYears: [2025, 2026],
  weekendDays: ['sat', 'sun'],
  daysOff: [
    { date: '2025-01-01', name: 'New Year' },
    { date: '2025-01-27', name: 'Tết' },
    { date: '2025-01-28', name: 'Tết' },
    { date: '2025-01-29', name: 'Tết' },
    { date: '2025-01-30', name: 'Tết' },
    { date: '2025-01-31', name: 'Tết' },
    { date: '2025-04-07', name: 'Hùng Kings Commemoration' },
    { date: '2025-04-30', name: 'Reunification Day' },
    { date: '2025-05-01', name: 'International Labour Day' },
    { date: '2025-05-02', name: 'Swapped with Sat 26 Apr' },
    { date: '2025-09-01', name: 'National Day' },
    { date: '2025-09-02', name: 'National Day' },
    { date: '2026-01-01', name: 'New Year' },
    { date: '2026-01-02', name: 'Swapped with Sat 10 Jan' },
    { date: '2026-02-16', name: 'Tết' },
    { date: '2026-02-17', name: 'Tết' },
    { date: '2026-02-18', name: 'Tết' },
    { date: '2026-02-19', name: 'Tết' },
    { date: '2026-02-20', name: 'Tết' },
    { date: '2026-04-27', name: 'Hùng Kings Commemoration (in lieu of Sun 26 Apr)' },
    { date: '2026-04-30', name: 'Reunification Day' },
    { date: '2026-05-01', name: 'International Labour Day' },
    { date: '2026-08-31', name: 'Swapped with Sat 22 Aug' },
    { date: '2026-09-01', name: 'National Day' },
    { date: '2026-09-02', name: 'National Day' },
  ],
  extraWorkingDays: [
    { date: '2025-04-26', name: 'Working Saturday (for Fri 2 May)' },
    { date: '2026-01-10', name: 'Working Saturday (for Fri 2 Jan)' },
    { date: '2026-08-22', name: 'Working Saturday (for Mon 31 Aug)' },
  ],
  workingHours: {
    periods: [
      { start: '07:00', end: '11:30' },
      { start: '13:30', end: '17:00' },
    ],
  },
  unitWorkingHours: {},
  sources: [
    '2025 days off and the 26 Apr 2025 swap: government announcement for civil servants (late 2024)',
    '2026 New Year swap: letter 12729/VPCP-KGVX of 25 Dec 2025',
    '2026 Tết 14–22 Feb: Prime Minister approval; 27 Apr in lieu of Sun 26 Apr',
    '2026 National Day 29 Aug–2 Sep with Mon 31 Aug swapped for Sat 22 Aug',
  ],
} satisfies CalendarDataInput;

/**
 * ILLUSTRATIVE EXAMPLE, NOT LAW. DOMAIN.md gives only the 2025–2026 data above, so this second version exists to
 * exercise calendar versioning (replay `--calendar`, `pnpm onestop kpi --compare-calendar`) with real-looking
 * data: an amendment effective 20 May 2026 that adds one weekday day off, Fri 5 Jun 2026, and changes nothing
 * else. No such announcement was made; never make it the default calendar.
 */
export const vnCivilServiceCalendarAmendmentData = {
  ...vnCivilServiceCalendarData,
  version: 'vn-civil-service-2026.2',
  effectiveFrom: '2026-05-20',
  daysOff: [
    ...vnCivilServiceCalendarData.daysOff.filter((day) => day.date < '2026-06-05'),
    { date: '2026-06-05', name: 'Illustrative example, not law: extra day off of amendment 2026.2' },
    ...vnCivilServiceCalendarData.daysOff.filter((day) => day.date > '2026-06-05'),
  ],
  sources: [
    ...vnCivilServiceCalendarData.sources,
    'ILLUSTRATIVE EXAMPLE, not an announcement: amendment 2026.2 adds Fri 5 Jun 2026 as a day off (to test versioning)',
  ],
} satisfies CalendarDataInput;

/** The version in force for new dossiers: the announced data (2026.1), not the illustrative amendment. */
export const vnCivilServiceCalendar: Calendar = createCalendar(vnCivilServiceCalendarData);

/** Every version of the calendar, oldest first; each differs from the one before by an amendment. */
export const vnCivilServiceCalendars: readonly Calendar[] = Object.freeze([
  vnCivilServiceCalendar,
  createCalendar(vnCivilServiceCalendarAmendmentData),
]);
