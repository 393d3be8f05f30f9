/**
 * The periodic administrative-reform report (issue 9, item 4): per competent unit and per procedure, the figures
 * of the KPI API for the period, nothing computed on the side. For a period [from, to) judged at its end
 * (`asOf` = the last millisecond of the period, or now while the period runs):
 * - received, resolved early / on time / late, open in time / overdue, apology letters, digitization, online,
 *   satisfaction: `GET /v1/kpi/units/{unit}?from&to&asOf` and its `/procedures` split (the dossiers received in
 *   the period, as the KPI API counts them: a dossier carried over and resolved in the period is not "resolved"
 *   here, it was counted in its own period);
 * - carried over: `open` of the same endpoints for everything received before the period, judged at its start
 *   (`?to=<from>&asOf=<start − 1 ms>`);
 * - late apologies: the size of the drill-down `.../dossiers?reason=apology_after_due` (no counter holds it);
 * - feedback (PAKN) filed, handled on time (5.2) and satisfaction (5.3): `feedback` of the unit's KPI report, the
 *   items filed in the period with the unit responsible. Feedback has no split by procedure (an item is about a
 *   dossier, a unit or a procedure, and is counted against its responsible unit), so procedure rows have none.
 */
import type { Catalog, Unit } from '@onestop/catalog';
import type { ProjectionDeps } from '../app.js';
import type { FeedbackFigures } from '../feedback/kpi.js';
import { iso, resolvePeriod } from '../kpi/params.js';
import { drillDown } from '../kpi/query.js';
import {
  readProjection,
  type UnitKpiQuery,
  unitKpiReport,
  unitProcedureKpiReport,
  unitsOf,
} from '../kpi/report.js';
import { type ReformReportQuery, type ReportPeriod, resolveReportPeriod } from './period.js';

type ReadDeps = Pick<ProjectionDeps, 'db' | 'calendar' | 'catalog'>;

/** One row of the report: KPI API figures under the report's names. */
export interface ReportFigures {
  readonly received: number;
  readonly carriedOver: number;
  readonly ended: number;
  readonly early: number;
  readonly onTime: number;
  readonly late: number;
  readonly onTimeRate: number | null;
  readonly open: number;
  readonly inTime: number;
  readonly overdue: number;
  readonly extended: number;
  readonly lateApology: number;
  readonly digitizationRate: number | null;
  readonly onlineRate: number | null;
  readonly rated: number;
  readonly dissatisfied: number;
  readonly satisfactionRate: number | null;
  /** Null on procedure rows: feedback is counted per responsible unit only. */
  readonly feedbackFiled: number | null;
  readonly feedbackOnTimeRate: number | null;
  readonly feedbackSatisfactionRate: number | null;
}

export interface ReportProcedureRow {
  readonly procedureCode: string;
  readonly name: string;
  readonly figures: ReportFigures;
}

export interface ReportUnitRow {
  readonly unitId: string;
  readonly code: string;
  readonly name: string;
  readonly figures: ReportFigures;
  readonly procedures: readonly ReportProcedureRow[];
}

export interface ReformReport {
  readonly province: { readonly id: string; readonly name: string } | null;
  readonly period: ReportPeriod;
  /** The KPI API parameters the figures were read with (`asOf` absent: judged at generation time). */
  readonly kpiQuery: { readonly from: string; readonly to: string; readonly asOf?: string };
  /** The carried-over figures' parameters. */
  readonly carriedOverQuery: { readonly to: string; readonly asOf: string } | null;
  readonly generatedAt: string;
  readonly units: readonly ReportUnitRow[];
}

/** The KPI API's earliest `from`: a period starting then has nothing before it to carry over. */
const HISTORY_START = '2000-01-01';

const localMidnight = (day: string) => Date.parse(`${day}T00:00:00+07:00`);

/** The province's competent units: the current units that procedures name competent, in registry order. */
export function competentUnits(catalog: Catalog): Unit[] {
  const competent = new Set(
    catalog
      .procedures()
      .flatMap((p) => catalog.procedureVersions(p.code))
      .flatMap((version) => version.competentUnitIds)
      .map((id) => catalog.rollupTarget(id, 'current')),
  );
  return catalog.units().filter((unit) => competent.has(unit.id));
}

interface Figures {
  readonly received: number;
  readonly ended: number;
  readonly early: number;
  readonly onTime: number;
  readonly late: number;
  readonly onTimeRate: number | null;
  readonly open: number;
  readonly inTime: number;
  readonly overdue: number;
  readonly extended: number;
  readonly digitizationRate: number | null;
  readonly onlineRate: number | null;
  readonly rated: number;
  readonly dissatisfied: number;
  readonly satisfactionRate: number | null;
}

