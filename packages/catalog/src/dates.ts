import { z } from 'zod';

/**
 * Effective dates in the catalogue are Vietnam calendar dates (`YYYY-MM-DD`): a unit established or a procedure
 * version effective "on 1 Mar 2025" is in force from 00:00 that day in Vietnam time (UTC+7, no DST).
 */
export const LocalDateSchema = z.iso.date();

/** The instant a Vietnam calendar date begins. */
export function vietnamDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+07:00`);
}
