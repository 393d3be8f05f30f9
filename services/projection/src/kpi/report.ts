/**
 * The unit KPI report, shared by `GET /v1/kpi/units/{unitId}` and `pnpm onestop kpi`, so both print the same
 * figures; and the read transaction every projection query runs in (on the live generation).
 */
import type { Catalog } from '@onestop/catalog';
import type { ProjectionDeps } from '../app.js';
import { activeGeneration, calendarOfGeneration } from '../read-model/generations.js';
import { kpiFigures } from './figures.js';
import { iso, type PeriodQuery, resolvePeriod } from './params.js';
import { type KpiScope, type ReadContext, unitTally } from './query.js';

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

/** The figures of `unitId` (its KPIs with 766 points and intake measures) for `query`, judged at `now`. */
export async function unitKpiReport(deps: ReadDeps, unitId: string, query: UnitKpiQuery, now: Date) {
  const units = unitsOf(deps.catalog, unitId, query.rollup);
  const period = resolvePeriod(query, now);
  const scope: KpiScope = { ...period, unitIds: units, due: query.due };
  const { tally, source } = await readProjection(deps, (ctx) => unitTally(ctx, scope, now.getTime()));
  return {
    unitId,
    units,
    rollup: query.rollup,
    due: query.due,
    from: iso(period.fromMs),
    to: iso(period.toMs),
    asOf: iso(period.asOfMs),
    source,
    ...kpiFigures(tally),
  };
}
export type UnitKpiReport = Awaited<ReturnType<typeof unitKpiReport>>;
