/**
 * Which generation of the read models is live. Readers and the live handler look it up at the start of each
 * transaction, so a replay that switches generations (in its own transaction, possibly in another process on
 * the same SQLite file) is picked up by the running service at its next request or event, without a restart.
 */
import { type Calendar, defineError, vnCivilServiceCalendars } from '@onestop/domain';
import type { SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { generationTables, isGenerationName, type ProjectionTables, projectionTables } from './tables.js';

/** Calendar versions this build can compute with (a replay or a KPI comparison may pick any of them). */
export const KNOWN_CALENDARS: ReadonlyMap<string, Calendar> = new Map(
  vnCivilServiceCalendars.map((calendar) => [calendar.version, calendar]),
);

export const UnknownCalendarVersion = defineError<{ version: string; known: string[] }>(
  'PROJ_UNKNOWN_CALENDAR_VERSION',
  'validation',
);

export function calendarOfVersion(version: string): Calendar {
  const calendar = KNOWN_CALENDARS.get(version);
  if (calendar === undefined) {
    const known = [...KNOWN_CALENDARS.keys()];
    throw UnknownCalendarVersion(`unknown calendar version ${version} (known: ${known.join(', ')})`, {
      details: { version, known },
    });
  }
  return calendar;
}

export interface ActiveGeneration {
  readonly generation: string;
  readonly tables: ProjectionTables;
  /** The calendar version a replay built it with; null for the first generation (the service's default). */
  readonly calendarVersion: string | null;
}

const ActiveRow = z.object({
  generation: z.string().refine(isGenerationName, 'not a projection generation'),
  calendar_version: z.string().nullable(),
});

/** The live generation, read in `tx` (tables from `migrateProjection`). */
export async function activeGeneration(tx: SqlTransaction, schema?: string): Promise<ActiveGeneration> {
  const { rows } = await tx.query(
    `select generation, calendar_version from ${generationTables(schema).active} where id = 1`,
  );
  const row = ActiveRow.parse(rows[0]);
  return {
    generation: row.generation,
    tables: projectionTables(schema, row.generation),
    calendarVersion: row.calendar_version,
  };
}

/** The calendar of a generation: the one it was rebuilt with, else `fallback` (the service's). */
export function calendarOfGeneration(active: ActiveGeneration, fallback: Calendar): Calendar {
  return active.calendarVersion === null ? fallback : calendarOfVersion(active.calendarVersion);
}
