/**
 * The vault in the service's own PostgreSQL schema, next to its event store (and sharing its connection pool):
 * `personal_data` holds one row per applicant (sealed data + wrapped data key), `personal_data_access_log` one row
 * per read or erasure. A read and its log row commit in one transaction: no read goes unlogged.
 */
import type { PostgresTransaction } from '@onestop/event-store';
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

/** What the vault needs of the store: its schema and a transaction on its pool (`postgresEventStore` has both). */
export interface VaultDatabase {
  readonly schema: string;
  withTransaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T>;
}

export interface PostgresVaultOptions {
  readonly db: VaultDatabase;
  /** 32 bytes (see `parseMasterKey`). */
  readonly masterKey: Buffer;
  /** Business time of access-log rows. */
  readonly clock: Clock;
}

const DataRow = z.object({
  wrapped_key: z.instanceof(Buffer).nullable(),
  sealed_data: z.instanceof(Buffer),
  erased_at: z.date().nullable(),
});

const LogRow = z.object({
  id: z.string(),
  applicant_id: z.string(),
  action: z.enum(['read', 'read_erased', 'erase']),
  actor_id: z.string(),
  actor_role: z.string(),
  actor_unit_id: z.string().nullable(),
  purpose: z.string(),
  dossier_id: z.string().nullable(),
  at: z.date(),
});

export function postgresPersonalDataVault(options: PostgresVaultOptions): PersonalDataVault & {
  /** Creates the tables if missing (also done lazily by the first call). */
  ready(): Promise<void>;
} {
  const { db, masterKey, clock } = options;
  const s = `"${db.schema}"`;
  const fingerprint = keyFingerprint(masterKey);
  let migrated: Promise<void> | undefined;
  // One statement per kind of row for the whole batch, rows in key order, so two processes' batches lock rows in
  // the same order. A row that skips an erased applicant is not RETURNed.
  const upsert = (guarded: boolean) => `
    INSERT INTO ${s}.personal_data (applicant_id, wrapped_key, key_fingerprint, sealed_data)
    SELECT applicant_id, wrapped_key, $4, sealed_data
      FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS r (applicant_id, wrapped_key, sealed_data)
    ON CONFLICT (applicant_id) DO UPDATE
      SET wrapped_key = excluded.wrapped_key, key_fingerprint = excluded.key_fingerprint,
          sealed_data = excluded.sealed_data, updated_at = now(), erased_at = NULL
      ${guarded ? 'WHERE personal_data.erased_at IS NULL' : ''}
    RETURNING applicant_id::text AS applicant_id`;
  const write = putBatcher((rows) => {
    const sorted = [...rows].sort((a, b) => (a.applicantId < b.applicantId ? -1 : 1));
    return db.withTransaction(async (tx) => {
      const stored = new Set<string>();
      for (const guarded of [false, true]) {
        const group = sorted.filter((r) => r.unlessErased === guarded);
        if (group.length === 0) continue;
        const result = await tx.query(upsert(guarded), [
          group.map((r) => r.applicantId),
          group.map((r) => r.wrappedKey),
          group.map((r) => r.sealedData),
          fingerprint,
        ]);
        const written = new Set(
          result.rows.map((row) => z.object({ applicant_id: z.string() }).parse(row).applicant_id),
        );
        for (const row of group) if (written.has(row.applicantId.toLowerCase())) stored.add(row.applicantId);
      }
      return stored;
    });
  });

  const ready = (): Promise<void> => {
    migrated ??= db
      .withTransaction(async (tx) => {
        // Concurrent CREATE IF NOT EXISTS can still collide in the catalogue; the lock serialises starters.
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${db.schema}.personal_data`]);
        await tx.query(`
          CREATE TABLE IF NOT EXISTS ${s}.personal_data (
            applicant_id uuid PRIMARY KEY,
            wrapped_key bytea,
            key_fingerprint text NOT NULL,
            sealed_data bytea NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            erased_at timestamptz
          )`);
        await tx.query(`
          CREATE TABLE IF NOT EXISTS ${s}.personal_data_access_log (
            id bigserial PRIMARY KEY,
            applicant_id uuid NOT NULL,
            action text NOT NULL,
            actor_id text NOT NULL,
            actor_role text NOT NULL,
            actor_unit_id text,
            purpose text NOT NULL,
            dossier_id uuid,
            at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
          )`);
        await tx.query(
          `CREATE INDEX IF NOT EXISTS personal_data_access_log_applicant
             ON ${s}.personal_data_access_log (applicant_id, id)`,
        );
      })
      .catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
    return migrated;
  };

  const log = async (
    tx: PostgresTransaction,
    applicantId: string,
    action: AccessLogEntry['action'],
    access: VaultAccess,
  ) => {
    await tx.query(
      `INSERT INTO ${s}.personal_data_access_log
         (applicant_id, action, actor_id, actor_role, actor_unit_id, purpose, dossier_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        applicantId,
        action,
        access.actor.id,
        access.actor.role,
        access.actor.unitId ?? null,
        access.purpose,
        access.dossierId ?? null,
        clock.now(),
      ],
    );
  };

  const load = async (tx: PostgresTransaction, applicantId: string, lock: boolean) => {
    const result = await tx.query(
      `SELECT wrapped_key, sealed_data, erased_at FROM ${s}.personal_data WHERE applicant_id = $1${lock ? ' FOR UPDATE' : ''}`,
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
      return db
        .withTransaction(async (tx) => {
          const row = await load(tx, applicantId, false);
          if (row.wrapped_key === null) {
            // Returned, not thrown: the attempt's log row must commit with the transaction.
            const erasedAt = (row.erased_at ?? clock.now()).toISOString();
            await log(tx, applicantId, 'read_erased', access);
            return { erased: erasedAt } as const;
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
        })
        .then((outcome) => {
          if ('erased' in outcome) {
            throw PersonalDataErased(`the personal data of applicant ${applicantId} was erased`, {
              details: { applicantId, erasedAt: outcome.erased },
            });
          }
          return outcome.data;
        });
    },

    async erase(applicantId, access) {
      await ready();
      return db.withTransaction(async (tx) => {
        const row = await load(tx, applicantId, true);
        if (row.erased_at !== null) return { erasedAt: row.erased_at };
        const erasedAt = clock.now();
        await tx.query(
          `UPDATE ${s}.personal_data SET wrapped_key = NULL, erased_at = $2 WHERE applicant_id = $1`,
          [applicantId, erasedAt],
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
          `SELECT id::text AS id, applicant_id::text AS applicant_id, action, actor_id, actor_role, actor_unit_id,
                  purpose, dossier_id::text AS dossier_id, at
             FROM ${s}.personal_data_access_log
            WHERE $1::uuid IS NULL OR applicant_id = $1::uuid
            ORDER BY id DESC LIMIT $2`,
          [filter.applicantId ?? null, limit],
        ),
      );
      return result.rows.map((raw) => {
        const row = LogRow.parse(raw);
        return {
          id: row.id,
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