const NO_FIGURES: Figures = {
  received: 0,
  ended: 0,
  early: 0,
  onTime: 0,
  late: 0,
  onTimeRate: null,
  open: 0,
  inTime: 0,
  overdue: 0,
  extended: 0,
  digitizationRate: null,
  onlineRate: null,
  rated: 0,
  dissatisfied: 0,
  satisfactionRate: null,
};

function reportFigures(
  f: Figures,
  carriedOver: number,
  lateApology: number,
  feedback: FeedbackFigures | null,
): ReportFigures {
  return {
    received: f.received,
    carriedOver,
    ended: f.ended,
    early: f.early,
    onTime: f.onTime,
    late: f.late,
    onTimeRate: f.onTimeRate,
    open: f.open,
    inTime: f.inTime,
    overdue: f.overdue,
    extended: f.extended,
    lateApology,
    digitizationRate: f.digitizationRate,
    onlineRate: f.onlineRate,
    rated: f.rated,
    dissatisfied: f.dissatisfied,
    satisfactionRate: f.satisfactionRate,
    feedbackFiled: feedback?.filed ?? null,
    feedbackOnTimeRate: feedback?.onTimeRate ?? null,
    feedbackSatisfactionRate: feedback?.satisfactionRate ?? null,
  };
}

async function unitRow(
  deps: ReadDeps,
  unit: Unit,
  query: UnitKpiQuery,
  carry: UnitKpiQuery | null,
  now: Date,
): Promise<ReportUnitRow> {
  const kpi = await unitKpiReport(deps, unit.id, query, now);
  const byProcedure = await unitProcedureKpiReport(deps, unit.id, query, now);
  const carried = carry === null ? null : await unitKpiReport(deps, unit.id, carry, now);
  const carriedByProcedure = carry === null ? null : await unitProcedureKpiReport(deps, unit.id, carry, now);
  const scope = {
    ...resolvePeriod(query, now),
    unitIds: unitsOf(deps.catalog, unit.id, query.rollup),
    due: query.due,
  };
  const { items: lateApologies } = await readProjection(deps, (ctx) =>
    drillDown(ctx, scope, now.getTime(), { reason: 'apology_after_due' }),
  );
  const carriedOf = new Map(carriedByProcedure?.procedures.map((p) => [p.procedureCode, p.open]) ?? []);
  const period = new Map(byProcedure.procedures.map((p) => [p.procedureCode, p]));
  const codes = [...new Set([...period.keys(), ...[...carriedOf].filter(([, n]) => n > 0).map(([c]) => c)])];
  const procedures = codes.sort().map((code) => {
    const figures = period.get(code);
    return {
      procedureCode: code,
      name: figures?.name ?? deps.catalog.procedureVersions(code).at(-1)?.name ?? code,
      figures: reportFigures(
        figures ?? NO_FIGURES,
        carriedOf.get(code) ?? 0,
        lateApologies.filter((item) => item.procedureCode === code).length,
        null,
      ),
    };
  });
  return {
    unitId: unit.id,
    code: unit.code,
    name: unit.name,
    figures: reportFigures(kpi, carried?.open ?? 0, lateApologies.length, kpi.feedback),
    procedures,
  };
}

/**
 * The report for `query` generated at `now`: one row per unit (the one asked for, or every competent unit),
 * each with its procedures. CATALOG_UNIT_NOT_FOUND (404) for an unknown unit.
 */
export async function reformReport(
  deps: ReadDeps,
  query: ReformReportQuery,
  now: Date,
): Promise<ReformReport> {
  const period = resolveReportPeriod(query);
  const units = query.unitId === undefined ? competentUnits(deps.catalog) : [deps.catalog.unit(query.unitId)];
  const endMs = localMidnight(period.to);
  // Judged at the period's end (its last millisecond), or now while it runs: the KPI API's default asOf.
  const asOf = endMs <= now.getTime() ? iso(endMs - 1) : undefined;
  const kpiQuery = { from: period.from, to: period.to, ...(asOf === undefined ? {} : { asOf }) };
  const carriedOverQuery =
    period.from <= HISTORY_START ? null : { to: period.from, asOf: iso(localMidnight(period.from) - 1) };
  const base = { due: 'statutory', rollup: 'current' } as const;
  const rows: ReportUnitRow[] = [];
  for (const unit of units) {
    rows.push(
      await unitRow(
        deps,
        unit,
        { ...base, ...kpiQuery },
        carriedOverQuery === null ? null : { ...base, ...carriedOverQuery },
        now,
      ),
    );
  }
  const at = new Date(Math.min(endMs, now.getTime()) - 1);
  const province = deps.catalog.unitsInForce(at).find((unit) => unit.kind === 'province');
  return {
    province: province === undefined ? null : { id: province.id, name: province.name },
    period,
    kpiQuery,
    carriedOverQuery,
    generatedAt: now.toISOString(),
    units: rows,
  };
}
