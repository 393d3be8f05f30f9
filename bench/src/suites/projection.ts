/**
 * Projection benchmarks (issue 7), each against a baseline measured in this run:
 * - rebuild throughput: `rebuildProjection` from the PostgreSQL event store into PostgreSQL read models (in a
 *   child process, src/projection-rebuild.ts), over a synthetic log of realistic lifecycles
 *   (src/projection-log.ts) bulk-inserted into the store's table; baseline: a naive keyset read of the same
 *   events (pages of 1,000, jsonb parsed by node-pg), timed before and after the rebuild and averaged;
 * - reference for that ratio: the same events copied by the server alone into a generation's events table (what
 *   writing them costs with no client work at all), against the same naive read (decision 0006, addendum);
 * - peak memory of that rebuild (the child's max RSS) against the 512 MB goal; the child runs as
 *   `pnpm onestop replay` runs its rebuild: the same defaults (batch sizes, cache) and the same V8 old-space
 *   ceiling (`REBUILD_HEAP_MB`, which the command applies to itself);
 * - KPI query latency (`unitKpiReport`, what `GET /v1/kpi/units/{unitId}` runs: live generation lookup, three
 *   aggregate queries) over a projection of N dossiers whose rows and aggregates are generated in SQL (rebuilding
 *   a million dossiers would take a log of ~14 million events); baseline: a primary-key lookup of one dossier
 *   row through the same transaction wrapper, interleaved query by query.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { demoCatalog } from '@onestop/catalog';
import { dossierEventFromStored, vnCivilServiceCalendar } from '@onestop/domain';
import { postgresEventStore } from '@onestop/event-store';
import {
  generationDdl,
  migrateProjection,
  postgresProjectionDatabase,
  projectionTables,
  REBUILD_HEAP_MB,
  unitKpiReport,
} from '@onestop/projection';
import { z } from 'zod';
import { clients, dropDatabase, recreateDatabase } from '../db.js';
import { type BenchResult, percentile, round } from '../harness.js';
import { generateLog, type LogRow } from '../projection-log.js';

export interface ProjectionBenchOptions {
  /** Events of the synthetic log (1,000,000 in the full run). */
  readonly events: number;
  /** Dossier rows of the KPI latency measure (1,000,000 in the full run). */
  readonly kpiDossiers: number;
  /** KPI queries (and as many baseline lookups). */
  readonly queries: number;
  readonly log: (line: string) => void;
}

const DATABASE = 'onestop_bench_projection';
const STORE = 'es';
const benchDir = resolve(import.meta.dirname, '../..');

const ChildResult = z.object({
  totalMs: z.number(),
  readMs: z.number(),
  eventsRead: z.number(),
  applied: z.number(),
  rejected: z.number(),
  counts: z.object({ events: z.number(), dossiers: z.number() }).loose(),
  maxRssMb: z.number(),
});

async function insertLog(url: string, events: number, log: (line: string) => void) {
  const [client] = await clients(url, 1);
  if (!client) throw new Error('no client');
  let checked = false;
  let done = 0;
  try {
    const generated = await generateLog(events, { perDay: 250, pageSize: 5_000 }, async (rows: LogRow[]) => {
      if (!checked) {
        // The shapes must be the catalogue's: a rejected event would make the rebuild measure less work.
        for (const row of rows.slice(0, 500)) {
          dossierEventFromStored({ ...row, recordedAt: new Date(row.atMs) });
        }
        checked = true;
      }
      // One client, pages in order: global positions follow the generated time order.
      await client.query(
        `insert into ${STORE}.events (stream_id, stream_version, event_id, type, data, metadata, recorded_at)
         select s, v, e, t, d::jsonb, m::jsonb, to_timestamp(r / 1000.0)
           from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
             as u(s, v, e, t, d, m, r)`,
        [
          rows.map((r) => r.streamId),
          rows.map((r) => r.streamVersion),
          rows.map((r) => r.eventId),
          rows.map((r) => r.type),
          rows.map((r) => JSON.stringify(r.data)),
          rows.map((r) => JSON.stringify(r.metadata)),
          rows.map((r) => r.atMs),
        ],
      );
      done += rows.length;
      if (done % 200_000 < rows.length) log(`  ${done.toLocaleString('en-US')} events stored`);
    });
    await client.query(`analyze ${STORE}.events`);
    return generated;
  } finally {
    await client.end();
  }
}

