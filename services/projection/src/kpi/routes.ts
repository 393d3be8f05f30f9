/**
 * `GET /v1/kpi/units` (every competent unit side by side), `GET /v1/kpi/units/{unitId}` (figures and 766 points),
 * `.../procedures` (split by procedure), `.../dossiers` (drill-down), `.../series`, and
 * `GET /v1/kpi/procedures/{code}`. See `query.ts` for when figures come from
 * the aggregates and when the dossiers are recomputed as of an instant.
 */
import { localDateOf, workingMsToDays } from '@onestop/domain';
import { type App, authOf } from '@onestop/service-kit';
import { z } from 'zod';
import { readsAnyUnit, requireReader, requireUnitReader } from '../access.js';
import type { ProjectionDeps } from '../app.js';
import { zeroCounts } from '../read-model/contributions.js';
import { UNIT_COUNTERS } from '../read-model/tables.js';
import { competentUnits } from '../report/model.js';
import { iso, PeriodQuery, resolvePeriod, UnitIdParam } from './params.js';
import { drillDown, type KpiScope, type ReadContext } from './query.js';
import { readProjection, unitKpiReport, unitProcedureKpiReport, unitsOf } from './report.js';
import {
  DrillDownResponse,
  ProcedureKpiResponse,
  SeriesResponse,
  UnitKpiResponse,
  UnitProceduresResponse,
  UnitsKpiResponse,
} from './schemas.js';

const num = z.union([z.number(), z.string(), z.bigint()]).transform(Number);
const numOrZero = num.nullable().transform((v) => v ?? 0);
// Row schemas at module level: built per row, each would also compile its fast path on every row.
const ElapsedRow = z.object({ elapsed_working_ms: num });
const UnitCountersRow = z.object({ competent_unit_id: z.string() }).catchall(numOrZero);

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

const dayOf = (ms: number) => localDateOf(new Date(ms));

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}

