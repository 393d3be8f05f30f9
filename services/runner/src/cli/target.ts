/**
 * Where an analyst command reads: the embedded data directory (default; `ONESTOP_DATA_DIR`), or a stack-mode
 * projection's PostgreSQL schema (`--database-url`, `--schema`, default `projection`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineError } from '@onestop/domain';
import { type EmbeddedEventStore, embeddedEventStore } from '@onestop/event-store';
import {
  migrateProjection,
  type PostgresProjectionDatabase,
  postgresProjectionDatabase,
} from '@onestop/projection';

/** A command-line mistake: exit 2 with the usage. */
export const UsageError = defineError('CLI_USAGE', 'validation');
/** The data the command needs is not there. */
export const NoData = defineError<{ dataDir: string }>('CLI_NO_DATA', 'not_found');

export type Target =
  | { readonly kind: 'embedded'; readonly store: EmbeddedEventStore; close(): Promise<void> }
  | { readonly kind: 'postgres'; readonly db: PostgresProjectionDatabase; close(): Promise<void> };

export interface TargetFlags {
  readonly 'database-url'?: string | undefined;
  readonly schema?: string | undefined;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/** Opens the target the flags name; the embedded store only if `dataDir` holds one (never creates it). */
export async function openTarget(flags: TargetFlags, dataDir: string): Promise<Target> {
  const url = flags['database-url'];
  if (url === undefined) {
    if (flags.schema !== undefined) throw UsageError('--schema needs --database-url');
    if (!existsSync(join(dataDir, 'events.sqlite'))) {
      throw NoData(
        `no embedded data in ${dataDir} (run \`pnpm start\` once, or point ONESTOP_DATA_DIR at a data directory)`,
        { details: { dataDir } },
      );
    }
    const store = embeddedEventStore({ dataDir });
    await migrateProjection(store);
    return { kind: 'embedded', store, close: () => store.close() };
  }
  const schema = flags.schema ?? 'projection';
  if (!SCHEMA.test(schema)) throw UsageError(`--schema: not a schema name: ${schema}`);
  if (!/^postgres(ql)?:\/\//.test(url)) throw UsageError('--database-url: expected postgres://…');
  const db = await postgresProjectionDatabase({ connectionString: url, schema, maxConnections: 2 });
  try {
    await migrateProjection(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { kind: 'postgres', db, close: () => db.close() };
}
