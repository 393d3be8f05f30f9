/**
 * Child process of the projection bench: rebuilds the read models of `<projection schema>` from the PostgreSQL
 * event store in `<store schema>` (the product's path: `rebuildProjection` with the defaults `pnpm onestop
 * replay` uses, the store's paged `readAll`, its rows handed over as `trusted` entries: the store's own,
 * validated events) and prints one JSON line with its timings and the process's peak RSS. A process of its own,
 * started with the replay's V8 old-space ceiling, so the peak is the rebuild's alone.
 *
 * Usage: tsx src/projection-rebuild.ts <connection string> <store schema> <projection schema>
 */
import { demoCatalog } from '@onestop/catalog';
import { eventSchemaOf } from '@onestop/domain';
import { postgresEventStore } from '@onestop/event-store';
import {
  type LogEntry,
  migrateProjection,
  postgresProjectionDatabase,
  type RebuildSource,
  rebuildProjection,
} from '@onestop/projection';

const [connectionString, storeSchema, projectionSchema] = process.argv.slice(2);
if (!connectionString || !storeSchema || !projectionSchema) {
  throw new Error('usage: projection-rebuild <connection string> <store schema> <projection schema>');
}

const store = postgresEventStore({ connectionString, schema: storeSchema, pool: { max: 2 } });
await store.ready();
const db = await postgresProjectionDatabase({
  connectionString,
  schema: projectionSchema,
  maxConnections: 2,
});
await migrateProjection(db);

let readMs = 0;
const source: RebuildSource = {
  async read(after, max) {
    const t0 = performance.now();
    const { events, checkpoint } = await store.readAll({
      ...(after === undefined ? {} : { after }),
      maxCount: max,
    });
    // The store's own events: envelope-checked and upcast by the rebuild, payload trusted (see `LogEntry`).
    const entries = events.map(
      (stored): LogEntry =>
        eventSchemaOf(stored.type) === undefined
          ? { kind: 'skipped' }
          : {
              kind: 'trusted',
              // The envelope as `dossierEventFromStored` assembles it: store columns win over metadata.
              // (Object.assign: an object spread of the parsed metadata costs ten times as much.)
              raw: Object.assign({}, stored.metadata, {
                eventId: stored.eventId,
                type: stored.type,
                data: stored.data,
                streamId: stored.streamId,
                streamVersion: stored.streamVersion,
                recordedAt: stored.recordedAt.toISOString(),
              }),
            },
    );
    readMs += performance.now() - t0;
    return { entries, checkpoint };
  },
  async remaining() {
    return 0;
  },
};

const t0 = performance.now();
const result = await rebuildProjection({
  db,
  source,
  catalog: demoCatalog,
});
const totalMs = performance.now() - t0;
await store.close();
await db.close();
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    readMs,
    eventsRead: result.eventsRead,
    applied: result.applied,
    rejected: result.rejected,
    counts: result.counts,
    // resourceUsage().maxRSS is in KiB.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
