/**
 * What processing remembers of intake's DossierReceived (and DossierWithdrawn) events.
 *
 * Services learn of each other only through events, and DossierTransferred carries neither the procedure nor the
 * statutory due, so the service keeps a small read table fed by reactors. It is a table and not a stream: the
 * event catalogue is closed (the relay publishes every event of this service's store), so remembered facts must
 * not be appended as events. The SQL is valid in PostgreSQL (table in the store's schema) and in the embedded
 * store's SQLite file, so one implementation serves both modes.
 */
import { DossierReceivedData, defineError, Instant, Uuid } from '@onestop/domain';
import { type SideTableDatabase, type SideTableTransaction, sideTables } from '@onestop/event-store';
import { z } from 'zod';

/** A statement runner: the consumers' transactions and the stores' `withTransaction` fit. */
export type SqlTransaction = SideTableTransaction;

/** A database that runs work in one transaction; the PostgreSQL and embedded event stores both are one. */
export type SqlDatabase = SideTableDatabase;

export const ReceivedDossier = z.object({
  dossierId: Uuid,
  /** Business time of the receipt: the clock replays DossierReceived at this instant. */
  receivedAt: Instant,
  data: DossierReceivedData,
  withdrawnAt: Instant.optional(),
});
export type ReceivedDossier = z.infer<typeof ReceivedDossier>;

export interface ReceivedDossiers {
  /** Idempotent: a redelivered receipt keeps the first one. */
  remember(dossierId: string, receivedAt: string, data: z.infer<typeof DossierReceivedData>): Promise<void>;
  /** Idempotent: the first withdrawal instant stays. */
  markWithdrawn(dossierId: string, at: string): Promise<void>;
  find(dossierId: string): Promise<ReceivedDossier | undefined>;
}

/** A stored row could not be read back: a bug or a hand-edited table, never the caller's fault. */
export const ReceivedRowInvalid = defineError<{ dossierId: string }>('PROC_RECEIVED_ROW_INVALID', 'internal');

const TABLE = 'processing_received_dossiers';

const Row = z.object({ dossier_id: z.string(), received: z.string(), withdrawn_at: z.string().nullable() });
const Stored = z.object({ receivedAt: Instant, data: DossierReceivedData });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The read table in `db` (created on first use). */
export function receivedDossiersTable(db: SqlDatabase): ReceivedDossiers {
  const tables = sideTables(db, (t) => [
    `create table if not exists ${t(TABLE)} (
      dossier_id text primary key,
      received text not null,
      withdrawn_at text
    )`,
  ]);
  const table = tables.table(TABLE);

  return {
    async remember(dossierId, receivedAt, data) {
      const received = JSON.stringify(Stored.parse({ receivedAt, data }));
      await tables.run((tx) =>
        tx.query(
          `insert into ${table} (dossier_id, received) values ($1, $2) on conflict (dossier_id) do nothing`,
          [dossierId, received],
        ),
      );
    },
    async markWithdrawn(dossierId, at) {
      await tables.run((tx) =>
        tx.query(`update ${table} set withdrawn_at = $2 where dossier_id = $1 and withdrawn_at is null`, [
          dossierId,
          at,
        ]),
      );
    },
    async find(dossierId) {
      const result = await tables.run((tx) =>
        tx.query(`select dossier_id, received, withdrawn_at from ${table} where dossier_id = $1`, [
          dossierId,
        ]),
      );
      const first = result.rows[0];
      if (first === undefined) return undefined;
      const row = Row.safeParse(first);
      const stored = row.success ? Stored.safeParse(parseJson(row.data.received)) : undefined;
      if (!row.success || stored === undefined || !stored.success) {
        throw ReceivedRowInvalid(`the remembered receipt of dossier ${dossierId} is unreadable`, {
          details: { dossierId },
        });
      }
      return {
        dossierId,
        receivedAt: stored.data.receivedAt,
        data: stored.data.data,
        ...(row.data.withdrawn_at === null ? {} : { withdrawnAt: row.data.withdrawn_at }),
      };
    },
  };
}
