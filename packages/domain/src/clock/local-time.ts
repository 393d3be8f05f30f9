/**
 * Business time is Asia/Ho_Chi_Minh: UTC+7 all year (no DST since 1975). Everything here is plain UTC arithmetic
 * on epoch milliseconds with that fixed offset, so results never depend on the machine's time zone.
 * A "day" is a local calendar day, numbered as days since 1970-01-01 (local), which makes walking the calendar
 * an integer increment.
 */

export const VN_UTC_OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Local day number of an instant (epoch ms). */
export function localDayOf(epochMs: number): number {
  return Math.floor((epochMs + VN_UTC_OFFSET_MS) / DAY_MS);
}

/** The instant (epoch ms) of local midnight at the start of `day`. */
export function localMidnight(day: number): number {
  return day * DAY_MS - VN_UTC_OFFSET_MS;
}

/** `YYYY-MM-DD` of a local day number. */
export function dayToIsoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Local day number of a `YYYY-MM-DD` date, or undefined when it is not a real calendar date. */
export function isoDateToDay(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches dates that do not exist.
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / DAY_MS : undefined;
}

/** 0 = Sunday … 6 = Saturday, like Date#getUTCDay. */
export function weekdayOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

export function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** The local (Asia/Ho_Chi_Minh) calendar date of an instant, as `YYYY-MM-DD`. */
export function localDateOf(at: Date): string {
  return dayToIsoDate(localDayOf(at.getTime()));
}
