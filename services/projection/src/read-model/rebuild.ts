/**
 * Replay (blue-green): rebuilds every read model from the log into the next generation's tables while the live
 * generation keeps serving, then switches over in one transaction once the rebuild has caught up with the log.
 *
 * - The log is read in pages (`chunkSize`); a batch is one transaction that adds page after page to an
 *   `EventBatch` (the live handler's code: each page's new events are stored at once, every dossier the batch
 *   touched is recomputed once at its end, multi-row writes) until it has read `batchEvents` entries, holds
 *   2 × `batchEvents` events of its dossiers, or has run `batchMs`; it commits with the rebuild's checkpoint
 *   (kept in `projection_rebuilds`), so an interrupted rebuild (Ctrl-C, kill -9) resumes where its last batch
 *   committed and ends identical to an uninterrupted one. A bounded cache of recently touched dossiers
 *   (`cacheEvents`) spares reading their events back; nothing else writes the new generation, so it stays
 *   exact. Likewise a run that starts on an empty events table tracks the event and dossier ids it stores
 *   (`StoredIds`) and looks up only events it may have stored already (a redelivery) and only dossiers it may
 *   have stored, not every id of every page.
 * - Memory is bounded whatever the log's length: one batch's dossiers, the cache, one page read ahead, the
 *   two filters. `pnpm onestop replay` runs under `REBUILD_HEAP_MB` so that V8 collects before garbage piles up.
 * - On PostgreSQL the next page is read from the source while the current one is applied; the new events go
 *   in with COPY (the new generation is this rebuild's alone); a batch does not wait for its commit to reach
 *   the disk (a lost batch is read again from the previous checkpoint); the new tables are analyzed once caught
 *   up, before they go live.
 * - Sources of the system's own log may hand over unparsed `trusted` entries (envelope checked, payload
 *   trusted: `trusted.ts`).
 * - The switch re-checks, inside its transaction, that no event arrived since the last batch; then it marks the
 *   new generation live, lets the caller move the live consumer's checkpoint (`onSwitch`), and drops the old
 *   generation's tables. A live consumer still behind that point re-applies events the rebuild already has;
 *   the handler ignores an event id it has stored, so nothing counts twice.
 * - On SQLite a batch holds the one write lock, which the running service also needs for its own events and
 *   queries: batches stay small there (`BATCH_DEFAULTS`).
 */