/** The naive read: keyset pages of 1,000 in global order, jsonb parsed to objects; returns events/s. */
async function naiveRead(url: string): Promise<{ perSecond: number; events: number }> {
  const [client] = await clients(url, 1);
  if (!client) throw new Error('no client');
  try {
    let after = '0';
    let events = 0;
    const t0 = performance.now();
    for (;;) {
      const { rows } = await client.query({
        name: 'naive_read',
        text: `select global_position, stream_id, stream_version, event_id, type, data, metadata, recorded_at
                 from ${STORE}.events where global_position > $1 order by global_position limit 1000`,
        values: [after],
      });
      const last = rows.at(-1);
      if (!last) break;
      events += rows.length;
      after = String(last.global_position);
    }
    return { perSecond: events / ((performance.now() - t0) / 1000), events };
  } finally {
    await client.end();
  }
}

/**
 * The physical reference of a rebuild's writes: every event of the store copied by the server alone into a fresh
 * generation's events table (its primary key and index, as the rebuild fills it), in one `insert … select`: no
 * client, no fold, no dossier rows or aggregates. The body is the payload and metadata text, the size of the
 * envelope the rebuild stores. Returns events/s.
 */
async function serverSideCopy(url: string, events: number): Promise<number> {
  // A schema of its own, the generation name a first rebuild would use.
  const schema = 'copy_reference';
  const tables = projectionTables(schema, 'projection_g1');
  const [client] = await clients(url, 1);
  if (!client) throw new Error('no client');
  try {
    await client.query(`create schema ${schema}`);
    for (const statement of generationDdl(tables, 'projection_g1')) await client.query(statement);
    await client.query('checkpoint');
    // As a replay batch commits (decision 0006); one statement, so it commits once anyway.
    await client.query('set synchronous_commit = off');
    const t0 = performance.now();
    const { rowCount } = await client.query(
      `insert into ${tables.events} (event_id, dossier_id, seq, type, source, occurred_at_ms, body)
       select event_id::text, metadata->>'dossierId', stream_version, type, metadata->>'source',
              (extract(epoch from recorded_at) * 1000)::bigint, data::text || metadata::text
         from ${STORE}.events order by global_position`,
    );
    const seconds = (performance.now() - t0) / 1000;
    if (rowCount !== events) throw new Error(`the reference copy wrote ${rowCount} of ${events} events`);
    return events / seconds;
  } finally {
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}

function runRebuild(url: string, schema: string): Promise<z.infer<typeof ChildResult>> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${REBUILD_HEAP_MB}`,
        '--import',
        'tsx',
        'src/projection-rebuild.ts',
        url,
        STORE,
        schema,
      ],
      {
        cwd: benchDir,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    if (!child.stdout) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code !== 0) fail(new Error(`projection-rebuild exited with ${code}`));
      else done(ChildResult.parse(JSON.parse(lines.at(-1) ?? '{}')));
    });
  });
}

/** Competent units with their procedures, and the receiving unit of each, as the catalogue has them. */
function unitProcedures(): Array<{ unit: string; procedure: string; receiving: string }> {
  return demoCatalog.procedures().flatMap((p) =>
    p.competentUnitIds.map((unit) => ({
      unit,
      procedure: p.code,
      receiving: unit.startsWith('kh.p-') ? `${unit}.ttpvhcc` : 'kh.ttpvhcc',
    })),
  );
}

/** Fills a projection of `n` dossiers (over two years) and its aggregates in SQL. */
async function fillKpiProjection(url: string, schema: string, n: number) {
  const db = await postgresProjectionDatabase({ connectionString: url, schema, maxConnections: 2 });
  await migrateProjection(db);
  await db.close();
  const [client] = await clients(url, 1);
  if (!client) throw new Error('no client');
  const pairs = unitProcedures();
  const span = 730 * 86_400_000;
  const start = Date.parse('2025-01-01T00:00:00+07:00');
  try {
    await client.query(
      `insert into "${schema}".projection_dossiers
       select 'd-' || g, 'code-' || g, (p.pr)[1 + g % cardinality(p.pr)], '2025.07',
              (p.rc)[1 + g % cardinality(p.rc)], (p.un)[1 + g % cardinality(p.un)], null,
              case when g % 5 < 2 then 'online' else 'desk' end, 0, r.ms,
              to_char(to_timestamp(r.ms / 1000.0) at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'),
              case when o.open then 4 else 9 end, r.ms, r.ms + 432000000, r.ms + 432000000, 0,
              case when o.open then null else r.ms + (g % 9) * 86400000 end,
              case when o.open then null else 'DossierDecided' end,
              case when o.open then null else 'approved' end, (g % 40) * 3600000,
              case when o.open then null when g % 9 < 2 then 'early' when g % 9 < 6 then 'on_time' else 'late' end,
              case when o.open then r.ms + 432000000 else null end,
              '[]', 1, (g % 4 = 0)::int, 1, 1, 1, 1, null, 0, 0, 0, null, r.ms, '{}'
         from generate_series(1, $1::int) g
         cross join (select $2::text[] as un, $3::text[] as pr, $4::text[] as rc) p
         cross join lateral (select $5::bigint + (g::bigint * $6::bigint / $1::int) as ms) r
         cross join lateral (select r.ms > $5::bigint + $6::bigint - 20 * 86400000::bigint and g % 3 = 0 as open) o`,
      [
        n,
        pairs.map((p) => p.unit),
        pairs.map((p) => p.procedure),
        pairs.map((p) => p.receiving),
        start,
        span,
      ],
    );
    await client.query(
      `insert into "${schema}".projection_unit_daily
         (competent_unit_id, day, procedure_code, received, ended, early, on_time, late, decided, elapsed_ms,
          digitized, online, fee_due)
       select competent_unit_id, received_day, procedure_code, count(*), count(ended_at_ms),
              count(*) filter (where classification = 'early'), count(*) filter (where classification = 'on_time'),
              count(*) filter (where classification = 'late'), count(ended_at_ms),
              coalesce(sum(elapsed_working_ms) filter (where ended_at_ms is not null), 0),
              sum(digitized), count(*) filter (where channel = 'online'), 0
         from "${schema}".projection_dossiers group by 1, 2, 3`,
    );
    await client.query(
      `insert into "${schema}".projection_intake_daily (receiving_unit_id, day, received)
       select receiving_unit_id, received_day, count(*) from "${schema}".projection_dossiers group by 1, 2`,
    );
    await client.query(`vacuum analyze "${schema}".projection_dossiers`);
    await client.query(`analyze "${schema}".projection_unit_daily`);
    await client.query(`analyze "${schema}".projection_intake_daily`);
  } finally {
    await client.end();
  }
  return pairs;
}

async function kpiLatency(
  url: string,
  schema: string,
  n: number,
  queries: number,
  log: (line: string) => void,
) {
  const pairs = await fillKpiProjection(url, schema, n);
  const units = [...new Set(pairs.map((p) => p.unit))];
  const db = await postgresProjectionDatabase({ connectionString: url, schema, maxConnections: 2 });
  const deps = { db, calendar: vnCivilServiceCalendar, catalog: demoCatalog };
  const now = new Date('2026-12-31T10:00:00+07:00');
  const ours: number[] = [];
  const base: number[] = [];
  try {
    log(`  ${n.toLocaleString('en-US')} dossier rows; ${queries} queries each`);
    for (let i = 0; i < queries + 20; i++) {
      const unit = units[i % units.length] ?? '';
      const month = i % 24;
      const months = 1 + ((i * 7) % 12);
      const ymd = (m: number) => `${2025 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
      const query = {
        from: ymd(month),
        to: ymd(month + months),
        due: 'statutory',
        rollup: 'current',
      } as const;
      let t0 = performance.now();
      const report = await unitKpiReport(deps, unit, query, now);
      const tOurs = performance.now() - t0;
      if (report.source !== 'aggregates')
        throw new Error(`expected the aggregate path, got ${report.source}`);
      const id = `d-${1 + ((i * 7919) % n)}`;
      t0 = performance.now();
      await db.withTransaction((tx) =>
        tx.query(`select * from "${schema}".projection_dossiers where dossier_id = $1`, [id]),
      );
      const tBase = performance.now() - t0;
      // The first 20 of each warm the caches and the pool.
      if (i >= 20) {
        ours.push(tOurs);
        base.push(tBase);
      }
    }
  } finally {
    await db.close();
  }
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  return {
    p50: percentile(ours, 50),
    p99: percentile(ours, 99),
    baseP50: percentile(base, 50),
    baseP99: percentile(base, 99),
  };
}

