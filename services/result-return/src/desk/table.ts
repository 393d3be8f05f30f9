/**
 * The results waiting at each returning desk: received there (status 9) and not yet handed to the applicant, so
 * every clerk device of the unit lists the same results (`GET /v1/return/units/{unitId}/waiting`).
 *
 * A read table fed through the consumer of its mode (the store subscription of embedded mode, the topic in stack
 * mode), in the consumer's transaction: each event is applied once and none is lost to a crash. Intake's
 * DossierReceived gives the dossier's code and procedure (the result-return events carry neither), this service's
 * ResultReceivedAtDesk and ResultReturned the rest; rows are upserted, so the order events arrive in does not
 * matter. The SQL is valid in PostgreSQL (table in the store's schema) and in the embedded store's SQLite file.
 *
 * Beside it, fed by the same consumer, the national status each dossier last entered (`dossierStatusTable`): a
 * result received by hand at a desk must be one processing has decided.
 */
import type { DossierEvent, NationalStatus } from '@onestop/domain';
import { type SideTableDatabase, type SideTableTransaction, sideTables } from '@onestop/event-store';
import { dossierStatusTable } from '@onestop/service-kit';
import { z } from 'zod';

/** A statement runner: the consumers' transactions and the stores' `withTransaction` fit. */
export type SqlTransaction = SideTableTransaction;

/** A database that runs work in one transaction; the PostgreSQL and embedded event stores both are one. */
export type SqlDatabase = SideTableDatabase;

export const WaitingResult = z.object({
  dossierId: z.string(),
  dossierCode: z.string().nullable().describe('null if intake’s receipt has not been seen yet'),
  procedureCode: z.string().nullable(),
  receivedAt: z.string().describe('when the result reached the desk'),
});
export type WaitingResult = z.infer<typeof WaitingResult>;

export interface DeskResults {
  /** Creates the table; call before a consumer applies events (not inside its transaction). */
  ready(): Promise<void>;
  /** Applies one event in the consumer's transaction; idempotent. */
  apply(event: DossierEvent, tx: SqlTransaction): Promise<void>;
  /** Results at `unitId`'s desk not yet returned, the longest waiting first. */
  waitingAt(unitId: string): Promise<WaitingResult[]>;
  /** The national status the dossier last entered, as the events consumed so far say; undefined if none yet. */
  statusOf(dossierId: string): Promise<NationalStatus | undefined>;
}

const TABLE = 'return_desk_results';

const Row = z.object({
  dossier_id: z.string(),
  dossier_code: z.string().nullable(),
  procedure_code: z.string().nullable(),
  received_at: z.string(),
});

export function deskResultsTable(db: SqlDatabase): DeskResults {
  const tables = sideTables(db, (t) => [
    `create table if not exists ${t(TABLE)} (
      dossier_id text primary key,
      dossier_code text,
      procedure_code text,
      returning_unit_id text,
      received_at text,
      returned_at text
    )`,
    `create index if not exists ${TABLE}_waiting on ${t(TABLE)} (returning_unit_id, returned_at)`,
  ]);
  const table = tables.table(TABLE);
  const statuses = dossierStatusTable(db, 'return_dossier_status');

  // First writer inserts the row; later events fill in their columns (a redelivery rewrites the same values).
  const upsert = (
    tx: SqlTransaction,
    dossierId: string,
    columns: readonly string[],
    values: readonly string[],
  ) => {
    const placeholders = columns.map((_, i) => `$${i + 2}`).join(', ');
    const updates = columns.map((c) => `${c} = excluded.${c}`).join(', ');
    return tx.query(
      `insert into ${table} (dossier_id, ${columns.join(', ')}) values ($1, ${placeholders})
       on conflict (dossier_id) do update set ${updates}`,
      [dossierId, ...values],
    );
  };

  return {
    async ready() {
      await tables.ensure();
      await statuses.ready();
    },
    statusOf: (dossierId) => statuses.statusOf(dossierId),
    async apply(event, tx) {
      await statuses.apply(event, tx);
      switch (event.type) {
        case 'DossierReceived':
          await upsert(
            tx,
            event.dossierId,
            ['dossier_code', 'procedure_code'],
            [event.data.dossierCode, event.data.procedureCode],
          );
          return;
        case 'ResultReceivedAtDesk':
          await upsert(
            tx,
            event.dossierId,
            ['returning_unit_id', 'received_at'],
            [event.data.returningUnitId, event.occurredAt],
          );
          return;
        case 'ResultReturned':
          await upsert(tx, event.dossierId, ['returned_at'], [event.occurredAt]);
          return;
        default:
          return;
      }
    },
    async waitingAt(unitId) {
      const { rows } = await tables.run((tx) =>
        tx.query(
          `select dossier_id, dossier_code, procedure_code, received_at from ${table}
            where returning_unit_id = $1 and returned_at is null and received_at is not null
            order by received_at, dossier_id`,
          [unitId],
        ),
      );
      return rows.map((raw) => {
        const row = Row.parse(raw);
        return {
          dossierId: row.dossier_id,
          dossierCode: row.dossier_code,
          procedureCode: row.procedure_code,
          receivedAt: row.received_at,
        };
      });
    },
  };
}
