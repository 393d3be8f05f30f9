/**
 * The projection's event handling, one code path for the live consumer and the replay. The live handler,
 * `(event, tx)`, is wired by the runner to the Kafka consumer (stack mode) or to the store consumer (embedded
 * mode) and commits its effects with the consumer's position; the replay applies whole batches of the log with
 * an `EventBatch`, page by page. Either way, for the events of a batch (one, for the live handler):
 * - each new event is stored once (a redelivered event id changes nothing) after its dossier's last `seq`;
 * - each dossier the batch touched is recomputed once, from all its events, as of its latest event;
 * - the aggregates move by the difference between the dossiers' new and old contributions (summed over the
 *   batch per aggregate row), and a row whose counters all fall to 0 is deleted, so the tables do not depend on
 *   how the log was cut into batches: the rows after a batch equal the rows after its events one by one.
 * Writes are multi-row statements (`bulk-sql.ts`), or COPY for a replay's new events; the two callers differ
 * only in that. The replay keeps recently touched dossiers' events in a bounded cache (`DossierCache`) so it
 * does not read back and re-parse what it has just written.
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
import { applyFeedbackBatch } from '../feedback/apply.js';
import {
  type BulkColumn,
  canCopy,
  copyData,
  copyRows,
  deleteWhereKeys,
  detectDialect,
  insertRows,
  type SqlDialect,
  selectWhereIn,
} from './bulk-sql.js';
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
import { trustedEvent } from './trusted.js';

export type { SqlDialect } from './bulk-sql.js';

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
  /** The database's dialect; absent: asked of the first transaction (`detectDialect`). */
  readonly dialect?: SqlDialect;
}

const EventBodyRow = z.object({ body: z.string() });
const DossierEventRow = z.object({
  dossier_id: z.string(),
  seq: z.union([z.number(), z.string()]).transform(Number),
  body: z.string(),
});
const ContributionsRow = z.object({ dossier_id: z.string(), contributions: z.string() });
const EventIdRow = z.object({ event_id: z.string() });

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

/** What the tables hold of one dossier: its events in `seq` order and the contributions of its row. */
interface DossierState {
  events: DossierEvent[];
  lastSeq: number;
  contributions: Contributions | StoredContributions | undefined;
}

/** A dossier the tables know nothing of. */
const EMPTY_STATE: DossierState = Object.freeze({ events: [], lastSeq: 0, contributions: undefined });

/**
 * The replay's memory of recently touched dossiers, so a dossier touched again a few batches later is not read
 * back and re-parsed. Bounded by the number of events it holds (least recently touched dossiers go first). It
 * mirrors the tables only while nothing else writes them: one cache per rebuild of a generation of its own,
 * cleared when a batch's transaction fails.
 */
export class DossierCache {
  private readonly states = new Map<string, DossierState>();
  private events = 0;

  constructor(private readonly maxEvents: number) {}

  get(dossierId: string): DossierState | undefined {
    const state = this.states.get(dossierId);
    if (state !== undefined) {
      // Re-inserted: the Map's order is the recency order.
      this.states.delete(dossierId);
      this.states.set(dossierId, state);
    }
    return state;
  }

  set(dossierId: string, state: DossierState): void {
    const previous = this.states.get(dossierId);
    if (previous !== undefined) this.events -= previous.events.length;
    this.states.delete(dossierId);
    this.states.set(dossierId, state);
    this.events += state.events.length;
    for (const [id, oldest] of this.states) {
      if (this.events <= this.maxEvents) break;
      this.states.delete(id);
      this.events -= oldest.events.length;
    }
  }

  clear(): void {
    this.states.clear();
    this.events = 0;
  }

  get size(): { dossiers: number; events: number } {
    return { dossiers: this.states.size, events: this.events };
  }
}

/**
 * Ids (of events, or of dossiers) a rebuild stored in a generation whose events table was empty when the
 * rebuild's run began, as a Bloom filter: an id it does not hold is certainly not stored (no lookup), one it
 * holds may be (looked up, as every id is without a filter). Fixed size: 8 MiB keep false positives under 1 %
 * up to ~7 million ids, and past that they only cost lookups. Ids of a batch that rolled back stay in it:
 * harmless false positives.
 */
export class StoredIdFilter {
  private readonly bits = new Int32Array(1 << 21);
  private static readonly MASK = (1 << 26) - 1;