export async function projectionBench(options: ProjectionBenchOptions): Promise<BenchResult[]> {
  const { log } = options;
  const url = await recreateDatabase(DATABASE);
  try {
    const store = postgresEventStore({ connectionString: url, schema: STORE });
    await store.ready();
    await store.close();
    log(`generating ~${options.events.toLocaleString('en-US')} events into the PostgreSQL store`);
    const generated = await insertLog(url, options.events, log);
    log(
      `  ${generated.events.toLocaleString('en-US')} events of ${generated.dossiers.toLocaleString('en-US')} dossiers`,
    );

    log('naive read (keyset pages of 1,000, jsonb parsed), before the rebuild');
    const before = await naiveRead(url);
    log(`  ${Math.round(before.perSecond).toLocaleString('en-US')} events/s`);
    log('rebuild (rebuildProjection from the store into PostgreSQL, child process)');
    const rebuild = await runRebuild(url, 'proj');
    if (rebuild.rejected > 0 || rebuild.eventsRead !== generated.events) {
      throw new Error(`rebuild read ${rebuild.eventsRead} events, rejected ${rebuild.rejected}`);
    }
    const rebuildRate = rebuild.eventsRead / (rebuild.totalMs / 1000);
    log(
      `  ${Math.round(rebuildRate).toLocaleString('en-US')} events/s; in the source's reads ${Math.round(rebuild.readMs)} ms ` +
        `of ${Math.round(rebuild.totalMs)} ms; ${rebuild.counts.dossiers} dossiers; peak RSS ${Math.round(rebuild.maxRssMb)} MB`,
    );
    log('naive read again, after the rebuild');
    const after = await naiveRead(url);
    log(`  ${Math.round(after.perSecond).toLocaleString('en-US')} events/s`);
    const readRate = (before.perSecond + after.perSecond) / 2;
    log("reference: the events copied by the server alone into a generation's events table");
    const copyRate = await serverSideCopy(url, generated.events);
    log(`  ${Math.round(copyRate).toLocaleString('en-US')} events/s`);

    log('KPI query latency');
    const kpi = await kpiLatency(url, 'kpi', options.kpiDossiers, options.queries, log);
    const events = generated.events.toLocaleString('en-US');
    return [
      {
        name: `projection rebuild (${events} events, PostgreSQL store → PostgreSQL)`,
        value: round(rebuildRate),
        unit: 'events/s',
        baseline: 'naive paged read of the same events (keyset 1,000, jsonb parsed)',
        baselineValue: round(readRate),
        ratio: round(rebuildRate / readRate, 3),
        range: [
          round(Math.min(before.perSecond, after.perSecond)),
          round(Math.max(before.perSecond, after.perSecond)),
        ],
        note:
          `goal ≥ 1.0; ${generated.dossiers} dossiers; the source's reads (store page + envelope) spanned ` +
          `${Math.round((rebuild.readMs / rebuild.totalMs) * 100)} % of the rebuild, mostly while the previous page ` +
          'was being applied (read ahead); range = the two baseline reads',
      },
      {
        name: `reference: server-side copy of the ${events} events into a generation's events table`,
        value: round(copyRate),
        unit: 'events/s',
        baseline: 'naive paged read of the same events (keyset 1,000, jsonb parsed)',
        baselineValue: round(readRate),
        ratio: round(copyRate / readRate, 3),
        note:
          'one insert … select, indexes as a rebuild fills them, no client work: what writing the events alone ' +
          'costs the server; a rebuild also reads them, folds them and writes dossier rows and aggregates on the ' +
          'same two cores (decision 0006)',
      },
      {
        name: `projection rebuild peak RSS (${events} events)`,
        value: round(rebuild.maxRssMb),
        unit: 'MB',
        baseline: 'goal',
        baselineValue: 512,
        ratio: round(512 / rebuild.maxRssMb, 3),
        note:
          `max RSS of the rebuild child process (node + tsx included), under the V8 old-space ceiling ` +
          `pnpm onestop replay applies to itself (${REBUILD_HEAP_MB} MB); ratio = goal ÷ peak, ≥ 1 meets it`,
      },
      {
        name: `KPI unit query (${options.kpiDossiers.toLocaleString('en-US')} dossiers, aggregates path)`,
        value: round(kpi.p99, 2),
        unit: 'ms p99',
        baseline: 'primary-key lookup of one dossier row (same transaction wrapper)',
        baselineValue: round(kpi.baseP99, 2),
        ratio: round(kpi.baseP99 / kpi.p99, 3),
        p50Ms: round(kpi.p50, 2),
        p99Ms: round(kpi.p99, 2),
        note: `goal p99 < 50 ms; baseline p50 ${round(kpi.baseP50, 2)} ms; dossier rows and aggregates generated in SQL`,
      },
    ];
  } finally {
    await dropDatabase(DATABASE);
  }
}
