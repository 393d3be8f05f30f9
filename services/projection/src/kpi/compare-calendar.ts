/**
 * What changes in a unit's KPIs between two calendar versions (DOMAIN.md section 5: "the projection can recompute
 * under a newer version and show the difference"), for `pnpm onestop kpi --compare-calendar V1 V2`. Both reports
 * come from `unitKpiReportsUnderCalendars`, the recomputed path of `GET /v1/kpi/units/{unitId}`; this module only
 * diffs them.
 */
import type { Classification } from '@onestop/domain';
import { calendarOfVersion } from '../read-model/generations.js';
import type { DossierSummary } from '../read-model/summary.js';
import { iso } from './params.js';
import { type UnitKpiQuery, type UnitKpiReport, unitKpiReportsUnderCalendars } from './report.js';

type Pair<T> = readonly [T, T];
type ReportDeps = Parameters<typeof unitKpiReportsUnderCalendars>[0];

/** A figure whose value differs, by its dotted path in the report (e.g. `points.progress`). */
export interface FigureChange {
  readonly figure: string;
  readonly values: Pair<unknown>;
}

/** A dossier the unit is charged with whose due (on the compared basis) or classification differs. */
export interface DossierChange {
  readonly dossierId: string;
  readonly dossierCode: string;
  readonly procedureCode: string;
  /** ISO instants; null when a version does not count the dossier in the scope. */
  readonly due: Pair<string | null>;
  readonly classification: Pair<Classification | null>;
}

export interface CalendarComparison {
  readonly calendars: Pair<string>;
  readonly reports: Pair<UnitKpiReport>;
  readonly changedFigures: FigureChange[];
  readonly changedDossiers: DossierChange[];
}

/** The leaves of a report by dotted path (arrays are leaves: compared whole). */
export function figureLeaves(report: object): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, path === '' ? key : `${path}.${key}`);
    } else {
      leaves.set(path, value);
    }
  };
  walk(report, '');
  return leaves;
}

function changedFigures(a: UnitKpiReport, b: UnitKpiReport): FigureChange[] {
  const left = figureLeaves(a);
  const right = figureLeaves(b);
  const paths = [...new Set([...left.keys(), ...right.keys()])];
  return paths
    .filter((path) => JSON.stringify(left.get(path)) !== JSON.stringify(right.get(path)))
    .map((figure) => ({ figure, values: [left.get(figure) ?? null, right.get(figure) ?? null] as const }));
}

function changedDossiers(a: readonly DossierSummary[], b: readonly DossierSummary[]): DossierChange[] {
  const left = new Map(a.map((d) => [d.dossierId, d]));
  const right = new Map(b.map((d) => [d.dossierId, d]));
  const changes: DossierChange[] = [];
  // In the order of receipt, as recomputed (the left list first, then any only on the right).
  for (const id of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(id);
    const r = right.get(id);
    const any = l ?? r;
    if (any === undefined) continue;
    const due = [l === undefined ? null : iso(l.dueMs), r === undefined ? null : iso(r.dueMs)] as const;
    const classification = [l?.classification ?? null, r?.classification ?? null] as const;
    if (due[0] === due[1] && classification[0] === classification[1]) continue;
    changes.push({
      dossierId: any.dossierId,
      dossierCode: any.dossierCode,
      procedureCode: any.procedureCode,
      due,
      classification,
    });
  }
  return changes;
}

/**
 * The unit's KPI report under calendar versions `versions[0]` and `versions[1]`, the figures that differ and the
 * dossiers whose due or classification differs. PROJ_UNKNOWN_CALENDAR_VERSION (naming it) for an unknown version.
 */
export async function compareUnitKpiCalendars(
  deps: ReportDeps,
  unitId: string,
  query: UnitKpiQuery,
  now: Date,
  versions: Pair<string>,
): Promise<CalendarComparison> {
  const calendars = [calendarOfVersion(versions[0]), calendarOfVersion(versions[1])] as const;
  const [a, b] = await unitKpiReportsUnderCalendars(deps, unitId, query, now, calendars);
  return {
    calendars: versions,
    reports: [a.report, b.report],
    changedFigures: changedFigures(a.report, b.report),
    changedDossiers: changedDossiers(a.dossiers, b.dossiers),
  };
}
