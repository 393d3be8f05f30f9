/**
 * The projection's one event handler, `(event, tx)`: the runner wires it to the Kafka consumer (stack mode) or
 * to the store consumer (embedded mode) and commits its effects with the consumer's position. On each event it
 * stores the event, recomputes the dossier from all its stored events (cheap: a dossier has tens of events)
 * and moves the aggregates by the difference between the dossier's new and old contributions. A redelivered
 * event (same id) changes nothing.
 */
import type { Catalog } from '@onestop/catalog';
import {
  type Calendar,
  type DossierEvent,
  localDateOf,
  parseDossierEvent,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import type { EventHandler, SqlParam, SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { type Contributions, contributionsOf, StoredContributions } from './contributions.js';
import { activeGeneration, calendarOfGeneration } from './generations.js';
import { type DossierSummary, summarizeDossier } from './summary.js';
import {
  INTAKE_COUNTERS,
  type ProjectionTables,
  projectionTables,
  STEP_COUNTERS,
  UNIT_COUNTERS,
} from './tables.js';

export interface ProjectionOptions {
  readonly catalog: Catalog;
  /** Default: the Vietnamese civil-service calendar. */
  readonly calendar?: Calendar;
  /** Qualify table names with this PostgreSQL schema (omit for SQLite, or when `search_path` points there). */
  readonly schema?: string;
  /**
   * Write into this generation's tables, with `calendar` (a replay building the next generation). Absent: the
   * live generation, looked up in each event's transaction, with the calendar it was built with.
   */
  readonly generation?: string;
}

const SeqRow = z.object({ seq: z.union([z.number(), z.string()]).transform(Number).nullable() });
const EventBodyRow = z.object({ body: z.string() });
const ContributionsRow = z.object({ contributions: z.string() });

/** Loads a dossier's stored events in arrival order, parsed (and upcast) by the catalogue. */
export async function loadDossierEvents(
  tx: SqlTransaction,
  tables: ProjectionTables,
  dossierId: string,
  upToMs?: number,
): Promise<DossierEvent[]> {
  const { rows } = await tx.query(
    upToMs === undefined
      ? `select body from ${tables.events} where dossier_id = $1 order by seq`
      : `select body from ${tables.events} where dossier_id = $1 and occurred_at_ms <= $2 order by seq`,
    upToMs === undefined ? [dossierId] : [dossierId, upToMs],
  );
  return rows.map((row) => parseDossierEvent(JSON.parse(EventBodyRow.parse(row).body)));
}

interface Bump {
  readonly key: Readonly<Record<string, string>>;
  readonly counts: Readonly<Record<string, number>>;
}

/** Sums `entries` per key (old contributions with sign −1, new with +1), dropping keys whose delta is all 0. */
function deltas(entries: ReadonlyArray<{ bump: Bump; sign: number }>): Bump[] {
  const byKey = new Map<string, { key: Bump['key']; counts: Record<string, number> }>();
  for (const { bump, sign } of entries) {
    const id = JSON.stringify(Object.entries(bump.key).sort());
    const entry = byKey.get(id) ?? { key: bump.key, counts: {} };
    for (const [name, value] of Object.entries(bump.counts)) {
      entry.counts[name] = (entry.counts[name] ?? 0) + sign * value;
    }
    byKey.set(id, entry);
  }
  return [...byKey.values()].filter((e) => Object.values(e.counts).some((v) => v !== 0));
}

async function applyBumps(
  tx: SqlTransaction,
  table: string,
  keyColumns: readonly string[],
  counterColumns: readonly string[],
  bumps: readonly Bump[],
): Promise<void> {
  const columns = [...keyColumns, ...counterColumns];
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const sql = `insert into ${table} as a (${columns.join(', ')}) values (${placeholders})
    on conflict (${keyColumns.join(', ')}) do update set
    ${counterColumns.map((c) => `${c} = a.${c} + excluded.${c}`).join(', ')}`;
  for (const bump of bumps) {
    await tx.query(sql, [
      ...keyColumns.map((c) => bump.key[c] ?? ''),
      ...counterColumns.map((c) => bump.counts[c] ?? 0),
    ]);
  }
}

interface Bumps {
  readonly unit: Bump[];
  readonly intake: Bump[];
  readonly steps: Bump[];
}

function bumpsOf(c: Contributions | StoredContributions): Bumps {
  return { unit: [c.unitDaily], intake: [c.intakeDaily], steps: [...c.officerSteps] };
}

const flag = (value: boolean) => (value ? 1 : 0);

function rowValues(d: DossierSummary, contributions: Contributions): Record<string, SqlParam> {
  const ended = d.endedAtMs !== null;
  return {
    dossier_id: d.dossierId,
    dossier_code: d.dossierCode,
    procedure_code: d.procedureCode,
    procedure_version: d.procedureVersion,
    receiving_unit_id: d.receivingUnitId,
    competent_unit_id: d.competentUnitId,
    returning_unit_id: d.returningUnitId,
    channel: d.channel,
    cross_boundary: flag(d.crossBoundary),
    received_at_ms: d.receivedAtMs,
    received_day: d.receivedDay,
    national_status: d.nationalStatus,
    start_ms: d.startMs,
    statutory_due_ms: d.statutoryDueMs,
    appointment_due_ms: d.appointmentDueMs,
    paused_ms: d.pausedMs,
    ended_at_ms: d.endedAtMs,
    ended_by: d.endedBy,
    decided_outcome: d.decidedOutcome,
    elapsed_working_ms: d.elapsedWorkingMs,
    classification: ended ? d.classification : null,
    overdue_from_ms: d.overdueFromMs,
    late_reasons: JSON.stringify(d.lateReasons),
    all_required_digitized: flag(d.allRequiredDigitized),
    any_reused: flag(d.anyReused),
    electronic_result: flag(d.electronicResult),
    digitized: flag(d.digitized),
    paid_online: flag(d.paidOnline),
    has_fee: flag(d.hasFee),
    rating: d.rating,
    apology_count: d.apologyCount,
    late_apology: flag(d.lateApology),
    second_supplement: flag(d.secondSupplement),
    transferred_at_ms: d.transferredAtMs,
    last_event_ms: d.lastEventMs,
    contributions: JSON.stringify(contributions),
  };
}

async function upsertDossier(tx: SqlTransaction, table: string, values: Record<string, SqlParam>) {
  const columns = Object.keys(values);
  await tx.query(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     on conflict (dossier_id) do update set
     ${columns
       .filter((c) => c !== 'dossier_id')
       .map((c) => `${c} = excluded.${c}`)
       .join(', ')}`,
    Object.values(values),
  );
}

/** Intake figures of events that never make a received dossier: refusals (Form 03) and guidance (Form 02). */
function intakeOnly(event: DossierEvent): Bump | undefined {
  if (event.type !== 'DossierRefused' && event.type !== 'GuidanceGiven') return undefined;
  return {
    key: {
      receiving_unit_id: event.data.receivingUnitId,
      day: localDateOf(new Date(event.occurredAt)),
    },
    counts: event.type === 'DossierRefused' ? { refused: 1 } : { guided: 1 },
  };
}

/** `(event, tx) => Promise<void>` for `startKafkaConsumer` / `startStoreConsumer` (tables from `migrateProjection`). */
export function createProjectionHandler(options: ProjectionOptions): EventHandler<DossierEvent> {
  const fallback = options.calendar ?? vnCivilServiceCalendar;
  const fixed =
    options.generation === undefined ? undefined : projectionTables(options.schema, options.generation);
  const target = async (tx: SqlTransaction) => {
    if (fixed !== undefined) return { tables: fixed, calendar: fallback };
    const active = await activeGeneration(tx, options.schema);
    return { tables: active.tables, calendar: calendarOfGeneration(active, fallback) };
  };
  return async (event, tx) => {
    const { tables, calendar } = await target(tx);
    const last = SeqRow.parse(
      (
        await tx.query(`select max(seq) as seq from ${tables.events} where dossier_id = $1`, [
          event.dossierId,
        ])
      ).rows[0] ?? { seq: null },
    );
    const inserted = await tx.query(
      `insert into ${tables.events} (event_id, dossier_id, seq, type, source, occurred_at_ms, body)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id) do nothing`,
      [
        event.eventId,
        event.dossierId,
        (last.seq ?? 0) + 1,
        event.type,
        event.source,
        Date.parse(event.occurredAt),
        JSON.stringify(event),
      ],
    );
    if (inserted.rowCount === 0) return;

    const direct = intakeOnly(event);
    if (direct) {
      await applyBumps(tx, tables.intakeDaily, ['receiving_unit_id', 'day'], INTAKE_COUNTERS, [direct]);
    }

    const events = await loadDossierEvents(tx, tables, event.dossierId);
    const latest = Math.max(...events.map((e) => Date.parse(e.occurredAt)));
    const summary = summarizeDossier(events, { calendar, catalog: options.catalog, asOf: new Date(latest) });
    const oldRow = (
      await tx.query(`select contributions from ${tables.dossiers} where dossier_id = $1`, [event.dossierId])
    ).rows[0];
    const before =
      oldRow === undefined
        ? undefined
        : StoredContributions.parse(JSON.parse(ContributionsRow.parse(oldRow).contributions));
    if (summary === undefined && before === undefined) return;

    const after = summary === undefined ? undefined : contributionsOf(summary);
    const entries = (pick: (b: Bumps) => Bump[]) => [
      ...(before ? pick(bumpsOf(before)).map((bump) => ({ bump, sign: -1 })) : []),
      ...(after ? pick(bumpsOf(after)).map((bump) => ({ bump, sign: 1 })) : []),
    ];
    await applyBumps(
      tx,
      tables.unitDaily,
      ['competent_unit_id', 'day', 'procedure_code'],
      UNIT_COUNTERS,
      deltas(entries((b) => b.unit)),
    );
    await applyBumps(
      tx,
      tables.intakeDaily,
      ['receiving_unit_id', 'day'],
      INTAKE_COUNTERS,
      deltas(entries((b) => b.intake)),
    );
    await applyBumps(
      tx,
      tables.officerSteps,
      ['competent_unit_id', 'officer_id', 'step_id'],
      STEP_COUNTERS,
      deltas(entries((b) => b.steps)),
    );
    if (summary === undefined || after === undefined) {
      await tx.query(`delete from ${tables.dossiers} where dossier_id = $1`, [event.dossierId]);
    } else {
      await upsertDossier(tx, tables.dossiers, rowValues(summary, after));
    }
  };
}
