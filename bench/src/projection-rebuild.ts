/**
 * Child process of the projection bench: rebuilds the read models of `<projection schema>` from the PostgreSQL
 * event store in `<store schema>` (the product's path: `rebuildProjection`, the store's paged `readAll`) and
 * prints one JSON line with its timings and the process's peak RSS. A process of its own, so the peak is the
 * rebuild's alone.
 *
 * Usage: tsx src/projection-rebuild.ts <connection string> <store schema> <projection schema>
 */
import { demoCatalog } from '@onestop/catalog';
import { dossierEventFromStored, eventSchemaOf } from '@onestop/domain';
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
    const entries = events.map((stored): LogEntry => {
      if (eventSchemaOf(stored.type) === undefined) return { kind: 'skipped' };
      try {
        return { kind: 'dossier', event: dossierEventFromStored(stored) };
      } catch (error) {
        return { kind: 'rejected', eventId: stored.eventId, reason: String(error) };
      }
    });
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
  batchEvents: 10_000,
  batchMs: 5_000,
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
