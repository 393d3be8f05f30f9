/**
 * Replay (blue-green): rebuilds every read model from the log into the next generation's tables while the live
 * generation keeps serving, then switches over in one transaction once the rebuild has caught up with the log.
 *
 * - The log is read in pages (`chunkSize`) into batches (up to `batchEvents` events or `batchMs` of reading);
 *   each batch is applied by `applyEventBatch` (the live handler's code: every touched dossier recomputed once
 *   per batch, multi-row writes) in one transaction with the rebuild's checkpoint (kept in
 *   `projection_rebuilds`), so an interrupted rebuild (Ctrl-C, kill -9) resumes where its last batch committed
 *   and ends identical to an uninterrupted one. A bounded cache of recently touched dossiers (`cacheEvents`)
 *   spares reading their events back; nothing else writes the new generation, so it stays exact. Likewise a
 *   run that starts on an empty events table tracks the ids it stores (`StoredIdFilter`) and looks up only
 *   ids it may have stored already (a redelivery), not every id of every batch.
 * - On PostgreSQL the next batch is read from the source while the current one is written; sources of the
 *   system's own log may hand over unparsed `trusted` entries (envelope checked, payload trusted).
 * - The switch re-checks, inside its transaction, that no event arrived since the last batch; then it marks the
 *   new generation live, lets the caller move the live consumer's checkpoint (`onSwitch`), and drops the old
 *   generation's tables. A live consumer still behind that point re-applies events the rebuild already has;
 *   the handler ignores an event id it has stored, so nothing counts twice.
 * - On SQLite a batch holds the one write lock, which the running service also needs for its own events and
 *   queries: keep `batchMs` and `batchEvents` small there (the defaults are).
 */
