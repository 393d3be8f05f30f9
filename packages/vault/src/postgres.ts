/**
 * The vault in a service's own PostgreSQL schema, next to its event store (and sharing its connection pool): the
 * data table holds one row per owner (sealed data + wrapped data key), the log table one row per access. The rules
 * are `sealedVault`'s; this file holds PostgreSQL's tables and its batched upsert.
 */
import { z } from 'zod';
import { checkedLayout, type SealedVault, type VaultOptions, type VaultTransaction } from './port.js';
import type { SealedRow } from './put-batcher.js';
import { sealedVault } from './sealed-vault.js';

// Module-level: a zod schema built per row costs its construction and the compilation of its fast path on every
// parse (4 % and 4 % of a receipt's CPU when it was built inside the loop below).
const OwnerRow = z.object({ owner_id: z.string() });

/** What the vault needs of the store: its schema and a transaction on its pool (`postgresEventStore` has both). */
export interface PostgresVaultDatabase {
  readonly schema: string;
  withTransaction<T>(work: (tx: VaultTransaction) => Promise<T>): Promise<T>;
  /** One statement committed on its own. */
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export function postgresVault<T>(
  options: VaultOptions<T> & { readonly db: PostgresVaultDatabase },
): SealedVault<T> {
  const { db } = options;
  const layout = checkedLayout(options.layout);
  if (!/^[a-z_][a-z0-9_]*$/.test(db.schema)) throw new Error(`unexpected schema name ${db.schema}`);
  const s = `"${db.schema}"`;
  const data = `${s}.${layout.dataTable}`;
  const log = `${s}.${layout.logTable}`;
  const owner = layout.ownerColumn;
  const reference = layout.referenceColumn;

  // One statement per kind of row for the whole batch, rows in key order, so two processes' batches lock rows in
  // the same order. An `ifAbsent` row of an owner that has a row is not RETURNed.
  const upsert = (ifAbsent: boolean) => `
    INSERT INTO ${data} (${owner}, wrapped_key, key_fingerprint, sealed_data)
    SELECT ${owner}, wrapped_key, $4, sealed_data
      FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS r (${owner}, wrapped_key, sealed_data)
    ON CONFLICT (${owner}) ${
      ifAbsent
        ? 'DO NOTHING'
        : `DO UPDATE
      SET wrapped_key = excluded.wrapped_key, key_fingerprint = excluded.key_fingerprint,
          sealed_data = excluded.sealed_data, updated_at = now(), erased_at = NULL`
    }
    RETURNING ${owner}::text AS owner_id`;
  const writeBatch = async (rows: readonly SealedRow[], fingerprint: string) => {
    const sorted = [...rows].sort((a, b) => (a.ownerId < b.ownerId ? -1 : 1));
    // Plain rows first: an `ifAbsent` row of the same owner then finds the row and is not written.
    const groups = [false, true]
      .map((ifAbsent) => ({ ifAbsent, group: sorted.filter((r) => r.ifAbsent === ifAbsent) }))
      .filter(({ group }) => group.length > 0);
    const writeGroup = async (tx: VaultTransaction, ifAbsent: boolean, group: typeof sorted) => {
      const result = await tx.query(upsert(ifAbsent), [
        group.map((r) => r.ownerId),
        group.map((r) => r.wrappedKey),
        group.map((r) => r.sealedData),
        fingerprint,
      ]);
      const written = new Set(result.rows.map((row) => OwnerRow.parse(row).owner_id));
      return group.filter((row) => written.has(row.ownerId.toLowerCase()));
    };
    // The usual batch has one kind of row: one statement, committed on its own (BEGIN and COMMIT were two of
    // the three round trips of every receipt's vault write).
    const [only] = groups;
    if (groups.length === 1 && only !== undefined) {
      return new Set(await writeGroup(db, only.ifAbsent, only.group));
    }
    return db.withTransaction(async (tx) => {
      const written = new Set<SealedRow>();
      for (const { ifAbsent, group } of groups)
        for (const row of await writeGroup(tx, ifAbsent, group)) written.add(row);
      return written;
    });
  };

  return sealedVault(options, layout, {
    db,
    dataTable: data,
    logTable: log,
    wallNow: 'now()',
    forUpdate: ' FOR UPDATE',
    instantParam: (at) => at,
    Instant: z.date(),
    accessLogSql: `
      SELECT id::text AS id, ${owner}::text AS owner_id, action, actor_id, actor_role, actor_unit_id,
             purpose, ${reference}::text AS reference, at
        FROM ${log}
       WHERE $1::uuid IS NULL OR ${owner} = $1::uuid
       ORDER BY id DESC LIMIT $2`,
    writeBatch,
    async migrate(tx) {
      // Concurrent CREATE IF NOT EXISTS can still collide in the catalogue; the lock serialises starters.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${db.schema}.${layout.dataTable}`]);
      await tx.query(`
        CREATE TABLE IF NOT EXISTS ${data} (
          ${owner} uuid PRIMARY KEY,
          wrapped_key bytea,
          key_fingerprint text NOT NULL,
          sealed_data bytea NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          erased_at timestamptz
        )`);
      await tx.query(`
        CREATE TABLE IF NOT EXISTS ${log} (
          id bigserial PRIMARY KEY,
          ${owner} uuid NOT NULL,
          action text NOT NULL,
          actor_id text NOT NULL,
          actor_role text NOT NULL,
          actor_unit_id text,
          purpose text NOT NULL,
          ${reference} uuid,
          at timestamptz NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now()
        )`);
      await tx.query(`CREATE INDEX IF NOT EXISTS ${layout.logIndex} ON ${log} (${owner}, id)`);
    },
  });
}
