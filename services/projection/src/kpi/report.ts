/**
 * The unit KPI report, shared by `GET /v1/kpi/units/{unitId}` and `pnpm onestop kpi`, so both print the same
 * figures; its split by procedure (`GET /v1/kpi/units/{unitId}/procedures`, and the periodic reform report);
 * and the read transaction every projection query runs in (on the live generation).
 */
import type { Catalog } from '@onestop/catalog';
import type { Calendar } from '@onestop/domain';
import type { ProjectionDeps } from '../app.js';
import { unitFeedbackFigures } from '../feedback/kpi.js';
import { activeGeneration, calendarOfGeneration } from '../read-model/generations.js';
import type { DossierSummary } from '../read-model/summary.js';
import { kpiFigures, type Tally } from './figures.js';
import { iso, type PeriodQuery, resolvePeriod } from './params.js';
import {
  type KpiScope,
  procedureTallies,
  type ReadContext,
  recomputedUnitTally,
  unitTally,
} from './query.js';

type ReadDeps = Pick<ProjectionDeps, 'db' | 'calendar' | 'catalog'>;

/** Runs `work` in one transaction on the live generation's tables, with the calendar it was built with. */
export function readProjection<T>(deps: ReadDeps, work: (ctx: ReadContext) => Promise<T>): Promise<T> {
  return deps.db.withTransaction(async (tx) => {
    const active = await activeGeneration(tx, deps.db.schema);
    return work({
      tx,
      tables: active.tables,
      calendar: calendarOfGeneration(active, deps.calendar),
      catalog: deps.catalog,
    });
  });
}

/** The unit ids a report of `unitId` covers; CATALOG_UNIT_NOT_FOUND (404) for an unknown unit. */
export function unitsOf(catalog: Catalog, unitId: string, rollup: 'current' | 'historical'): string[] {
  catalog.unit(unitId);
  const rolled = rollup === 'current' ? catalog.rolledUpFrom(unitId) : [];
  // A unit that has itself been merged away has no history of its own to roll up: report it as it was.
  return rolled.length > 0 ? [...rolled] : [unitId];
}

export type UnitKpiQuery = Pick<PeriodQuery, 'from' | 'to' | 'asOf' | 'due' | 'rollup'>;

function scopeOf(deps: ReadDeps, unitId: string, query: UnitKpiQuery, now: Date) {
  const units = unitsOf(deps.catalog, unitId, query.rollup);
  const period = resolvePeriod(query, now);
  const scope: KpiScope = { ...period, unitIds: units, due: query.due };
  const header = {
    unitId,
    units,
    rollup: query.rollup,
    due: query.due,
    from: iso(period.fromMs),
    to: iso(period.toMs),
    asOf: iso(period.asOfMs),
  };
  return { scope, header };
}

type Header = ReturnType<typeof scopeOf>['header'];

async function reportOf(
  ctx: ReadContext,
  scope: KpiScope,
  header: Header,
  tally: Tally,
  source: 'aggregates' | 'recomputed',
) {
  const figures = kpiFigures(tally);
  return { ...header, source, ...figures, feedback: await unitFeedbackFigures(ctx, scope, figures) };
}
export type UnitKpiReport = Awaited<ReturnType<typeof reportOf>>;

/** The figures of `unitId` (its KPIs with 766 points and intake measures) for `query`, judged at `now`. */
export async function unitKpiReport(
  deps: ReadDeps,
  unitId: string,
  query: UnitKpiQuery,
  now: Date,
): Promise<UnitKpiReport> {
  const { scope, header } = scopeOf(deps, unitId, query, now);
  return readProjection(deps, async (ctx) => {
    const { tally, source } = await unitTally(ctx, scope, now.getTime());
    return reportOf(ctx, scope, header, tally, source);
  });
}

export interface UnderCalendar {
  readonly calendar: Calendar;
  readonly report: UnitKpiReport;
  readonly dossiers: DossierSummary[];
}

/**
 * `unitKpiReport` under each of two `calendars`, in one transaction (one snapshot), always on the recomputed path
 * (the aggregates were built with one calendar), with the dossiers the unit is charged with as each calendar
 * judges them. The calendar of the live generation is not used.
 */
export async function unitKpiReportsUnderCalendars(
  deps: ReadDeps,
  unitId: string,
  query: UnitKpiQuery,
  now: Date,
  calendars: readonly [Calendar, Calendar],
): Promise<[UnderCalendar, UnderCalendar]> {
  const { scope, header } = scopeOf(deps, unitId, query, now);
  return readProjection(deps, async (live) => {
    const under = async (calendar: Calendar): Promise<UnderCalendar> => {
      const ctx: ReadContext = { ...live, calendar };
      const { tally, dossiers } = await recomputedUnitTally(ctx, scope);
      return { calendar, report: await reportOf(ctx, scope, header, tally, 'recomputed'), dossiers };
    };
    // One after the other: both read in the one transaction.
    const first = await under(calendars[0]);
    return [first, await under(calendars[1])];
  });
}

/** A procedure's name as the catalogue now has it (the code alone if the catalogue no longer knows it). */
function procedureName(catalog: Catalog, code: string): string {
  return catalog.procedureVersions(code).at(-1)?.name ?? code;
}

/**
 * The figures of `unitKpiReport` split by procedure, from the same tally (so the procedures' counts sum to the
 * unit's), without the intake measures (kept per receiving unit and day, not per procedure). By code.
 */
export async function unitProcedureKpiReport(deps: ReadDeps, unitId: string, query: UnitKpiQuery, now: Date) {
  const { scope, header } = scopeOf(deps, unitId, query, now);
  const { tallies, source } = await readProjection(deps, (ctx) =>
    procedureTallies(ctx, scope, now.getTime()),
  );
  const procedures = [...tallies]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([procedureCode, tally]) => {
      const { intake: _perReceivingUnit, ...figures } = kpiFigures(tally);
      return { procedureCode, name: procedureName(deps.catalog, procedureCode), ...figures };
    });
  return { ...header, source, procedures };
}
export type UnitProcedureKpiReport = Awaited<ReturnType<typeof unitProcedureKpiReport>>;