import type { Catalog } from '@onestop/catalog';
import { type DossierEvent, defineError, vnCivilServiceCalendar } from '@onestop/domain';
import type { SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { detectDialect, type SqlDialect } from './bulk-sql.js';
import { activeGeneration, calendarOfVersion } from './generations.js';
import { type BatchTarget, DossierCache, EventBatch, storedIdFilters } from './handler.js';
import {
  dropGenerationDdl,
  FIRST_GENERATION,
  generationDdl,
  generationTables,
  isGenerationName,
  type ProjectionTables,
  projectionTables,
} from './tables.js';
import { trustedEvent } from './trusted.js';

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

/**
 * The V8 old-space ceiling (MB) a replay runs under: `pnpm onestop replay` starts itself with
 * `--max-old-space-size` set to it, and the bench measures its rebuild under it. What a rebuild holds is bounded
 * whatever the log's length (see `BATCH_DEFAULTS`); the ceiling only makes V8 collect before garbage piles up to
 * several times that (with its default multi-gigabyte limit it lets the heap grow to ~4 × the live set between
 * full collections), so that the process stays under 512 MB.
 */
export const REBUILD_HEAP_MB = 256;

/**
 * Batch sizes by dialect. PostgreSQL: a rebuild's batch writes only its new generation, so it can be long (a
 * dossier touched across a batch is recomputed once; COPY streams each page's events in) while the live
 * service goes on in its own tables. SQLite: a batch holds the file's one write lock, which the running service
 * needs too, so batches stay short. Pages stay small either way: what a page allocates is mostly garbage once
 * it is applied, and V8 collects it cheaply only while little of it is still held.
 */
const BATCH_DEFAULTS: Record<SqlDialect, { batchMs: number; batchEvents: number }> = {
  postgres: { batchMs: 2_000, batchEvents: 50_000 },
  sqlite: { batchMs: 200, batchEvents: 10_000 },
};

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
  /** Entries read per round trip to the log (a page). Default 1,000. */
  readonly chunkSize?: number;
  /**
   * A batch stops reading after about this long, then recomputes its dossiers and commits. Default 2 s on
   * PostgreSQL, 200 ms on SQLite.
   */
  readonly batchMs?: number;
  /** A batch stops reading at this many entries. Default 50,000 on PostgreSQL, 10,000 on SQLite. */
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

/** One page of the log: the events to apply, the other entries counted, and where the page ends. */
interface ReadPage {
  readonly from: string | undefined;
  readonly events: DossierEvent[];
  readonly read: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly checkpoint: string | undefined;
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
  const defaults = BATCH_DEFAULTS[dialect];
  const chunkSize = options.chunkSize ?? 1_000;
  const batchMs = options.batchMs ?? defaults.batchMs;
  const batchEvents = options.batchEvents ?? defaults.batchEvents;
  const target: BatchTarget = {
    tables,
    calendar: calendarOfVersion(begun.row.calendar_version),
    catalog: options.catalog,
    dialect,
    copy: true,
  };
  const cache = new DossierCache(options.cacheEvents ?? 30_000);
  // Ids stored by this run need no lookup; those of an earlier run (a resumed rebuild) are not tracked.
  const storedIds = empty ? storedIdFilters() : undefined;
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

  /** Reads a page of up to `max` entries after `from`. */
  const readPage = async (from: string | undefined, max: number): Promise<ReadPage> => {
    const page = await source.read(from, max);
    const events: DossierEvent[] = [];
    let skipped = 0;
    let rejected = 0;
    for (const entry of page.entries) {
      if (entry.kind === 'dossier') events.push(entry.event);
      else if (entry.kind === 'trusted') {
        const applicable = trustedEvent(entry.raw);
        if ('event' in applicable) events.push(applicable.event);
        else rejected++;
      } else if (entry.kind === 'skipped') skipped++;
      else rejected++;
    }
    const read = page.entries.length;
    return { from, events, read, skipped, rejected, checkpoint: read === 0 ? from : page.checkpoint };
  };
  // On PostgreSQL the next page is read while this one is applied (the source's reads need no transaction of
  // the projection's database), across batch boundaries too. On SQLite the source is the store whose
  // transaction the batch holds: its reads stay inside it. Reads never overlap one another or
  // `source.remaining`.
  const readAhead = dialect === 'postgres';
  let analyzed = false;
  let ahead: Promise<ReadPage> | undefined;
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

    // One batch, one transaction: pages are read and added to it (their events stored at once) until it has
    // read `batchEvents` entries, holds twice that many events, or has taken `batchMs`; then its dossiers are
    // recomputed once each, and it commits with the checkpoint.
    const work = async (tx: Tx) => {
      const [row] = await loadRebuild(tx, bookkeeping.rebuilds, generation);
      if (row === undefined) throw RebuildConflict(`rebuild ${generation} was discarded by another run`);
      // A batch that a server crash loses is read again from the previous checkpoint (committed with it), so
      // it need not wait for its commit to reach the disk.
      if (dialect === 'postgres') {
        await tx.query('set local synchronous_commit = off');
        // The new tables have no statistics yet (they are analyzed before the switch): the planner would
        // think a lookup of a few dossiers' events costly enough to compile (JIT) and parallelize.
        await tx.query('set local jit = off');
        await tx.query('set local max_parallel_workers_per_gather = 0');
      }
      const limit = Math.min(budget, batchEvents);
      const batch = new EventBatch(tx, target, cache, storedIds);
      const t0 = now();
      let checkpoint = row.checkpoint ?? undefined;
      let read = 0;
      let skipped = 0;
      let rejected = 0;
      // Memory: what the batch holds (its dossiers' events, old and new) is bounded too, whatever their length.
      while (read < limit && batch.held < 2 * batchEvents && now() - t0 < batchMs) {
        const max = Math.min(chunkSize, limit - read);
        const early = await ahead;
        ahead = undefined;
        const page =
          early !== undefined && early.from === checkpoint && early.read <= max
            ? early
            : await readPage(checkpoint, max);
        if (page.read === 0) break;
        read += page.read;
        skipped += page.skipped;
        rejected += page.rejected;
        checkpoint = page.checkpoint;
        const next = Math.min(chunkSize, budget - read);
        if (readAhead && next > 0) {
          ahead = readPage(checkpoint, next);
          // Awaited by the next page (or on the way out); this only keeps a failure from going unhandled.
          ahead.catch(() => undefined);
        }
        await batch.add(page.events);
      }
      await batch.finish();
      const updated: RebuildRow = {
        ...row,
        events_read: row.events_read + read,
        skipped: row.skipped + skipped,
        rejected: row.rejected + rejected,
        checkpoint: checkpoint ?? null,
      };
      if (read > 0) {
        await tx.query(
          `update ${bookkeeping.rebuilds} set events_read = $2, skipped = $3, rejected = $4, checkpoint = $5
            where generation = $1`,
          [generation, updated.events_read, updated.skipped, updated.rejected, updated.checkpoint],
        );
      }
      return { read, row: updated };
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

    if (dialect === 'postgres' && !analyzed) {
      // Caught up: the tables about to go live get their statistics now, not when autovacuum comes by.
      await db.withTransaction(async (tx) => {
        for (const table of Object.values(tables)) await tx.query(`analyze ${table}`);
      });
      analyzed = true;
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
