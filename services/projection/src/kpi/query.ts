/**
 * How the KPI queries read the read models. Two paths give the same figures:
 * - **aggregates** (the default: judged now, against the statutory due, whole local days): sums of
 *   `projection_unit_daily` / `projection_intake_daily`, plus one count over the unit's *open* dossier rows to
 *   split them into in time / overdue at the instant (their `overdue_from_ms`), so no ended dossier is read;
 * - **recomputed** (`asOf` in the past, `due=appointment`, or bounds inside a day): the dossiers received in the
 *   range are recomputed from their stored events up to `asOf` with `summarizeDossier` (evaluateClock), and
 *   summed with the same `contributionsOf` the handler uses. Cost grows with the dossiers in range.
 * Refusals and guidance have no dossier: on the recomputed path they are counted per whole day up to `asOf`'s day.
 */
import type { Catalog } from '@onestop/catalog';
import { type Calendar, type DueBasis, localDateOf, workingMsToDays } from '@onestop/domain';
import type { SqlParam, SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import {
  addCounts,
  contributionsOf,
  type IntakeCounts,
  type UnitCounts,
  zeroCounts,
} from '../read-model/contributions.js';
import { loadDossierEvents } from '../read-model/handler.js';
import { type DossierSummary, LateReasonJson, summarizeDossier } from '../read-model/summary.js';
import { INTAKE_COUNTERS, type ProjectionTables, UNIT_COUNTERS } from '../read-model/tables.js';
import type { Tally } from './figures.js';
import type { DrillItem as DrillItemSchema } from './schemas.js';

export interface Period {
  /** Inclusive, epoch ms. */
  readonly fromMs: number;
  /** Exclusive, epoch ms. */
  readonly toMs: number;
  readonly asOfMs: number;
}

export interface KpiScope extends Period {
  readonly unitIds: readonly string[];
  readonly due: DueBasis;
}

export interface ReadContext {
  readonly tx: SqlTransaction;
  readonly tables: ProjectionTables;
  readonly calendar: Calendar;
  readonly catalog: Catalog;
}

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;
const isLocalMidnight = (ms: number) => (ms + VN_OFFSET_MS) % DAY_MS === 0;
const dayOf = (ms: number) => localDateOf(new Date(ms));

/** The aggregates answer whole local days judged now against the statutory due; anything else is recomputed. */
export function usesAggregates(scope: KpiScope, nowMs: number): boolean {
  return (
    scope.due === 'statutory' &&
    scope.asOfMs >= nowMs &&
    isLocalMidnight(scope.fromMs) &&
    isLocalMidnight(scope.toMs)
  );
}

const num = z.union([z.number(), z.string(), z.bigint()]).transform(Number);
const numOrZero = num.nullable().transform((v) => v ?? 0);
const numOrNull = num.nullable();

function inList(values: readonly string[], offset: number): string {
  return values.map((_, i) => `$${offset + i + 1}`).join(', ');
}

/** Key of the one group when a tally is not split by procedure. */
const WHOLE = '';
// Row schemas at module level: one built per row would be built, and its fast path compiled, on every row.
const OpenRow = z.object({ grp: z.string().default(WHOLE), open: numOrZero, overdue: numOrZero });
const DossierIdRow = z.object({ dossier_id: z.string() });
const LateReasonsJson = z.array(LateReasonJson);

/** Sums of `names` over the unit's rows of whole days [fromDay, toDay), per procedure or as one group (WHOLE). */
async function sumCountersBy<K extends string>(
  ctx: ReadContext,
  table: string,
  names: readonly K[],
  unitColumn: string,
  unitIds: readonly string[],
  fromDay: string,
  toDay: string,
  byProcedure: boolean,
): Promise<Map<string, Record<K, number>>> {
  const out = new Map<string, Record<K, number>>();
  if (unitIds.length === 0) return byProcedure ? out : out.set(WHOLE, zeroCounts(names));
  const { rows } = await ctx.tx.query(
    `select ${byProcedure ? 'procedure_code as grp, ' : ''}${names.map((n) => `sum(${n}) as ${n}`).join(', ')}
       from ${table}
      where ${unitColumn} in (${inList(unitIds, 2)}) and day >= $1 and day < $2
      ${byProcedure ? 'group by procedure_code' : ''}`,
    [fromDay, toDay, ...unitIds],
  );
  for (const raw of rows) {
    const { grp, ...sums } = z
      .object({ grp: z.string().default(WHOLE) })
      .catchall(numOrZero)
      .parse(raw);
    const counts = zeroCounts(names);
    for (const name of names) counts[name] = sums[name] ?? 0;
    out.set(grp, counts);
  }
  return out;
}

async function sumCounters<K extends string>(
  ctx: ReadContext,
  table: string,
  names: readonly K[],
  unitColumn: string,
  unitIds: readonly string[],
  fromDay: string,
  toDay: string,
): Promise<Record<K, number>> {
  const sums = await sumCountersBy(ctx, table, names, unitColumn, unitIds, fromDay, toDay, false);
  return sums.get(WHOLE) ?? zeroCounts(names);
}

const zeroTally = (): Tally => ({
  counts: zeroCounts(UNIT_COUNTERS),
  intake: zeroCounts(INTAKE_COUNTERS),
  inTime: 0,
  overdue: 0,
});

/**
 * The tally of the scope, as one group (WHOLE) or per procedure code. Intake measures belong to the receiving
 * unit's day, not to a procedure: per procedure they stay 0.
 */
async function tallyFromAggregates(
  ctx: ReadContext,
  scope: KpiScope,
  byProcedure: boolean,
): Promise<Map<string, Tally>> {
  const fromDay = dayOf(scope.fromMs);
  const toDay = dayOf(scope.toMs);
  const counts = await sumCountersBy(
    ctx,
    ctx.tables.unitDaily,
    UNIT_COUNTERS,
    'competent_unit_id',
    scope.unitIds,
    fromDay,
    toDay,
    byProcedure,
  );
  const intake = byProcedure
    ? zeroCounts(INTAKE_COUNTERS)
    : await sumCounters(
        ctx,
        ctx.tables.intakeDaily,
        INTAKE_COUNTERS,
        'receiving_unit_id',
        scope.unitIds,
        fromDay,
        toDay,
      );
  const { rows } = await ctx.tx.query(
    `select ${byProcedure ? 'procedure_code as grp, ' : ''}count(*) as open,
            sum(case when overdue_from_ms is not null and overdue_from_ms < $3 then 1 else 0 end) as overdue
       from ${ctx.tables.dossiers}
      where ended_at_ms is null and received_day >= $1 and received_day < $2
        and competent_unit_id in (${inList(scope.unitIds, 3)})
      ${byProcedure ? 'group by procedure_code' : ''}`,
    [fromDay, toDay, scope.asOfMs, ...scope.unitIds],
  );
  const tallies = new Map<string, Tally>();
  for (const [grp, c] of counts) tallies.set(grp, { ...zeroTally(), counts: c, intake });
  for (const raw of rows) {
    const open = OpenRow.parse(raw);
    const tally = tallies.get(open.grp) ?? { ...zeroTally(), intake };
    tallies.set(open.grp, { ...tally, inTime: open.open - open.overdue, overdue: open.overdue });
  }
  return tallies;
}

/** Dossiers received in [from, to) by `asOf` whose competent or receiving unit is in scope, recomputed. */
export async function recomputeDossiers(
  ctx: ReadContext,
  scope: KpiScope,
  extra: { procedureCode?: string } = {},
): Promise<DossierSummary[]> {
  const units = inList(scope.unitIds, 2);
  const params: SqlParam[] = [scope.fromMs, Math.min(scope.toMs, scope.asOfMs + 1), ...scope.unitIds];
  const procedureFilter =
    extra.procedureCode === undefined ? '' : ` and procedure_code = $${params.push(extra.procedureCode)}`;
  const { rows } = await ctx.tx.query(
    `select dossier_id from ${ctx.tables.dossiers}
      where received_at_ms >= $1 and received_at_ms < $2
        and (competent_unit_id in (${units}) or receiving_unit_id in (${units}))${procedureFilter}
      order by received_at_ms, dossier_id`,
    params,
  );
  const ids = rows.map((row) => DossierIdRow.parse(row).dossier_id);
  const summaries: DossierSummary[] = [];
  for (const id of ids) {
    const events = await loadDossierEvents(ctx.tx, ctx.tables, id, scope.asOfMs);
    const summary = summarizeDossier(events, {
      calendar: ctx.calendar,
      catalog: ctx.catalog,
      asOf: new Date(scope.asOfMs),
      due: scope.due,
    });
    if (summary !== undefined) summaries.push(summary);
  }
  return summaries;
}

/** The tally of dossiers recomputed by `recomputeDossiers` for `scope`. */
async function tallyOfSummaries(
  ctx: ReadContext,
  scope: KpiScope,
  summaries: readonly DossierSummary[],
  byProcedure: boolean,
): Promise<Map<string, Tally>> {
  const inScope = new Set(scope.unitIds);
  const groups = new Map<string, { counts: UnitCounts; inTime: number; overdue: number }>();
  const intake: IntakeCounts = zeroCounts(INTAKE_COUNTERS);
  if (!byProcedure) groups.set(WHOLE, { counts: zeroCounts(UNIT_COUNTERS), inTime: 0, overdue: 0 });
  for (const summary of summaries) {
    const c = contributionsOf(summary);
    if (inScope.has(summary.competentUnitId)) {
      const key = byProcedure ? summary.procedureCode : WHOLE;
      const group = groups.get(key) ?? { counts: zeroCounts(UNIT_COUNTERS), inTime: 0, overdue: 0 };
      addCounts(UNIT_COUNTERS, group.counts, c.unitDaily.counts);
      if (summary.classification === 'in_time') group.inTime++;
      if (summary.classification === 'overdue') group.overdue++;
      groups.set(key, group);
    }
    if (!byProcedure && inScope.has(summary.receivingUnitId)) {
      addCounts(INTAKE_COUNTERS, intake, c.intakeDaily.counts);
    }
  }
  if (!byProcedure) {
    // Refusals and guidance are kept per day only: whole days up to and including asOf's day.
    const upTo = Math.min(scope.toMs, scope.asOfMs + DAY_MS);
    const others = await sumCounters(
      ctx,
      ctx.tables.intakeDaily,
      ['refused', 'guided'] as const,
      'receiving_unit_id',
      scope.unitIds,
      dayOf(scope.fromMs),
      dayOf(upTo),
    );
    intake.refused = others.refused;
    intake.guided = others.guided;
  }
  return new Map([...groups].map(([key, group]) => [key, { ...group, intake }]));
}

async function tallyRecomputed(
  ctx: ReadContext,
  scope: KpiScope,
  byProcedure: boolean,
): Promise<Map<string, Tally>> {
  return tallyOfSummaries(ctx, scope, await recomputeDossiers(ctx, scope), byProcedure);
}

/**
 * The unit's tally on the recomputed path whatever the scope (under `ctx.calendar`), with the dossiers it was
 * summed from that the unit is charged with: for comparing calendar versions, where the aggregates (built with
 * one calendar) cannot answer.
 */
export async function recomputedUnitTally(
  ctx: ReadContext,
  scope: KpiScope,
): Promise<{ tally: Tally; dossiers: DossierSummary[] }> {
  const summaries = await recomputeDossiers(ctx, scope);
  const tally = (await tallyOfSummaries(ctx, scope, summaries, false)).get(WHOLE) ?? zeroTally();
  const inScope = new Set(scope.unitIds);
  return { tally, dossiers: summaries.filter((d) => inScope.has(d.competentUnitId)) };
}

type Source = 'aggregates' | 'recomputed';

async function tallies(
  ctx: ReadContext,
  scope: KpiScope,
  nowMs: number,
  byProcedure: boolean,
): Promise<{ tallies: Map<string, Tally>; source: Source }> {
  return usesAggregates(scope, nowMs)
    ? { tallies: await tallyFromAggregates(ctx, scope, byProcedure), source: 'aggregates' }
    : { tallies: await tallyRecomputed(ctx, scope, byProcedure), source: 'recomputed' };
}

export async function unitTally(
  ctx: ReadContext,
  scope: KpiScope,
  nowMs: number,
): Promise<{ tally: Tally; source: Source }> {
  const whole = await tallies(ctx, scope, nowMs, false);
  return { tally: whole.tallies.get(WHOLE) ?? zeroTally(), source: whole.source };
}

/**
 * The same tally as `unitTally`, split by procedure code (only procedures with dossiers in scope); intake
 * measures are 0 per procedure. The procedures' counts sum to the unit's.
 */
export function procedureTallies(
  ctx: ReadContext,
  scope: KpiScope,
  nowMs: number,
): Promise<{ tallies: Map<string, Tally>; source: Source }> {
  return tallies(ctx, scope, nowMs, true);
}

export type DrillItem = z.infer<typeof DrillItemSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

function itemOf(d: DossierSummary): DrillItem {
  return {
    dossierId: d.dossierId,
    dossierCode: d.dossierCode,
    procedureCode: d.procedureCode,
    receivingUnitId: d.receivingUnitId,
    competentUnitId: d.competentUnitId,
    channel: d.channel,
    receivedAt: iso(d.receivedAtMs),
    startAt: iso(d.startMs),
    statutoryDueAt: iso(d.statutoryDueMs),
    appointmentDueAt: iso(d.appointmentDueMs),
    endedAt: d.endedAtMs === null ? null : iso(d.endedAtMs),
    nationalStatus: d.nationalStatus,
    classification: d.classification,
    elapsedWorkingDays: workingMsToDays(d.elapsedWorkingMs),
    apologyCount: d.apologyCount,
    lateReasons: [...d.lateReasons],
  };
}

const DrillRow = z.object({
  dossier_id: z.string(),
  dossier_code: z.string(),
  procedure_code: z.string(),
  receiving_unit_id: z.string(),
  competent_unit_id: z.string(),
  channel: z.string(),
  received_at_ms: num,
  start_ms: num,
  statutory_due_ms: num,
  appointment_due_ms: num,
  ended_at_ms: numOrNull,
  national_status: num,
  classification: z.string().nullable(),
  overdue_from_ms: numOrNull,
  elapsed_working_ms: num,
  apology_count: num,
  late_reasons: z.string(),
});

export interface DrillFilter {
  readonly classification?: string;
  readonly procedureCode?: string;
  readonly reason?: string;
}

/** The dossiers behind a figure, with their late reasons, oldest receipt first. */
export async function drillDown(
  ctx: ReadContext,
  scope: KpiScope,
  nowMs: number,
  filter: DrillFilter,
): Promise<{ items: DrillItem[]; source: 'aggregates' | 'recomputed' }> {
  let items: DrillItem[];
  let source: 'aggregates' | 'recomputed';
  if (usesAggregates(scope, nowMs)) {
    source = 'aggregates';
    const params: SqlParam[] = [dayOf(scope.fromMs), dayOf(scope.toMs), ...scope.unitIds];
    const procedureFilter =
      filter.procedureCode === undefined ? '' : ` and procedure_code = $${params.push(filter.procedureCode)}`;
    const { rows } = await ctx.tx.query(
      `select dossier_id, dossier_code, procedure_code, receiving_unit_id, competent_unit_id, channel,
              received_at_ms, start_ms, statutory_due_ms, appointment_due_ms, ended_at_ms, national_status,
              classification, overdue_from_ms, elapsed_working_ms, apology_count, late_reasons
         from ${ctx.tables.dossiers}
        where received_day >= $1 and received_day < $2
          and competent_unit_id in (${inList(scope.unitIds, 2)})${procedureFilter}
        order by received_at_ms, dossier_id`,
      params,
    );
    items = rows.map((raw) => {
      const r = DrillRow.parse(raw);
      const open = r.ended_at_ms === null;
      const overdue = open && r.overdue_from_ms !== null && r.overdue_from_ms < scope.asOfMs;
      return {
        dossierId: r.dossier_id,
        dossierCode: r.dossier_code,
        procedureCode: r.procedure_code,
        receivingUnitId: r.receiving_unit_id,
        competentUnitId: r.competent_unit_id,
        channel: r.channel,
        receivedAt: iso(r.received_at_ms),
        startAt: iso(r.start_ms),
        statutoryDueAt: iso(r.statutory_due_ms),
        appointmentDueAt: iso(r.appointment_due_ms),
        endedAt: r.ended_at_ms === null ? null : iso(r.ended_at_ms),
        nationalStatus: r.national_status,
        classification: open ? (overdue ? 'overdue' : 'in_time') : (r.classification ?? 'late'),
        elapsedWorkingDays: workingMsToDays(r.elapsed_working_ms),
        apologyCount: r.apology_count,
        lateReasons: LateReasonsJson.parse(JSON.parse(r.late_reasons)),
      };
    });
  } else {
    source = 'recomputed';
    const inScope = new Set(scope.unitIds);
    const extra = filter.procedureCode === undefined ? {} : { procedureCode: filter.procedureCode };
    items = (await recomputeDossiers(ctx, scope, extra))
      .filter((d) => inScope.has(d.competentUnitId))
      .map(itemOf);
  }
  return {
    source,
    items: items.filter(
      (item) =>
        (filter.classification === undefined || item.classification === filter.classification) &&
        (filter.reason === undefined || item.lateReasons.some((r) => r.kind === filter.reason)),
    ),
  };
}
