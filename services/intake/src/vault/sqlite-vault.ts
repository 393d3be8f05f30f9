/**
 * The vault on the embedded store's SQLite file (embedded mode), beside the events: the same envelope encryption,
 * tables and rules as `postgresPersonalDataVault`, in SQLite's dialect (blobs, ISO-8601 text for instants, an
 * AUTOINCREMENT log id). A read and its log row commit in one transaction: no read goes unlogged.
 */
import type { Clock } from '@onestop/service-kit';
import { z } from 'zod';
import { keyFingerprint, open, sealRow, unpack } from './crypto.js';
import {
  type AccessLogEntry,
  PersonalData,
  PersonalDataErased,
  PersonalDataNotFound,
  PersonalDataUndecryptable,
  type PersonalDataVault,
  type VaultAccess,
} from './port.js';
import { putBatcher } from './put-batcher.js';

/** A statement in the store's open transaction (`EmbeddedTransaction` is one). */
export interface SqliteVaultTransaction {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What the vault needs of the store: a transaction on its file (`embeddedEventStore` has it). */
export interface SqliteVaultDatabase {
  withTransaction<T>(work: (tx: SqliteVaultTransaction) => Promise<T>): Promise<T>;
}

export interface SqliteVaultOptions {
  readonly db: SqliteVaultDatabase;
  /** 32 bytes (see `parseMasterKey`). */
  readonly masterKey: Buffer;
  /** Business time of access-log rows and erasures. */
  readonly clock: Clock;
}

const Instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

const DataRow = z.object({
  wrapped_key: z.instanceof(Buffer).nullable(),
  sealed_data: z.instanceof(Buffer),
  erased_at: Instant.nullable(),
});

const LogRow = z.object({
  id: z.number().int(),
  applicant_id: z.string(),
  action: z.enum(['read', 'read_erased', 'erase']),
  actor_id: z.string(),
  actor_role: z.string(),
  actor_unit_id: z.string().nullable(),
  purpose: z.string(),
  dossier_id: z.string().nullable(),
  at: Instant,
});

const WALL_NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

export function sqlitePersonalDataVault(options: SqliteVaultOptions): PersonalDataVault & {
  /** Creates the tables if missing (also done by the first call). */
  ready(): Promise<void>;
} {
  const { db, masterKey, clock } = options;
  const fingerprint = keyFingerprint(masterKey);
  let migrated: Promise<void> | undefined;
  // Every row of a batch in one transaction: one commit (one fsync) for all of them. A row that skips an erased
  // applicant is not RETURNed.
  const write = putBatcher((rows) =>
    db.withTransaction(async (tx) => {
      const stored = new Set<string>();
      for (const row of [...rows].sort((a, b) => Number(a.unlessErased) - Number(b.unlessErased))) {
        const result = await tx.query(
          `INSERT INTO personal_data (applicant_id, wrapped_key, key_fingerprint, sealed_data, updated_at)
           VALUES ($1, $2, $3, $4, ${WALL_NOW})
           ON CONFLICT (applicant_id) DO UPDATE
             SET wrapped_key = excluded.wrapped_key, key_fingerprint = excluded.key_fingerprint,
                 sealed_data = excluded.sealed_data, updated_at = excluded.updated_at, erased_at = NULL
             ${row.unlessErased ? 'WHERE personal_data.erased_at IS NULL' : ''}
           RETURNING applicant_id`,
          [row.applicantId, row.wrappedKey, fingerprint, row.sealedData],
        );
        if (result.rows.length > 0) stored.add(row.applicantId);
      }
      return stored;
    }),
  );

  const ready = (): Promise<void> => {
    // SQLite's write lock (BEGIN IMMEDIATE) serialises concurrent starters; no advisory lock is needed.
    migrated ??= db
      .withTransaction(async (tx) => {
        await tx.query(`
          CREATE TABLE IF NOT EXISTS personal_data (
            applicant_id TEXT PRIMARY KEY,
            wrapped_key BLOB,
            key_fingerprint TEXT NOT NULL,
            sealed_data BLOB NOT NULL,
            updated_at TEXT NOT NULL,
            erased_at TEXT
          )`);
        await tx.query(`
          CREATE TABLE IF NOT EXISTS personal_data_access_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            applicant_id TEXT NOT NULL,
            action TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_role TEXT NOT NULL,
            actor_unit_id TEXT,
            purpose TEXT NOT NULL,
            dossier_id TEXT,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL
          )`);
        await tx.query(
          `CREATE INDEX IF NOT EXISTS personal_data_access_log_applicant
             ON personal_data_access_log (applicant_id, id)`,
        );
      })
      .catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
    return migrated;
  };

  const log = async (
    tx: SqliteVaultTransaction,
    applicantId: string,
    action: AccessLogEntry['action'],
    access: VaultAccess,
  ) => {
    await tx.query(
      `INSERT INTO personal_data_access_log
         (applicant_id, action, actor_id, actor_role, actor_unit_id, purpose, dossier_id, at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${WALL_NOW})`,
      [
        applicantId,
        action,
        access.actor.id,
        access.actor.role,
        access.actor.unitId ?? null,
        access.purpose,
        access.dossierId ?? null,
        clock.now().toISOString(),
      ],
    );
  };

  const load = async (tx: SqliteVaultTransaction, applicantId: string) => {
    const result = await tx.query(
      'SELECT wrapped_key, sealed_data, erased_at FROM personal_data WHERE applicant_id = $1',
      [applicantId],
    );
    const row = result.rows[0];
    if (row === undefined) {
      throw PersonalDataNotFound(`no personal data for applicant ${applicantId}`, {
        details: { applicantId },
      });
    }
    return DataRow.parse(row);
  };

  return {
    ready,

    async put(applicantId, data, options = {}) {
      await ready();
      return { stored: await write(sealRow(masterKey, applicantId, data, options.unlessErased === true)) };
    },

    async get(applicantId, access) {
      await ready();
      const outcome = await db.withTransaction(async (tx) => {
        const row = await load(tx, applicantId);
        if (row.wrapped_key === null) {
          // Returned, not thrown: the attempt's log row must commit with the transaction.
          await log(tx, applicantId, 'read_erased', access);
          return { erased: (row.erased_at ?? clock.now()).toISOString() } as const;
        }
        let plaintext: Buffer;
        try {
          const dataKey = open(masterKey, unpack(row.wrapped_key), applicantId);
          plaintext = open(dataKey, unpack(row.sealed_data), applicantId);
          dataKey.fill(0);
        } catch (cause) {
          throw PersonalDataUndecryptable(`personal data of applicant ${applicantId} cannot be decrypted`, {
            details: { applicantId },
            cause,
          });
        }
        await log(tx, applicantId, 'read', access);
        return { data: PersonalData.parse(JSON.parse(plaintext.toString('utf8'))) } as const;
      });
      if ('erased' in outcome) {
        throw PersonalDataErased(`the personal data of applicant ${applicantId} was erased`, {
          details: { applicantId, erasedAt: outcome.erased },
        });
      }
      return outcome.data;
    },

    async erase(applicantId, access) {
      await ready();
      // The transaction holds SQLite's write lock from its start, so no FOR UPDATE is needed.
      return db.withTransaction(async (tx) => {
        const row = await load(tx, applicantId);
        if (row.erased_at !== null) return { erasedAt: row.erased_at };
        const erasedAt = clock.now();
        await tx.query(
          'UPDATE personal_data SET wrapped_key = NULL, erased_at = $2 WHERE applicant_id = $1',
          [applicantId, erasedAt.toISOString()],
        );
        await log(tx, applicantId, 'erase', access);
        return { erasedAt };
      });
    },

    async accessLog(filter = {}) {
      await ready();
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
      const result = await db.withTransaction((tx) =>
        tx.query(
          `SELECT id, applicant_id, action, actor_id, actor_role, actor_unit_id, purpose, dossier_id, at
             FROM personal_data_access_log
            WHERE $1 IS NULL OR applicant_id = $1
            ORDER BY id DESC LIMIT $2`,
          [filter.applicantId ?? null, limit],
        ),
      );
      return result.rows.map((raw) => {
        const row = LogRow.parse(raw);
        return {
          id: String(row.id),
          applicantId: row.applicant_id,
          action: row.action,
          actorId: row.actor_id,
          actorRole: row.actor_role,
          actorUnitId: row.actor_unit_id,
          purpose: row.purpose,
          dossierId: row.dossier_id,
          at: row.at,
        };
      });
    },
  };
}
