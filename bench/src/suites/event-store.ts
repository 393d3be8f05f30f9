/**
 * Event store benchmarks (issue: event store). Baselines are raw node-pg statements on an equivalent table in the
 * same database, measured in this run; the peer is Emmett 0.42 (`@event-driven-io/emmett-postgresql`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumbo } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import {
  type EventStore,
  embeddedEventStore,
  type JsonObject,
  postgresEventStore,
} from '@onestop/event-store';
import type pg from 'pg';
import { clients, dropDatabase, recreateDatabase } from '../db.js';
import {
  type BenchResult,
  closedLoop,
  interleavedClosedLoops,
  interleavedTimed,
  payloadPool,
  type Rate,
  throughputResult,
  timed,
} from '../harness.js';

export interface EventStoreBenchOptions {
  readonly durationMs: number;
  readonly runs: number;
  /** Events read by the `readAll` measures and the naive paged read: each reads a fresh table of exactly this many (500k in the full run). */
  readonly readEvents: number;
  /** Events in the Emmett store for its global read (its read cost grows with the table). */
  readonly emmettReadEvents: number;
  readonly log: (line: string) => void;
}

const payloads = payloadPool();
const payload = (i: number): JsonObject => payloads[i % payloads.length] ?? {};
const metadata: JsonObject = { source: 'bench', correlationId: '0190f0f0-0000-7000-8000-000000000000' };

const RAW_TABLE = `create table raw_events (
  global_position bigserial primary key, stream_id text not null, stream_position int not null,
  type text not null, data jsonb not null, metadata jsonb not null, recorded_at timestamptz not null default now(),
  unique (stream_id, stream_position))`;

