/**
 * Shared set-up of the projection specs, for either backend: the PostgreSQL store in a schema of its own (stack
 * mode's database) or the embedded store in memory (SQLite, embedded mode). The handler runs in the store's
 * `withTransaction`, as the store consumer runs it; the app reads the same tables on a frozen test clock.
 */
import { demoCatalog } from '@onestop/catalog';
import type { DossierEvent } from '@onestop/domain';
import { embeddedEventStore, postgresEventStore } from '@onestop/event-store';
import { type App, createTestClock, type Role, signDevToken, type TestClock } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../app.js';
import { createProjectionHandler } from '../read-model/handler.js';
import { migrateProjection, type ProjectionDatabase, projectionTables } from '../read-model/tables.js';

export const SECRET = 'projection-int-spec-secret-0123456789abcdef';
export type Backend = 'postgres' | 'embedded';
export const BACKENDS: readonly Backend[] = ['postgres', 'embedded'];

export interface Projection {
  readonly db: ProjectionDatabase;
  /** The PostgreSQL database of `db` (postgres backend only). */
  readonly connectionString?: string;
  readonly app: App;
  readonly clock: TestClock;
  /** Runs the handler on each event, one transaction per event (as the consumers do). */
  apply(events: readonly DossierEvent[]): Promise<void>;
  /** Rows of a projection table, ordered by its key. */
  rows(table: keyof ReturnType<typeof projectionTables>, where?: string): Promise<Record<string, unknown>[]>;
}

interface Closable {
  close(): Promise<void>;
}

export function useProjection(backend: Backend, now: Date): { readonly current: Projection } {
  const schema = backend === 'postgres' ? useTestSchema('proj') : undefined;
  let current: Projection | undefined;
  let store: (ProjectionDatabase & Closable) | undefined;
  beforeAll(async () => {
    if (schema === undefined) {
      store = embeddedEventStore({});
    } else {
      const pg = postgresEventStore({
        connectionString: schema.current.connectionString,
        schema: schema.current.schema,
        pool: { max: 3 },
      });
      await pg.ready();
      store = pg;
    }
    const db = store;
    await migrateProjection(db);
    const handler = createProjectionHandler({
      catalog: demoCatalog,
      ...(db.schema ? { schema: db.schema } : {}),
    });
    const clock = createTestClock(now, () => 0);
    const app = await buildApp(
      { db, clock, catalog: demoCatalog },
      { auth: { mode: 'hs256', secret: SECRET }, logger: false },
    );
    const tables = projectionTables(db.schema);
    const keys: Record<keyof typeof tables, string> = {
      dossiers: 'dossier_id',
      events: 'dossier_id, seq',
      unitDaily: 'competent_unit_id, day, procedure_code',
      intakeDaily: 'receiving_unit_id, day',
      officerSteps: 'competent_unit_id, officer_id, step_id',
      feedback: 'feedback_id',
    };
    current = {
      db,
      ...(schema === undefined ? {} : { connectionString: schema.current.connectionString }),
      app,
      clock,
      async apply(events) {
        for (const event of events) await db.withTransaction((tx) => handler(event, tx));
      },
      async rows(table, where) {
        const result = await db.withTransaction((tx) =>
          tx.query(`select * from ${tables[table]}${where ? ` where ${where}` : ''} order by ${keys[table]}`),
        );
        // Normalise numbers: PostgreSQL returns bigint columns as strings, SQLite as numbers.
        return result.rows.map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [
              k,
              typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v,
            ]),
          ),
        );
      },
    };
  });
  afterAll(async () => {
    await current?.app.close();
    await store?.close();
  });
  return {
    get current(): Projection {
      if (current === undefined) throw new Error('useProjection: read .current inside a test or hook');
      return current;
    },
  };
}

export function token(roles: readonly Role[], unitId?: string): Promise<string> {
  return signDevToken(
    { sub: `${roles.join('+')}@${unitId ?? 'all'}`, roles, ...(unitId === undefined ? {} : { unitId }) },
    SECRET,
  );
}

/** GET with a bearer token (or none), returning status and parsed JSON. */
export async function get(p: Projection, url: string, bearer?: string) {
  const response = await p.app.inject({
    method: 'GET',
    url,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
  });
  return { status: response.statusCode, body: response.json() };
}
