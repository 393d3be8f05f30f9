/**
 * The vault on the embedded store's SQLite file (embedded mode), beside the events: the same envelope encryption,
 * tables and rules as `postgresVault` (both are `sealedVault`), in SQLite's dialect (blobs, ISO-8601 text for
 * instants, an AUTOINCREMENT log id).
 */
import { z } from 'zod';
import { checkedLayout, type SealedVault, type VaultOptions, type VaultTransaction } from './port.js';
import type { SealedRow } from './put-batcher.js';
import { sealedVault } from './sealed-vault.js';

/** What the vault needs of the store: a transaction on its file (`embeddedEventStore` has it). */
export interface SqliteVaultDatabase {
  withTransaction<T>(work: (tx: VaultTransaction) => Promise<T>): Promise<T>;
}

const WALL_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

export function sqliteVault<T>(
  options: VaultOptions<T> & { readonly db: SqliteVaultDatabase },
): SealedVault<T> {
  const { db } = options;
  const layout = checkedLayout(options.layout);
  const data = layout.dataTable;
  const log = layout.logTable;
  const owner = layout.ownerColumn;
  const reference = layout.referenceColumn;

  return sealedVault(options, layout, {
    db,
    dataTable: data,
    logTable: log,
    wallNow: WALL_NOW,
    // The transaction holds SQLite's write lock from its start, so no FOR UPDATE is needed.
    forUpdate: '',
    instantParam: (at) => at.toISOString(),
    Instant: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
    accessLogSql: `
      SELECT id, ${owner} AS owner_id, action, actor_id, actor_role, actor_unit_id, purpose,
             ${reference} AS reference, at
        FROM ${log}
       WHERE $1 IS NULL OR ${owner} = $1
       ORDER BY id DESC LIMIT $2`,
    // Every row of a batch in one transaction: one commit (one fsync) for all of them. An `ifAbsent` row of an
    // owner that has a row is not RETURNed; plain rows go first, so one of the same owner counts as that row.
    writeBatch: (rows, fingerprint) =>
      db.withTransaction(async (tx) => {
        const written = new Set<SealedRow>();
        for (const row of [...rows].sort((a, b) => Number(a.ifAbsent) - Number(b.ifAbsent))) {
          const result = await tx.query(
            `INSERT INTO ${data} (${owner}, wrapped_key, key_fingerprint, sealed_data, updated_at)
             VALUES ($1, $2, $3, $4, ${WALL_NOW})
             ON CONFLICT (${owner}) ${
               row.ifAbsent
                 ? 'DO NOTHING'
                 : `DO UPDATE
               SET wrapped_key = excluded.wrapped_key, key_fingerprint = excluded.key_fingerprint,
                   sealed_data = excluded.sealed_data, updated_at = excluded.updated_at, erased_at = NULL`
             }
             RETURNING ${owner}`,
            [row.ownerId, row.wrappedKey, fingerprint, row.sealedData],
          );
          if (result.rows.length > 0) written.add(row);
        }
        return written;
      }),
    // SQLite's write lock (BEGIN IMMEDIATE) serialises concurrent starters; no advisory lock is needed.
    async migrate(tx) {
      await tx.query(`
        CREATE TABLE IF NOT EXISTS ${data} (
          ${owner} TEXT PRIMARY KEY,
          wrapped_key BLOB,
          key_fingerprint TEXT NOT NULL,
          sealed_data BLOB NOT NULL,
          updated_at TEXT NOT NULL,
          erased_at TEXT
        )`);
      await tx.query(`
        CREATE TABLE IF NOT EXISTS ${log} (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          ${owner} TEXT NOT NULL,
          action TEXT NOT NULL,
          actor_id TEXT NOT NULL,
          actor_role TEXT NOT NULL,
          actor_unit_id TEXT,
          purpose TEXT NOT NULL,
          ${reference} TEXT,
          at TEXT NOT NULL,
          recorded_at TEXT NOT NULL
        )`);
      await tx.query(`CREATE INDEX IF NOT EXISTS ${layout.logIndex} ON ${log} (${owner}, id)`);
    },
  });
}