export async function eventStoreBench(options: EventStoreBenchOptions): Promise<BenchResult[]> {
  const { durationMs, runs, log } = options;
  const loop = { durationMs, runs };
  const results: BenchResult[] = [];
  const url = await recreateDatabase('onestop_bench');
  const emmettUrl = await recreateDatabase('onestop_bench_emmett');
  const pool = await clients(url, 8);
  const [c0] = pool;
  if (!c0) throw new Error('no client');
  await c0.query(RAW_TABLE);
  const truncateRaw = async () => {
    await c0.query('truncate raw_events restart identity');
    await c0.query('checkpoint');
  };
  const ours = postgresEventStore({ connectionString: url, schema: 'es_bench' });
  const emmett = getPostgreSQLEventStore(emmettUrl);
  let raw1x1: Rate;
  let raw100x8: Rate;
  try {
    await ours.ready();
    await emmett.appendToStream(`warmup-${randomUUID()}`, [{ type: 'Warmup', data: {} }]); // runs its migration

    // ── appends: the raw baseline, ours and Emmett take turns run by run (same load from elsewhere) ──────────
    log('append 1 event, 8 concurrent: raw insert (1 row/tx) / ours / emmett, interleaved');
    const [raw1x8, append1, emmett1] = await interleavedClosedLoops([
      {
        ...loop,
        concurrency: 8,
        itemsPerOp: 1,
        beforeRun: truncateRaw,
        op: (w, i) => rawInsert(pool[w] ?? c0, randomUUID(), 1, i),
      },
      { ...loop, concurrency: 8, itemsPerOp: 1, op: (_w, i) => appendNew(ours, 1, i) },
      { ...loop, concurrency: 8, itemsPerOp: 1, op: (_w, i) => emmettAppend(emmett, 1, i) },
    ]);
    log('append 10 events, 8 concurrent: raw insert (10 rows/tx) / ours / emmett, interleaved');
    const [raw10x8, append10, emmett10] = await interleavedClosedLoops([
      {
        ...loop,
        concurrency: 8,
        itemsPerOp: 10,
        beforeRun: truncateRaw,
        op: (w, i) => rawInsert(pool[w] ?? c0, randomUUID(), 10, i),
      },
      { ...loop, concurrency: 8, itemsPerOp: 10, op: (_w, i) => appendNew(ours, 10, i) },
      { ...loop, concurrency: 8, itemsPerOp: 10, op: (_w, i) => emmettAppend(emmett, 10, i) },
    ]);
    log('raw insert (1 row/tx, 1 client)');
    raw1x1 = await closedLoop({
      ...loop,
      concurrency: 1,
      itemsPerOp: 1,
      beforeRun: truncateRaw,
      op: (_w, i) => rawInsert(c0, randomUUID(), 1, i),
    });
    log('raw insert (100 rows/tx, 8 clients)');
    raw100x8 = await closedLoop({
      ...loop,
      concurrency: 8,
      itemsPerOp: 100,
      beforeRun: truncateRaw,
      op: (w, i) => rawInsert(pool[w] ?? c0, randomUUID(), 100, i),
    });
    results.push(
      throughputResult(
        'raw insert (100 rows/tx, 8 clients)',
        raw100x8,
        'raw insert (1 row/tx, 8 clients)',
        raw1x8,
        'rows/s',
      ),
      throughputResult('append (1 event, 8 appenders)', append1, 'raw insert (1 row/tx, 8 clients)', raw1x8),
      throughputResult(
        'append (10 events, 8 appenders)',
        append10,
        'raw insert (10 rows/tx, 8 clients)',
        raw10x8,
      ),
      throughputResult(
        'append (1 event, 8 appenders)',
        append1,
        'emmett append (1 event, 8 appenders)',
        emmett1,
      ),
      throughputResult(
        'append (10 events, 8 appenders)',
        append10,
        'emmett append (10 events, 8 appenders)',
        emmett10,
      ),
      throughputResult(
        'emmett append (1 event, 8 appenders)',
        emmett1,
        'raw insert (1 row/tx, 8 clients)',
        raw1x8,
      ),
    );
  } finally {
    await emmett.close();
    await ours.close();
  }

  // ── global read: our store in a fresh schema and the raw table, each holding exactly N events ───────────────
  const n = options.readEvents;
  const pages = 'pages of 1,000';
  log(`seeding ${n.toLocaleString('en-US')} rows for the naive paged read`);
  await truncateRaw();
  await seed(n, 8, 100, (w, count, i) => rawInsert(pool[w] ?? c0, randomUUID(), count, i));
  await c0.query('vacuum analyze raw_events');
  const reader = postgresEventStore({ connectionString: url, schema: 'es_read' });
  let readAll: Rate;
  let naive: Rate;
  try {
    log(`seeding a fresh store with ${n.toLocaleString('en-US')} events`);
    await seed(n, 8, 100, (_w, count, i) => appendNew(reader, count, i));
    await c0.query('vacuum analyze es_read.events');
    const stored = await countAll(c0, 'es_read');
    if (stored !== n) throw new Error(`read store holds ${stored} events, expected ${n}`);
    log(`naive paged read / ours: readAll, ${fmtCount(n)} events each, interleaved`);
    [naive, readAll] = await interleavedTimed(runs, [
      { items: n, task: () => naivePagedRead(c0, n) },
      { items: n, task: () => readEverything(reader, n) },
    ]);
  } finally {
    await reader.close();
  }
  const naiveName = `naive paged read (${fmtCount(n)} rows, ${pages})`;
  results.push(
    throughputResult(
      `readAll (${fmtCount(n)} events, ${pages})`,
      readAll,
      naiveName,
      naive,
      'events/s',
      'raw table stores jsonb (as in perf-anchors.md); ours stores json text, which the server sends without re-printing',
    ),
  );

  // ── peer: Emmett's global read, in a fresh database of exactly M events (its cost grows with the table) ──────
  const m = options.emmettReadEvents;
  const emmettReadUrl = await recreateDatabase('onestop_bench_emmett_read');
  const emmettReader = getPostgreSQLEventStore(emmettReadUrl);
  try {
    log(`seeding a fresh Emmett store with ${m.toLocaleString('en-US')} events`);
    await seed(m, 8, 100, (_w, count, i) => emmettAppend(emmettReader, count, i));
    const emmettClient = (await clients(emmettReadUrl, 1))[0];
    if (!emmettClient) throw new Error('no client');
    await emmettClient.query('vacuum analyze');
    await emmettClient.end();
    log('emmett: global read (readMessagesBatch, batches of 1,000, capped at 20 s)');
    const emmettRead = await emmettGlobalRead(emmettReadUrl, 20_000);
    results.push(
      throughputResult(
        `readAll (${fmtCount(n)} events, ${pages})`,
        readAll,
        `emmett readMessagesBatch (${fmtCount(m)} events, batches of 1,000)`,
        emmettRead,
      ),
    );
  } finally {
    await emmettReader.close();
  }

  // ── embedded (SQLite, fsync on commit) ────────────────────────────────────────────────────────────────────
  const dir = await mkdtemp(join(tmpdir(), 'onestop-bench-embedded-'));
  const embedded = embeddedEventStore({ dataDir: join(dir, 'appends') });
  try {
    log('embedded: append (1 event, 1 appender)');
    const emb1 = await closedLoop({
      ...loop,
      concurrency: 1,
      itemsPerOp: 1,
      op: (_w, i) => appendNew(embedded, 1, i),
    });
    results.push(
      throughputResult(
        'embedded append (1 event, 1 appender)',
        emb1,
        'raw insert (1 row/tx, 1 client)',
        raw1x1,
      ),
    );
    log('embedded: append (100 events, 1 appender)');
    const emb100 = await closedLoop({
      ...loop,
      concurrency: 1,
      itemsPerOp: 100,
      op: (_w, i) => appendNew(embedded, 100, i),
    });
    results.push(
      throughputResult(
        'embedded append (100 events, 1 appender)',
        emb100,
        'raw insert (100 rows/tx, 8 clients)',
        raw100x8,
      ),
    );
  } finally {
    await embedded.close();
  }
  // The embedded read gets a fresh store of exactly N events, like the PostgreSQL one.
  const embeddedReader = embeddedEventStore({ dataDir: join(dir, 'read') });
  try {
    log(`seeding a fresh embedded store with ${n.toLocaleString('en-US')} events`);
    await seed(n, 1, 500, (_w, count, i) => appendNew(embeddedReader, count, i));
    const embTotal = await countEmbedded(embeddedReader);
    if (embTotal !== n) throw new Error(`embedded read store holds ${embTotal} events, expected ${n}`);
    log('embedded: readAll');
    const embRead = await timed(runs, n, () => readEverything(embeddedReader, n));
    results.push(
      throughputResult(`embedded readAll (${fmtCount(n)} events, ${pages})`, embRead, naiveName, naive),
    );
  } finally {
    await embeddedReader.close();
    await rm(dir, { recursive: true, force: true });
  }

  await Promise.all(pool.map((c) => c.end()));
  await dropDatabase('onestop_bench');
  await dropDatabase('onestop_bench_emmett');
  await dropDatabase('onestop_bench_emmett_read');
  return results;
}