import type { Catalog } from '@onestop/catalog';
import {
  type DossierEvent,
  defineError,
  eventSchemaOf,
  streamIdOfEvent,
  upcast,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import type { SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { detectDialect } from './bulk-sql.js';
import { activeGeneration, calendarOfVersion } from './generations.js';
import { applyEventBatch, type BatchTarget, DossierCache, StoredIdFilter } from './handler.js';
import {
  dropGenerationDdl,
  FIRST_GENERATION,
  generationDdl,
  generationTables,
  isGenerationName,
  type ProjectionTables,
  projectionTables,
} from './tables.js';

/**
 * One entry of the log: a dossier event to apply (`dossier`: parsed; `trusted`: see below), another store event
 * to pass over, or an invalid one.
 *
 * `trusted` is a dossier event of the system's own log (the store's rows, the relay's topic) as its envelope
 * JSON, not parsed yet: the rebuild upcasts it and checks the envelope fields the read models use, but trusts
 * the payload, which its service validated before appending it (a full parse of every event costs more than
 * the rest of reading the log). An entry whose envelope fails the check counts as rejected.
 */
export type LogEntry =
  | { readonly kind: 'dossier'; readonly event: DossierEvent }
  | { readonly kind: 'trusted'; readonly raw: unknown }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'rejected'; readonly eventId: string; readonly reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The envelope checks of a `trusted` entry, after upcasting: a known type at its current version, from its
 * source, with the ids, instant and stream the read models use. The payload is the trusted part.
 */
function isTrustedEnvelope(event: Record<string, unknown>): event is DossierEvent {
  const schema = typeof event.type === 'string' ? eventSchemaOf(event.type) : undefined;
  return (
    schema !== undefined &&
    event.schemaVersion === schema.shape.schemaVersion.value &&
    event.source === schema.shape.source.value &&
    typeof event.eventId === 'string' &&
    event.eventId !== '' &&
    typeof event.dossierId === 'string' &&
    event.dossierId !== '' &&
    typeof event.occurredAt === 'string' &&
    Number.isFinite(Date.parse(event.occurredAt)) &&
    isRecord(event.data) &&
    event.streamId ===
      streamIdOfEvent({ source: schema.shape.source.value, dossierId: event.dossierId, data: event.data })
  );
}

type Applicable = { readonly event: DossierEvent } | { readonly rejected: string };

/** The keys of each type's envelope and payload, in its schema's order. */
const layouts = new Map<string, { envelope: readonly string[]; data: readonly string[] }>();

/**
 * The event with the keys of its envelope and payload in its schema's order, unknown keys dropped, as a parse
 * would give them: the body the projection stores is then the same text whichever way the event was read
 * (store rows come back with their metadata and jsonb keys reordered). Nested payload objects keep their order.
 */
function inSchemaOrder(event: Record<string, unknown>): Record<string, unknown> {
  const schema = typeof event.type === 'string' ? eventSchemaOf(event.type) : undefined;
  if (schema === undefined) return event;
  let layout = layouts.get(schema.shape.type.value);
  if (layout === undefined) {
    layout = { envelope: Object.keys(schema.shape), data: Object.keys(schema.shape.data.shape) };
    layouts.set(schema.shape.type.value, layout);
  }
  const pick = (from: Record<string, unknown>, keys: readonly string[]) => {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
    return out;
  };
  const ordered = pick(event, layout.envelope);
  if (isRecord(event.data)) ordered.data = pick(event.data, layout.data);
  return ordered;
}

/** A `trusted` entry's event (upcast when stored at an older version), or why it is rejected. */
function trustedEvent(raw: unknown): Applicable {
  try {
    const schema = isRecord(raw) && typeof raw.type === 'string' ? eventSchemaOf(raw.type) : undefined;
    const current =
      schema !== undefined && isRecord(raw) && raw.schemaVersion === schema.shape.schemaVersion.value
        ? raw
        : upcast(raw);
    const event = isRecord(current) ? inSchemaOrder(current) : undefined;
    if (event !== undefined && isTrustedEnvelope(event)) return { event };
    return { rejected: 'not a dossier event envelope' };
  } catch (error) {
    return { rejected: error instanceof Error ? error.message : String(error) };
  }
}

export interface RebuildSource {
  /** Up to `max` entries after `after` (absent: from the start); called inside the rebuild's transactions. */
  read(
    after: string | undefined,
    max: number,
  ): Promise<{ readonly entries: readonly LogEntry[]; readonly checkpoint: string | undefined }>;
  /** How many entries follow `after` (for the progress bar's ETA). */
  remaining(after: string | undefined): Promise<number>;
}

export interface RebuildDatabase<Tx extends SqlTransaction> {
  readonly schema?: string;
  withTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface RebuildProgress {
  readonly generation: string;
  /** Log entries read by this rebuild so far, over every run. */
  readonly eventsRead: number;
  /** Read by this run. */
  readonly readThisRun: number;
  /** Entries still to read (as of the last batch). */
  readonly remaining: number;
  readonly elapsedMs: number;
}

export interface RebuildOptions<Tx extends SqlTransaction> {
  readonly db: RebuildDatabase<Tx>;
  readonly source: RebuildSource;
  readonly catalog: Catalog;
  /** Calendar version of a new rebuild (default: the live generation's, else the current civil-service one). */
  readonly calendarVersion?: string;
  /** Discard an unfinished rebuild and start a new one. */
  readonly restart?: boolean;
  /** Pause after reading this many entries in this run (a test hook; the rebuild resumes on the next run). */
  readonly stopAfter?: number;
  /** Pause at the next batch boundary once aborted. */
  readonly signal?: AbortSignal;
  /** Events read per round trip to the log. Default 1,000. */
  readonly chunkSize?: number;
  /** A batch stops reading after about this long, then applies what it read and commits. Default 200 ms. */
  readonly batchMs?: number;
  /** A batch stops reading at this many entries. Default 10,000. */
  readonly batchEvents?: number;
  /** Events of recently touched dossiers kept in memory between batches. Default 30,000. */
  readonly cacheEvents?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** In the switch-over transaction, with the checkpoint the rebuild ended at (e.g. the live consumer's). */
  readonly onSwitch?: (tx: Tx, checkpoint: string | undefined) => Promise<void>;
  /** Wall-clock ms, for the batch timer and the bookkeeping (default `Date.now`). */
  readonly now?: () => number;
}

export interface TableCounts {
  readonly events: number;
  readonly dossiers: number;
  readonly unitDaily: number;
  readonly intakeDaily: number;
  readonly officerSteps: number;
}

export interface RebuildResult {
  /** `switched`: the rebuilt generation is live; `paused`: interrupted, run again to resume. */
  readonly status: 'switched' | 'paused';
  readonly generation: string;
  /** The generation that was live when the rebuild switched over (or is live still, when paused). */
  readonly previousGeneration: string;
  readonly calendarVersion: string;
  /** This run continued a rebuild an earlier run had started. */
  readonly resumed: boolean;
  readonly eventsRead: number;
  readonly applied: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly readThisRun: number;
  /** Rows of the rebuilt generation's tables. */
  readonly counts: TableCounts;
}

export const RebuildConflict = defineError<{ generation: string; calendarVersion: string }>(
  'PROJ_REBUILD_CONFLICT',
  'conflict',
);

/** Entries read for one batch: the events to apply, the others counted, and where the batch ends. */
interface ReadBatch {
  readonly from: string | undefined;
  readonly events: DossierEvent[];
  read: number;
  skipped: number;
  rejected: number;
  checkpoint: string | undefined;
}

const num = z.union([z.number(), z.string(), z.bigint()]).transform(Number);
const RebuildRow = z.object({
  generation: z.string().refine(isGenerationName, 'not a projection generation'),
  calendar_version: z.string(),
  events_read: num,
  skipped: num,
  rejected: num,
  checkpoint: z.string().nullable(),
});
type RebuildRow = z.infer<typeof RebuildRow>;

const generationNumber = (generation: string) =>
  generation === FIRST_GENERATION ? 1 : Number(generation.slice(`${FIRST_GENERATION}_g`.length));

/** Row counts of one generation's tables. */
export async function countRows(tx: SqlTransaction, tables: ProjectionTables): Promise<TableCounts> {
  const count = async (table: string) =>
    z.object({ n: num }).parse((await tx.query(`select count(*) as n from ${table}`)).rows[0]).n;
  return {
    events: await count(tables.events),
    dossiers: await count(tables.dossiers),
    unitDaily: await count(tables.unitDaily),
    intakeDaily: await count(tables.intakeDaily),
    officerSteps: await count(tables.officerSteps),
  };
}

/** Row counts of the live generation. */
export async function liveCounts(
  db: RebuildDatabase<SqlTransaction>,
): Promise<TableCounts & { generation: string }> {
  return db.withTransaction(async (tx) => {
    const active = await activeGeneration(tx, db.schema);
    return { generation: active.generation, ...(await countRows(tx, active.tables)) };
  });
}

async function loadRebuild(tx: SqlTransaction, table: string, generation?: string): Promise<RebuildRow[]> {
  const { rows } = await tx.query(
    `select generation, calendar_version, events_read, skipped, rejected, checkpoint from ${table}${
      generation === undefined ? '' : ' where generation = $1'
    } order by generation`,
    generation === undefined ? [] : [generation],
  );
  return rows.map((row) => RebuildRow.parse(row));
}

/** Starts, or resumes, a rebuild of the read models and runs it until it switches over or is paused. */
export async function rebuildProjection<Tx extends SqlTransaction>(
  options: RebuildOptions<Tx>,
): Promise<RebuildResult> {
  const { db, source } = options;
  const now = options.now ?? Date.now;
  const chunkSize = options.chunkSize ?? 1000;
  const batchMs = options.batchMs ?? 200;
  const batchEvents = options.batchEvents ?? 10_000;
  const bookkeeping = generationTables(db.schema);
  if (options.calendarVersion !== undefined) calendarOfVersion(options.calendarVersion);

  const begun = await db.withTransaction(async (tx) => {
    const active = await activeGeneration(tx, db.schema);
    let unfinished = await loadRebuild(tx, bookkeeping.rebuilds);
    if (options.restart) {
      for (const row of unfinished) {
        for (const sql of dropGenerationDdl(projectionTables(db.schema, row.generation))) await tx.query(sql);
      }
      await tx.query(`delete from ${bookkeeping.rebuilds}`);
      unfinished = [];
    }
    const resumable = unfinished.at(-1);
    if (resumable !== undefined) {
      if (options.calendarVersion !== undefined && options.calendarVersion !== resumable.calendar_version) {
        throw RebuildConflict(
          `a rebuild with calendar ${resumable.calendar_version} is unfinished; resume it without --calendar, ` +
            'or discard it with --restart',
          { details: { generation: resumable.generation, calendarVersion: resumable.calendar_version } },
        );
      }
      return { row: resumable, resumed: true, previous: active.generation };
    }
    const next =
      Math.max(
        generationNumber(active.generation),
        ...unfinished.map((r) => generationNumber(r.generation)),
      ) + 1;
    const generation = `${FIRST_GENERATION}_g${next}`;
    const calendarVersion =
      options.calendarVersion ?? active.calendarVersion ?? vnCivilServiceCalendar.version;
    for (const sql of generationDdl(projectionTables(db.schema, generation), generation)) await tx.query(sql);
    await tx.query(
      `insert into ${bookkeeping.rebuilds}
         (generation, calendar_version, started_at_ms, events_read, skipped, rejected, checkpoint)
       values ($1, $2, $3, 0, 0, 0, null)`,
      [generation, calendarVersion, now()],
    );
    const row: RebuildRow = {
      generation,
      calendar_version: calendarVersion,
      events_read: 0,
      skipped: 0,
      rejected: 0,
      checkpoint: null,
    };
    return { row, resumed: false, previous: active.generation };
  });

  const { generation } = begun.row;
  const tables = projectionTables(db.schema, generation);
  const { dialect, empty } = await db.withTransaction(async (tx) => ({
    dialect: await detectDialect(tx),
    empty: (await tx.query(`select 1 from ${tables.events} limit 1`)).rows.length === 0,
  }));
  const target: BatchTarget = {
    tables,
    calendar: calendarOfVersion(begun.row.calendar_version),
    catalog: options.catalog,
    dialect,
  };
  const cache = new DossierCache(options.cacheEvents ?? 30_000);
  // Ids stored by this run need no lookup; those of an earlier run (a resumed rebuild) are not tracked.
  const storedIds = empty ? new StoredIdFilter() : undefined;
  const startedAt = now();
  let readThisRun = 0;
  let state = begun.row;
  let previous = begun.previous;

  const result = async (status: 'switched' | 'paused'): Promise<RebuildResult> => ({
    status,
    generation,
    previousGeneration: previous,
    calendarVersion: state.calendar_version,
    resumed: begun.resumed,
    eventsRead: state.events_read,
    applied: state.events_read - state.skipped - state.rejected,
    skipped: state.skipped,
    rejected: state.rejected,
    readThisRun,
    counts: await db.withTransaction((tx) => countRows(tx, tables)),
  });

  /** Reads a batch of up to `limit` entries after `from` (pages of `chunkSize`, for up to `batchMs`). */
  const readBatch = async (from: string | undefined, limit: number): Promise<ReadBatch> => {
    const batch: ReadBatch = { from, events: [], read: 0, skipped: 0, rejected: 0, checkpoint: from };
    const t0 = now();
    while (batch.read < limit && now() - t0 < batchMs) {
      const page = await source.read(batch.checkpoint, Math.min(chunkSize, limit - batch.read));
      if (page.entries.length === 0) break;
      for (const entry of page.entries) {
        if (entry.kind === 'dossier') batch.events.push(entry.event);
        else if (entry.kind === 'trusted') {
          const applicable = trustedEvent(entry.raw);
          if ('event' in applicable) batch.events.push(applicable.event);
          else batch.rejected++;
        } else batch[entry.kind]++;
      }
      batch.read += page.entries.length;
      batch.checkpoint = page.checkpoint;
    }
    return batch;
  };
  // On PostgreSQL the next batch is read while this one is written (the source's reads need no transaction of
  // the projection's database). On SQLite the source is the store whose transaction the batch holds: its reads
  // stay inside it. Reads never overlap one another or `source.remaining`.
  const readAhead = dialect === 'postgres';
  let ahead: Promise<ReadBatch> | undefined;
  const settleAhead = async () => {
    await ahead?.catch(() => undefined);
  };

  for (;;) {
    const budget =
      options.stopAfter === undefined ? Number.POSITIVE_INFINITY : options.stopAfter - readThisRun;
    if (options.signal?.aborted || budget <= 0) {
      await settleAhead();
      return result('paused');
    }

    const work = async (tx: Tx) => {
      const [row] = await loadRebuild(tx, bookkeeping.rebuilds, generation);
      if (row === undefined) throw RebuildConflict(`rebuild ${generation} was discarded by another run`);
      const from = row.checkpoint ?? undefined;
      const limit = Math.min(budget, batchEvents);
      const early = await ahead;
      ahead = undefined;
      const read =
        early !== undefined && early.from === from && early.read <= limit
          ? early
          : await readBatch(from, limit);
      const nextLimit = Math.min(budget - read.read, batchEvents);
      if (readAhead && read.read > 0 && nextLimit > 0) {
        ahead = readBatch(read.checkpoint, nextLimit);
        // Awaited by the next batch (or on the way out); this only keeps a failure from going unhandled.
        ahead.catch(() => undefined);
      }
      await applyEventBatch(tx, target, read.events, cache, storedIds);
      const updated: RebuildRow = {
        ...row,
        events_read: row.events_read + read.read,
        skipped: row.skipped + read.skipped,
        rejected: row.rejected + read.rejected,
        checkpoint: read.checkpoint ?? null,
      };
      if (read.read > 0) {
        await tx.query(
          `update ${bookkeeping.rebuilds} set events_read = $2, skipped = $3, rejected = $4, checkpoint = $5
            where generation = $1`,
          [generation, updated.events_read, updated.skipped, updated.rejected, updated.checkpoint],
        );
      }
      return { read: read.read, row: updated };
    };
    let batch: Awaited<ReturnType<typeof work>>;
    try {
      batch = await db.withTransaction(work);
    } catch (error) {
      // The cache holds the rolled-back batch's dossiers as if committed.
      cache.clear();
      await settleAhead();
      throw error;
    }
    state = batch.row;
    readThisRun += batch.read;
    if (batch.read > 0) {
      if (options.onProgress !== undefined) await settleAhead();
      options.onProgress?.({
        generation,
        eventsRead: state.events_read,
        readThisRun,
        remaining: await source.remaining(state.checkpoint ?? undefined),
        elapsedMs: now() - startedAt,
      });
      continue;
    }

    const switched = await db.withTransaction(async (tx) => {
      const checkpoint = state.checkpoint ?? undefined;
      // Caught up as of this transaction: on SQLite it holds the write lock, so nothing can be appended now.
      if ((await source.read(checkpoint, 1)).entries.length > 0) return false;
      const active = await activeGeneration(tx, db.schema);
      await tx.query(
        `update ${bookkeeping.active} set generation = $1, calendar_version = $2, switched_at_ms = $3 where id = 1`,
        [generation, state.calendar_version, now()],
      );
      await options.onSwitch?.(tx, checkpoint);
      if (active.generation !== generation) {
        for (const sql of dropGenerationDdl(active.tables)) await tx.query(sql);
      }
      await tx.query(`delete from ${bookkeeping.rebuilds} where generation = $1`, [generation]);
      previous = active.generation;
      return true;
    });
    if (switched) return result('switched');
  }
}