  /** Two 32-bit hashes of the id (FNV-1a, and a multiplicative one), combined for the 4 probes. */
  private static hashes(id: string): [number, number] {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    return [a, b | 1];
  }

  add(id: string): void {
    const [a, b] = StoredIdFilter.hashes(id);
    for (let k = 0; k < 4; k++) {
      const bit = (a + k * b) & StoredIdFilter.MASK;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
  }

  mayHold(id: string): boolean {
    const [a, b] = StoredIdFilter.hashes(id);
    for (let k = 0; k < 4; k++) {
      const bit = (a + k * b) & StoredIdFilter.MASK;
      if (((this.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

interface Bump {
  readonly key: Readonly<Record<string, string>>;
  readonly counts: Readonly<Record<string, number>>;
}

/** Signed sums of bumps per aggregate row. */
class Deltas {
  private readonly byKey = new Map<string, { key: Bump['key']; counts: Record<string, number> }>();

  constructor(private readonly keyColumns: readonly string[]) {}

  add(bump: Bump, sign: number): void {
    const id = this.keyColumns.map((c) => bump.key[c] ?? '').join('\u0000');
    let entry = this.byKey.get(id);
    if (entry === undefined) {
      entry = { key: bump.key, counts: {} };
      this.byKey.set(id, entry);
    }
    for (const name in bump.counts) {
      entry.counts[name] = (entry.counts[name] ?? 0) + sign * (bump.counts[name] ?? 0);
    }
  }

  /** Rows whose delta is not all 0. */
  entries(): Array<{ key: Bump['key']; counts: Record<string, number> }> {
    return [...this.byKey.values()].filter((e) => Object.values(e.counts).some((v) => v !== 0));
  }
}

const textColumns = (names: readonly string[]): BulkColumn[] =>
  names.map((name) => ({ name, pgType: 'text' }));
const bigintColumns = (names: readonly string[]): BulkColumn[] =>
  names.map((name) => ({ name, pgType: 'bigint' }));

interface Aggregate {
  readonly table: keyof ProjectionTables;
  readonly keys: readonly string[];
  readonly counters: readonly string[];
}

const UNIT_AGGREGATE: Aggregate = {
  table: 'unitDaily',
  keys: ['competent_unit_id', 'day', 'procedure_code'],
  counters: UNIT_COUNTERS,
};
const INTAKE_AGGREGATE: Aggregate = {
  table: 'intakeDaily',
  keys: ['receiving_unit_id', 'day'],
  counters: INTAKE_COUNTERS,
};
const STEP_AGGREGATE: Aggregate = {
  table: 'officerSteps',
  keys: ['competent_unit_id', 'officer_id', 'step_id'],
  counters: STEP_COUNTERS,
};

/**
 * Adds the deltas to their rows (created at 0 when missing). Counters only ever receive non-negative
 * contributions, so a row can fall to all zeros only through a negative delta: those rows are then deleted
 * when nothing is left in them, as if the contributions that made them had never existed.
 */
async function applyDeltas(
  tx: SqlTransaction,
  dialect: SqlDialect,
  tables: ProjectionTables,
  aggregate: Aggregate,
  deltas: Deltas,
): Promise<void> {
  const entries = deltas.entries();
  if (entries.length === 0) return;
  const table = tables[aggregate.table];
  const keys = textColumns(aggregate.keys);
  await insertRows(
    tx,
    dialect,
    table,
    [...keys, ...bigintColumns(aggregate.counters)],
    entries.map((e) => [
      ...aggregate.keys.map((c) => e.key[c] ?? ''),
      ...aggregate.counters.map((c) => e.counts[c] ?? 0),
    ]),
    `on conflict (${aggregate.keys.join(', ')}) do update set
     ${aggregate.counters.map((c) => `${c} = a.${c} + excluded.${c}`).join(', ')}`,
  );
  const lowered = entries.filter((e) => Object.values(e.counts).some((v) => v < 0));
  await deleteWhereKeys(
    tx,
    dialect,
    table,
    keys,
    lowered.map((e) => aggregate.keys.map((c) => e.key[c] ?? '')),
    aggregate.counters.map((c) => `${c} = 0`).join(' and '),
  );
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

/** The dossier row's columns, typed for the bulk upsert (the keys of `rowValues`). */
const DOSSIER_COLUMNS: readonly BulkColumn[] = [
  ...textColumns([
    'dossier_id',
    'dossier_code',
    'procedure_code',
    'procedure_version',
    'receiving_unit_id',
    'competent_unit_id',
    'returning_unit_id',
    'channel',
  ]),
  { name: 'cross_boundary', pgType: 'integer' },
  { name: 'received_at_ms', pgType: 'bigint' },
  { name: 'received_day', pgType: 'text' },
  { name: 'national_status', pgType: 'integer' },
  ...bigintColumns(['start_ms', 'statutory_due_ms', 'appointment_due_ms', 'paused_ms', 'ended_at_ms']),
  ...textColumns(['ended_by', 'decided_outcome']),
  { name: 'elapsed_working_ms', pgType: 'bigint' },
  { name: 'classification', pgType: 'text' },
  { name: 'overdue_from_ms', pgType: 'bigint' },
  { name: 'late_reasons', pgType: 'text' },
  ...[
    'all_required_digitized',
    'any_reused',
    'electronic_result',
    'digitized',
    'paid_online',
    'has_fee',
    'rating',
    'apology_count',
    'late_apology',
    'second_supplement',
  ].map((name): BulkColumn => ({ name, pgType: 'integer' })),
  ...bigintColumns(['transferred_at_ms', 'last_event_ms']),
  { name: 'contributions', pgType: 'text' },
];

const EVENT_COLUMNS: readonly BulkColumn[] = [
  { name: 'event_id', pgType: 'text' },
  { name: 'dossier_id', pgType: 'text' },
  { name: 'seq', pgType: 'integer' },
  { name: 'type', pgType: 'text' },
  { name: 'source', pgType: 'text' },
  { name: 'occurred_at_ms', pgType: 'bigint' },
  { name: 'body', pgType: 'text', json: true },
];

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

/** Where a batch goes: one generation's tables, the calendar it is computed with, and the dialect. */
export interface BatchTarget {
  readonly tables: ProjectionTables;
  readonly calendar: Calendar;
  readonly catalog: Catalog;
  readonly dialect: SqlDialect;
  /**
   * Tables only this caller writes (a replay's new generation): new event rows go in with COPY where the
   * transaction offers it (their ids were looked up first, so none can conflict).
   */
  readonly copy?: boolean;
}

/** Loads the stored state of `dossierIds` (none of them cached) in three statements. */
async function loadStates(
  tx: SqlTransaction,
  target: BatchTarget,
  dossierIds: readonly string[],
): Promise<Map<string, DossierState>> {
  const states = new Map<string, DossierState>();
  for (const id of dossierIds) states.set(id, { events: [], lastSeq: 0, contributions: undefined });
  const { tables, dialect } = target;
  const eventRows = await selectWhereIn(
    tx,
    dialect,
    'dossier_id, seq, body',
    tables.events,
    'dossier_id',
    dossierIds,
    'dossier_id, seq',
  );
  for (const raw of eventRows) {
    const row = DossierEventRow.parse(raw);
    const state = states.get(row.dossier_id);
    if (state === undefined) continue;
    // Bodies this handler stored: read back as trusted (upcast, envelope checked), parsed in full only when
    // that check fails, which then throws the parse's error.
    const body: unknown = JSON.parse(row.body);
    const trusted = trustedEvent(body);
    state.events.push('event' in trusted ? trusted.event : parseDossierEvent(body));
    state.lastSeq = Math.max(state.lastSeq, row.seq);
  }
  const contributionRows = await selectWhereIn(
    tx,
    dialect,
    'dossier_id, contributions',
    tables.dossiers,
    'dossier_id',
    dossierIds,
  );
  for (const raw of contributionRows) {
    const row = ContributionsRow.parse(raw);
    const state = states.get(row.dossier_id);
    if (state !== undefined) state.contributions = StoredContributions.parse(JSON.parse(row.contributions));
  }
  return states;
}

export interface BatchOutcome {
  /** Events stored (new event ids). */
  readonly stored: number;
  /** Dossiers recomputed. */
  readonly dossiers: number;
}

/** A dossier touched by the batch: its state as the batch found it, and its events since. */
interface Touched {
  readonly before: DossierState;
  events: DossierEvent[];
  lastSeq: number;
}

/** What a rebuild's run stored, when it began on an empty events table (`StoredIdFilter`). */
export interface StoredIds {
  /** Event ids: only these may be redeliveries to look up. */
  readonly events: StoredIdFilter;
  /** Dossier ids: only these may have a stored state to load. */
  readonly dossiers: StoredIdFilter;
}

export function storedIdFilters(): StoredIds {
  return { events: new StoredIdFilter(), dossiers: new StoredIdFilter() };
}

/**
 * One batch of events applied to `target`'s tables in one transaction `tx`, with the same outcome as applying
 * them one by one (see the module comment). Events are added in log order, in as many `add` calls as the caller
 * likes (a replay adds each page of the log as it reads it): each call stores the new events at once and keeps
 * the touched dossiers' events in memory; `finish` recomputes every touched dossier once, from all its events,
 * and writes the dossier rows and aggregates. Only the flushing differs between callers: rows are inserted,
 * or streamed in with COPY where `target.copy` allows it.
 *
 * `cache` and `storedIds`, when given, must be used with these tables only, and by nothing else that writes
 * them (`storedIds` only for tables whose events table was empty when they were made).
 */
export class EventBatch {
  private readonly touched = new Map<string, Touched>();
  private readonly intake = new Deltas(INTAKE_AGGREGATE.keys);
  /**
   * The event rows written so far, one write after the other (a connection runs one statement at a time): the
   * server stores a page while the caller reads and adds the next; anything else waits for them (`written`).
   */
  private writing: Promise<void> = Promise.resolve();
  private stored = 0;
  private heldEvents = 0;

  constructor(
    private readonly tx: SqlTransaction,
    private readonly target: BatchTarget,
    private readonly cache?: DossierCache,
    private readonly storedIds?: StoredIds,
  ) {}

  /** Adds `events` (the next ones in log order): stores the new ones and returns how many were new. */
  async add(events: readonly DossierEvent[]): Promise<number> {
    const { tx, target, storedIds } = this;
    const { tables, dialect } = target;
    const unique = new Map<string, DossierEvent>();
    for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
    const candidates =
      storedIds === undefined
        ? [...unique.keys()]
        : [...unique.keys()].filter((id) => storedIds.events.mayHold(id));
    // Stored by an earlier batch or an earlier `add` of this one: the transaction sees its own writes.
    if (candidates.length > 0) await this.written();
    const stored = await selectWhereIn(tx, dialect, 'event_id', tables.events, 'event_id', candidates);
    for (const raw of stored) unique.delete(EventIdRow.parse(raw).event_id);
    if (unique.size === 0) return 0;
    if (storedIds !== undefined) for (const id of unique.keys()) storedIds.events.add(id);
    // Feedback items have a read model of their own (their events also stay in the dossier's log below).
    const feedback = [...unique.values()].filter((e) => e.source === 'feedback');
    if (feedback.length > 0) await this.written();
    await applyFeedbackBatch(tx, target, feedback);

    const missing = new Set<string>();
    for (const event of unique.values()) {
      const id = event.dossierId;
      if (this.touched.has(id) || missing.has(id)) continue;
      const cached = this.cache?.get(id);
      if (cached !== undefined) this.hold(id, cached);
      // A dossier this run never stored has nothing to load (most of a rebuild's new dossiers).
      else if (storedIds?.dossiers.mayHold(id) === false) this.hold(id, EMPTY_STATE);
      else missing.add(id);
    }
    if (missing.size > 0) await this.written();
    for (const [id, state] of await loadStates(tx, target, [...missing])) this.hold(id, state);

    const eventRows: SqlParam[][] = [];
    for (const event of unique.values()) {
      const touched = this.touched.get(event.dossierId);
      if (touched === undefined) continue;
      touched.events.push(event);
      touched.lastSeq++;
      this.heldEvents++;
      storedIds?.dossiers.add(event.dossierId);
      eventRows.push([
        event.eventId,
        event.dossierId,
        touched.lastSeq,
        event.type,
        event.source,
        Date.parse(event.occurredAt),
        JSON.stringify(event),
      ]);
      const direct = intakeOnly(event);
      if (direct) this.intake.add(direct, 1);
    }
    const copy = target.copy && canCopy(tx) ? tx : undefined;
    // Encoded now, while the previous page may still be going in.
    const data = copy === undefined ? undefined : copyData(EVENT_COLUMNS, eventRows);
    const store = () =>
      copy !== undefined && data !== undefined
        ? copyRows(copy, tables.events, EVENT_COLUMNS, data)
        : insertRows(
            tx,
            dialect,
            tables.events,
            EVENT_COLUMNS,
            eventRows,
            'on conflict (event_id) do nothing',
          );
    this.writing = this.writing.then(store);
    // Awaited by the next statement or `finish`; this only keeps a failure from going unhandled meanwhile.
    this.writing.catch(() => undefined);
    this.stored += unique.size;
    return unique.size;
  }

  /** Waits for the event rows sent so far (a failure fails the batch). */
  private written(): Promise<void> {
    return this.writing;
  }

  /** Events of the dossiers the batch has touched so far (what it holds in memory until `finish`). */
  get held(): number {
    return this.heldEvents;
  }

  private hold(dossierId: string, state: DossierState): void {
    this.touched.set(dossierId, { before: state, events: [...state.events], lastSeq: state.lastSeq });
    this.heldEvents += state.events.length;
  }

  /** Recomputes the touched dossiers and writes their rows and the aggregates; the batch is done. */
  async finish(): Promise<BatchOutcome> {
    const { tx, target, intake } = this;
    const { tables, dialect } = target;
    const unit = new Deltas(UNIT_AGGREGATE.keys);
    const steps = new Deltas(STEP_AGGREGATE.keys);
    const dossierRows: SqlParam[][] = [];
    const deleted: string[][] = [];
    for (const [dossierId, touched] of this.touched) {
      let latest = Number.NEGATIVE_INFINITY;
      for (const event of touched.events) latest = Math.max(latest, Date.parse(event.occurredAt));
      const summary = summarizeDossier(touched.events, {
        calendar: target.calendar,
        catalog: target.catalog,
        asOf: new Date(latest),
      });
      const before = touched.before.contributions;
      const after = summary === undefined ? undefined : contributionsOf(summary);
      if (before !== undefined) {
        unit.add(before.unitDaily, -1);
        intake.add(before.intakeDaily, -1);
        for (const bump of before.officerSteps) steps.add(bump, -1);
      }
      if (after !== undefined) {
        unit.add(after.unitDaily, 1);
        intake.add(after.intakeDaily, 1);
        for (const bump of after.officerSteps) steps.add(bump, 1);
      }
      if (summary !== undefined && after !== undefined) {
        const values = rowValues(summary, after);
        dossierRows.push(DOSSIER_COLUMNS.map((c) => values[c.name] ?? null));
      } else if (before !== undefined) {
        deleted.push([dossierId]);
      }
      this.cache?.set(dossierId, { events: touched.events, lastSeq: touched.lastSeq, contributions: after });
    }

    await this.written();
    await applyDeltas(tx, dialect, tables, UNIT_AGGREGATE, unit);
    await applyDeltas(tx, dialect, tables, INTAKE_AGGREGATE, intake);
    await applyDeltas(tx, dialect, tables, STEP_AGGREGATE, steps);
    await insertRows(
      tx,
      dialect,
      tables.dossiers,
      DOSSIER_COLUMNS,
      dossierRows,
      `on conflict (dossier_id) do update set
       ${DOSSIER_COLUMNS.filter((c) => c.name !== 'dossier_id')
         .map((c) => `${c.name} = excluded.${c.name}`)
         .join(', ')}`,
    );
    await deleteWhereKeys(tx, dialect, tables.dossiers, textColumns(['dossier_id']), deleted);
    return { stored: this.stored, dossiers: this.touched.size };
  }
}

/** Applies `events` (in log order) to `target`'s tables in `tx` as one batch (`EventBatch`): the live handler. */
export async function applyEventBatch(
  tx: SqlTransaction,
  target: BatchTarget,
  events: readonly DossierEvent[],
  cache?: DossierCache,
  storedIds?: StoredIds,
): Promise<BatchOutcome> {
  const batch = new EventBatch(tx, target, cache, storedIds);
  await batch.add(events);
  return batch.finish();
}

/** `(event, tx) => Promise<void>` for `startKafkaConsumer` / `startStoreConsumer` (tables from `migrateProjection`). */
export function createProjectionHandler(options: ProjectionOptions): EventHandler<DossierEvent> {
  const fallback = options.calendar ?? vnCivilServiceCalendar;
  const fixed =
    options.generation === undefined ? undefined : projectionTables(options.schema, options.generation);
  let dialect = options.dialect;
  return async (event, tx) => {
    dialect ??= await detectDialect(tx);
    let tables = fixed;
    let calendar = fallback;
    if (tables === undefined) {
      const active = await activeGeneration(tx, options.schema);
      tables = active.tables;
      calendar = calendarOfGeneration(active, fallback);
    }
    await applyEventBatch(tx, { tables, calendar, catalog: options.catalog, dialect }, [event]);
  };
}