function fmtCount(n: number): string {
  return n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
}

async function rawInsert(client: pg.Client, streamId: string, rows: number, i: number): Promise<void> {
  if (rows === 1) {
    await client.query({
      name: 'raw-insert-1',
      text: 'insert into raw_events (stream_id, stream_position, type, data, metadata) values ($1, 0, $2, $3, $4)',
      values: [streamId, 'DossierReceived', payload(i), metadata],
    });
    return;
  }
  await client.query({
    name: 'raw-insert-n',
    text: `insert into raw_events (stream_id, stream_position, type, data, metadata)
           select $1, p, 'DossierReceived', d, $3 from unnest($2::jsonb[]) with ordinality as t(d, p)`,
    values: [streamId, Array.from({ length: rows }, (_, k) => JSON.stringify(payload(i + k))), metadata],
  });
}

async function naivePagedRead(client: pg.Client, expected: number): Promise<void> {
  let last = 0;
  let seen = 0;
  for (;;) {
    const { rows } = await client.query<{ global_position: string; data: unknown }>({
      name: 'naive-page',
      text: 'select global_position, stream_id, stream_position, type, data, metadata, recorded_at from raw_events where global_position > $1 order by global_position limit 1000',
      values: [last],
    });
    if (rows.length === 0) break;
    seen += rows.length;
    last = Number(rows[rows.length - 1]?.global_position);
  }
  if (seen !== expected) throw new Error(`naive read saw ${seen} rows, expected ${expected}`);
}

async function appendNew(store: EventStore, count: number, i: number): Promise<void> {
  await store.appendToStream(
    `bench-${randomUUID()}`,
    Array.from({ length: count }, (_, k) => ({
      eventId: randomUUID(),
      type: 'DossierReceived',
      data: payload(i + k),
      metadata,
    })),
    { expectedVersion: 'no_stream' },
  );
}

async function readEverything(store: EventStore, expected: number): Promise<void> {
  let after: string | undefined;
  let seen = 0;
  for (;;) {
    const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 });
    if (page.events.length === 0) break;
    // Every payload is checked: a reader uses its events, and a store that parsed payloads lazily must not be
    // credited with work it skipped (the naive read parses them all).
    for (const event of page.events) if (typeof event.data === 'object') seen++;
    after = page.checkpoint;
  }
  if (seen !== expected) throw new Error(`readAll saw ${seen} events with a payload, expected ${expected}`);
}

async function countAll(client: pg.Client, schema: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from "${schema}".events`);
  return rows[0]?.n ?? 0;
}

async function countEmbedded(store: EventStore): Promise<number> {
  let after: string | undefined;
  let seen = 0;
  for (;;) {
    const page = await store.readAll(after === undefined ? { maxCount: 5000 } : { after, maxCount: 5000 });
    if (page.events.length === 0) return seen;
    seen += page.events.length;
    after = page.checkpoint;
  }
}

type Emmett = ReturnType<typeof getPostgreSQLEventStore>;

async function emmettAppend(store: Emmett, count: number, i: number): Promise<void> {
  await store.appendToStream(
    `order-${randomUUID()}`,
    Array.from({ length: count }, (_, k) => ({ type: 'DossierReceived', data: payload(i + k) })),
  );
}

async function emmettGlobalRead(connectionString: string, capMs: number): Promise<Rate> {
  const pool = dumbo({ connectionString });
  try {
    let after = 0n;
    let seen = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < capMs) {
      const batch = await readMessagesBatch(pool.execute, { after, batchSize: 1000 });
      if (batch.messages.length === 0) break;
      seen += batch.messages.length;
      after = batch.currentGlobalPosition;
    }
    const perSecond = seen / ((performance.now() - t0) / 1000);
    return { perSecond, range: [perSecond, perSecond], p50Ms: 0, p99Ms: 0 };
  } finally {
    await pool.close();
  }
}

/** Fills a store quickly with `total` items using `workers` concurrent writers of `batch` items each. */
async function seed(
  total: number,
  workers: number,
  batch: number,
  write: (w: number, n: number, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (next < total) {
        const n = Math.min(batch, total - next);
        const i = next;
        next += n;
        await write(w, n, i);
      }
    }),
  );
}