export async function registerKpiRoutes(app: App, deps: ProjectionDeps): Promise<void> {
  const read = <T>(work: (ctx: ReadContext) => Promise<T>) => readProjection(deps, work);

  app.get(
    '/v1/kpi/units',
    {
      preHandler: requireReader,
      schema: {
        summary: 'KPIs of every competent unit, side by side',
        description:
          'The figures of `GET /v1/kpi/units/{unitId}` for the same parameters, one row per competent unit in ' +
          'registry order (the units procedures name competent, merged ones under their successor): the ' +
          'analyst’s comparison table. Analysts and admins read every unit, leaders and specialists their own.',
        querystring: PeriodQuery,
        response: { 200: UnitsKpiResponse },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const now = deps.clock.now();
      const all = competentUnits(deps.catalog);
      const readable = readsAnyUnit(auth) ? all : all.filter((unit) => unit.id === auth.unitId);
      const units = [];
      for (const unit of readable) {
        const report = await unitKpiReport(deps, unit.id, request.query, now);
        units.push({ ...report, code: unit.code, name: unit.name, kind: unit.kind });
      }
      const period = resolvePeriod(request.query, now);
      return {
        rollup: request.query.rollup,
        due: request.query.due,
        from: iso(period.fromMs),
        to: iso(period.toMs),
        asOf: iso(period.asOfMs),
        units,
      };
    },
  );

  app.get(
    '/v1/kpi/units/:unitId',
    {
      preHandler: requireReader,
      schema: {
        summary: 'KPIs of a competent unit',
        description:
          'Dossiers received in [from, to) by the unit as competent unit, judged as of asOf (default now) against ' +
          'the statutory or appointment due; Decision 766 points; intake measures of the unit as receiving ' +
          'unit. Analysts and admins read any unit, leaders and specialists their own.',
        params: UnitIdParam,
        querystring: PeriodQuery,
        response: { 200: UnitKpiResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      unitsOf(deps.catalog, unitId, request.query.rollup);
      requireUnitReader(request, deps.catalog, [unitId]);
      return unitKpiReport(deps, unitId, request.query, deps.clock.now());
    },
  );

  app.get(
    '/v1/kpi/units/:unitId/procedures',
    {
      preHandler: requireReader,
      schema: {
        summary: 'KPIs of a competent unit per procedure',
        description:
          'The figures of `GET /v1/kpi/units/{unitId}` for the same parameters, split by procedure (the ' +
          'procedures with dossiers in scope; their counts sum to the unit figures). Intake measures are kept ' +
          'per receiving unit only and are not split.',
        params: UnitIdParam,
        querystring: PeriodQuery,
        response: { 200: UnitProceduresResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      unitsOf(deps.catalog, unitId, request.query.rollup);
      requireUnitReader(request, deps.catalog, [unitId]);
      return unitProcedureKpiReport(deps, unitId, request.query, deps.clock.now());
    },
  );

  app.get(
    '/v1/kpi/units/:unitId/dossiers',
    {
      preHandler: requireReader,
      schema: {
        summary: 'The dossiers behind a unit figure',
        description:
          'Drill-down of `GET /v1/kpi/units/{unitId}`: the dossiers in scope, filtered by classification, ' +
          'procedure and late-reason kind, each with its dues, end and late reasons. Oldest receipt first.',
        params: UnitIdParam,
        querystring: PeriodQuery.extend({
          classification: z.enum(['early', 'on_time', 'late', 'in_time', 'overdue']).optional(),
          procedure: z
            .string()
            .regex(/^\d\.\d{6}$/, 'expected a procedure code like 1.004227')
            .optional(),
          reason: z
            .enum([
              'step_over_budget',
              'second_supplement_request',
              'apology_after_due',
              'overdue_at_end',
              'paused',
            ])
            .optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: DrillDownResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      const q = request.query;
      const units = unitsOf(deps.catalog, unitId, q.rollup);
      requireUnitReader(request, deps.catalog, [unitId]);
      const now = deps.clock.now();
      const period = resolvePeriod(q, now);
      const scope: KpiScope = { ...period, unitIds: units, due: q.due };
      const { items, source } = await read((ctx) =>
        drillDown(ctx, scope, now.getTime(), {
          ...(q.classification === undefined ? {} : { classification: q.classification }),
          ...(q.procedure === undefined ? {} : { procedureCode: q.procedure }),
          ...(q.reason === undefined ? {} : { reason: q.reason }),
        }),
      );
      const start = (q.page - 1) * q.pageSize;
      return {
        unitId,
        units,
        from: iso(period.fromMs),
        to: iso(period.toMs),
        asOf: iso(period.asOfMs),
        due: q.due,
        source,
        total: items.length,
        page: q.page,
        pageSize: q.pageSize,
        items: items.slice(start, start + q.pageSize),
      };
    },
  );

  app.get(
    '/v1/kpi/units/:unitId/series',
    {
      preHandler: requireReader,
      schema: {
        summary: 'A unit figure over time',
        description:
          'Received, ended, early, on time and late per local day or month of receipt (from the daily ' +
          'aggregates, as they stand now, statutory due).',
        params: UnitIdParam,
        querystring: PeriodQuery.pick({ from: true, to: true, rollup: true }).extend({
          granularity: z.enum(['day', 'month']).default('day'),
        }),
        response: { 200: SeriesResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      const q = request.query;
      const units = unitsOf(deps.catalog, unitId, q.rollup);
      requireUnitReader(request, deps.catalog, [unitId]);
      const period = resolvePeriod(q, deps.clock.now());
      const width = q.granularity === 'day' ? 10 : 7;
      const { rows } = await read((ctx) =>
        ctx.tx.query(
          `select substr(day, 1, ${width}) as period, sum(received) as received, sum(ended) as ended,
                  sum(early) as early, sum(on_time) as on_time, sum(late) as late, sum(elapsed_ms) as elapsed_ms
             from ${ctx.tables.unitDaily}
            where day >= $1 and day < $2 and competent_unit_id in (${units.map((_, i) => `$${i + 3}`).join(', ')})
            group by substr(day, 1, ${width})
            order by period`,
          [dayOf(period.fromMs), dayOf(period.toMs), ...units],
        ),
      );
      const Row = z.object({
        period: z.string(),
        received: numOrZero,
        ended: numOrZero,
        early: numOrZero,
        on_time: numOrZero,
        late: numOrZero,
        elapsed_ms: numOrZero,
      });
      return {
        unitId,
        units,
        granularity: q.granularity,
        from: iso(period.fromMs),
        to: iso(period.toMs),
        points: rows.map((raw) => {
          const r = Row.parse(raw);
          return {
            period: r.period,
            received: r.received,
            ended: r.ended,
            early: r.early,
            onTime: r.on_time,
            late: r.late,
            onTimeRate: ratio(r.early + r.on_time, r.ended),
            avgElapsedWorkingDays: r.ended === 0 ? null : workingMsToDays(r.elapsed_ms / r.ended),
          };
        }),
      };
    },
  );

  app.get(
    '/v1/kpi/procedures/:code',
    {
      preHandler: requireReader,
      schema: {
        summary: 'KPIs of a procedure',
        description:
          'Counts, on-time rate, and average / p50 / p90 elapsed working days (2.2) of the dossiers of a ' +
          'procedure received in [from, to), per competent unit as it stands now. Analysts and admins see every ' +
          'unit (or `unitId`), leaders and specialists their own unit.',
        params: z.object({
          code: z.string().regex(/^\d\.\d{6}$/, 'expected a procedure code like 1.004227'),
        }),
        querystring: PeriodQuery.pick({ from: true, to: true }).extend({
          unitId: z.string().min(1).max(64).optional(),
        }),
        response: { 200: ProcedureKpiResponse },
      },
    },
    async (request) => {
      const { code } = request.params;
      const q = request.query;
      const procedure = deps.catalog.procedure(code);
      const auth = authOf(request);
      const unitId = readsAnyUnit(auth) ? q.unitId : (q.unitId ?? auth.unitId);
      const units = unitId === undefined ? undefined : unitsOf(deps.catalog, unitId, 'current');
      if (unitId !== undefined) requireUnitReader(request, deps.catalog, [unitId]);
      const period = resolvePeriod(q, deps.clock.now());
      const params = [code, dayOf(period.fromMs), dayOf(period.toMs), ...(units ?? [])];
      const unitFilter =
        units === undefined
          ? ''
          : ` and competent_unit_id in (${units.map((_, i) => `$${i + 4}`).join(', ')})`;
      const { perUnit, elapsed } = await read(async (ctx) => ({
        perUnit: (
          await ctx.tx.query(
            `select competent_unit_id, ${UNIT_COUNTERS.map((c) => `sum(${c}) as ${c}`).join(', ')}
               from ${ctx.tables.unitDaily}
              where procedure_code = $1 and day >= $2 and day < $3${unitFilter}
              group by competent_unit_id order by competent_unit_id`,
            params,
          )
        ).rows,
        elapsed: (
          await ctx.tx.query(
            `select elapsed_working_ms from ${ctx.tables.dossiers}
              where procedure_code = $1 and received_day >= $2 and received_day < $3
                and ended_at_ms is not null${unitFilter}
              order by elapsed_working_ms`,
            params,
          )
        ).rows.map((row) => ElapsedRow.parse(row).elapsed_working_ms),
      }));
      const totals = zeroCounts(UNIT_COUNTERS);
      const byUnit = perUnit.map((raw) => {
        const row = UnitCountersRow.parse(raw);
        for (const c of UNIT_COUNTERS) totals[c] += row[c] ?? 0;
        const ended = row.ended ?? 0;
        return {
          unitId: row.competent_unit_id,
          received: row.received ?? 0,
          ended,
          late: row.late ?? 0,
          onTimeRate: ratio((row.early ?? 0) + (row.on_time ?? 0), ended),
        };
      });
      const days = (ms: number | null) => (ms === null ? null : workingMsToDays(ms));
      return {
        procedureCode: code,
        name: procedure.name,
        limit: procedure.limit,
        from: iso(period.fromMs),
        to: iso(period.toMs),
        received: totals.received,
        ended: totals.ended,
        early: totals.early,
        onTime: totals.on_time,
        late: totals.late,
        onTimeRate: ratio(totals.early + totals.on_time, totals.ended),
        avgElapsedWorkingDays: totals.ended === 0 ? null : workingMsToDays(totals.elapsed_ms / totals.ended),
        p50ElapsedWorkingDays: days(percentile(elapsed, 0.5)),
        p90ElapsedWorkingDays: days(percentile(elapsed, 0.9)),
        byUnit,
      };
    },
  );
}
