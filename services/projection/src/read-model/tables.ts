/**
 * The projection's tables. One SQL text serves PostgreSQL (stack mode: the Kafka consumer's transaction, or the
 * PostgreSQL store's) and SQLite (embedded mode: the embedded store's transaction): `$n` placeholders, `text`,
 * `integer` and `bigint` columns only (instants are epoch milliseconds, flags 0/1, JSON as text), `on conflict`
 * upserts with a table alias, no arrays, no dialect-only functions.
 */
import type { SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { feedbackDdl } from '../feedback/tables.js';

/** A database that runs work in one transaction: the PostgreSQL and the embedded event stores both are one. */
export interface ProjectionDatabase {
  /** The PostgreSQL schema of the read models; absent for SQLite (one file) or when `search_path` points there. */
  readonly schema?: string;
  withTransaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

export interface ProjectionTables {
  readonly dossiers: string;
  readonly events: string;
  readonly unitDaily: string;
  readonly intakeDaily: string;
  readonly officerSteps: string;
  /** Feedback (PAKN) items, one row each (`feedback/tables.ts`). */
  readonly feedback: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The first generation of the read models, and the one a fresh database starts with. A replay builds the next
 * (`projection_g2`, `projection_g3`, …) beside the live one and switches over when caught up (blue-green).
 */
export const FIRST_GENERATION = 'projection';
const GENERATION_NAME = /^projection(_g[1-9][0-9]{0,8})?$/;

export function isGenerationName(name: string): boolean {
  return GENERATION_NAME.test(name);
}

function qualify(schema: string | undefined): (table: string) => string {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`unexpected schema name ${JSON.stringify(schema)}`);
  }
  return (table) => (schema === undefined ? table : `"${schema}".${table}`);
}

/**
 * Table names of one generation (default the first: `projection_dossiers`, …), qualified by `schema` when one
 * is given (a PostgreSQL identifier, validated).
 */
export function projectionTables(schema?: string, generation: string = FIRST_GENERATION): ProjectionTables {
  if (!isGenerationName(generation)) {
    throw new Error(`unexpected projection generation ${JSON.stringify(generation)}`);
  }
  const name = qualify(schema);
  return {
    dossiers: name(`${generation}_dossiers`),
    events: name(`${generation}_events`),
    unitDaily: name(`${generation}_unit_daily`),
    intakeDaily: name(`${generation}_intake_daily`),
    officerSteps: name(`${generation}_officer_steps`),
    feedback: name(`${generation}_feedback`),
  };
}

/** The bookkeeping of generations: which one is live, and the rebuild in progress (if any). */
export interface GenerationTables {
  /** One row (id 1): the live generation and the calendar version it was built with. */
  readonly active: string;
  /** Rebuilds not yet switched over: their generation, calendar, and resume checkpoint. */
  readonly rebuilds: string;
}

export function generationTables(schema?: string): GenerationTables {
  const name = qualify(schema);
  return { active: name('projection_active'), rebuilds: name('projection_rebuilds') };
}

/** Counters of `projection_unit_daily`, per (competent unit, local day of receipt, procedure). */
export const UNIT_COUNTERS = [
  'received',
  'ended',
  'early',
  'on_time',
  'late',
  'late_with_apology',
  'late_without_apology',
  'second_supplement_late',
  'decided',
  'stopped',
  'withdrawn',
  'extended',
  'elapsed_ms',
  'digitized',
  'components_digitized',
  'reused',
  'online',
  'fee_due',
  'paid_online',
  'result_expected',
  'electronic_result',
  'rated',
  'dissatisfied',
] as const;
export type UnitCounter = (typeof UNIT_COUNTERS)[number];

/** Counters of `projection_intake_daily`, per (receiving unit, local day). */
export const INTAKE_COUNTERS = [
  'received',
  'refused',
  'guided',
  'cross_boundary',
  'transferred',
  'transfer_latency_ms',
] as const;
export type IntakeCounter = (typeof INTAKE_COUNTERS)[number];

/** Counters of `projection_officer_steps`, per (competent unit, officer, step). */
export const STEP_COUNTERS = ['done', 'late', 'working_ms'] as const;
export type StepCounter = (typeof STEP_COUNTERS)[number];

const counterColumns = (names: readonly string[]) =>
  names.map((n) => `${n} bigint not null default 0`).join(',\n  ');

/** The DDL of one generation's tables (index names carry the generation: SQLite's are global to the file). */
export function generationDdl(t: ProjectionTables, generation: string): string[] {
  // Index names are not qualified: PostgreSQL creates an index in its table's schema.
  return [
    `create table if not exists ${t.events} (
  event_id text primary key,
  dossier_id text not null,
  seq integer not null,
  type text not null,
  source text not null,
  occurred_at_ms bigint not null,
  body text not null
)`,
    `create index if not exists ${generation}_events_by_dossier on ${t.events} (dossier_id, seq)`,
    `create table if not exists ${t.dossiers} (
  dossier_id text primary key,
  dossier_code text not null,
  procedure_code text not null,
  procedure_version text not null,
  receiving_unit_id text not null,
  competent_unit_id text not null,
  returning_unit_id text,
  channel text not null,
  cross_boundary integer not null,
  received_at_ms bigint not null,
  received_day text not null,
  national_status integer not null,
  start_ms bigint not null,
  statutory_due_ms bigint not null,
  appointment_due_ms bigint not null,
  paused_ms bigint not null,
  ended_at_ms bigint,
  ended_by text,
  decided_outcome text,
  elapsed_working_ms bigint not null,
  classification text,
  overdue_from_ms bigint,
  late_reasons text not null,
  all_required_digitized integer not null,
  any_reused integer not null,
  electronic_result integer not null,
  digitized integer not null,
  paid_online integer not null,
  has_fee integer not null,
  rating integer,
  apology_count integer not null,
  late_apology integer not null,
  second_supplement integer not null,
  transferred_at_ms bigint,
  last_event_ms bigint not null,
  contributions text not null
)`,
    `create index if not exists ${generation}_dossiers_by_unit_day on ${t.dossiers} (competent_unit_id, received_day)`,
    `create index if not exists ${generation}_dossiers_by_procedure on ${t.dossiers} (procedure_code, received_day)`,
    // The KPI query counts a unit's open dossiers (in time / overdue now) without visiting its ended ones.
    `create index if not exists ${generation}_dossiers_open_by_unit_day on ${t.dossiers}
  (competent_unit_id, received_day, overdue_from_ms) where ended_at_ms is null`,
    `create table if not exists ${t.unitDaily} (
  competent_unit_id text not null,
  day text not null,
  procedure_code text not null,
  ${counterColumns(UNIT_COUNTERS)},
  primary key (competent_unit_id, day, procedure_code)
)`,
    `create table if not exists ${t.intakeDaily} (
  receiving_unit_id text not null,
  day text not null,
  ${counterColumns(INTAKE_COUNTERS)},
  primary key (receiving_unit_id, day)
)`,
    `create table if not exists ${t.officerSteps} (
  competent_unit_id text not null,
  officer_id text not null,
  step_id text not null,
  ${counterColumns(STEP_COUNTERS)},
  primary key (competent_unit_id, officer_id, step_id)
)`,
    ...feedbackDdl(t.feedback, generation),
  ];
}

/** Drops one generation's tables (with their indexes). */
export function dropGenerationDdl(t: ProjectionTables): string[] {
  return [t.events, t.dossiers, t.unitDaily, t.intakeDaily, t.officerSteps, t.feedback].map(
    (table) => `drop table if exists ${table}`,
  );
}

function bookkeepingDdl(g: GenerationTables): string[] {
  return [
    `create table if not exists ${g.active} (
  id integer primary key,
  generation text not null,
  calendar_version text,
  switched_at_ms bigint not null
)`,
    `insert into ${g.active} (id, generation, calendar_version, switched_at_ms)
     values (1, '${FIRST_GENERATION}', null, 0) on conflict (id) do nothing`,
    `create table if not exists ${g.rebuilds} (
  generation text primary key,
  calendar_version text not null,
  started_at_ms bigint not null,
  events_read bigint not null,
  skipped bigint not null,
  rejected bigint not null,
  checkpoint text
)`,
  ];
}

const ActiveRow = z.object({ generation: z.string().refine(isGenerationName) });

/**
 * Creates the bookkeeping and the live generation's tables and indexes if missing (idempotent; run at start-up
 * by the runner and by `registerProjection`).
 */
export async function migrateProjection(db: ProjectionDatabase): Promise<void> {
  const bookkeeping = generationTables(db.schema);
  await db.withTransaction(async (tx) => {
    for (const statement of bookkeepingDdl(bookkeeping)) await tx.query(statement);
    const { rows } = await tx.query(`select generation from ${bookkeeping.active} where id = 1`);
    const { generation } = ActiveRow.parse(rows[0]);
    for (const statement of generationDdl(projectionTables(db.schema, generation), generation)) {
      await tx.query(statement);
    }
  });
}
