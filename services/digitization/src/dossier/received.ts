/**
 * The dossiers intake has received, as digitization's consumer has seen them (DossierReceived): the unit that
 * received each and its applicant. Digitizing is a clerk's act for the receiving unit, and a document is reused
 * only from another dossier of the same applicant; this service sees intake's events, not its store.
 *
 * A side table written in the consumer's transaction (the topic in stack mode, the store subscription in
 * embedded mode): each receipt once, none lost to a crash. The SQL is valid in PostgreSQL (table in the store's
 * schema) and in the embedded store's SQLite file.
 */
import type { DossierEvent } from '@onestop/domain';
import { type SideTableDatabase, type SideTableTransaction, sideTables } from '@onestop/event-store';
import { z } from 'zod';

export interface ReceivedDossier {
  readonly receivingUnitId: string;
  readonly applicantId: string;
}

export interface ReceivedDossiers {
  /** Creates the table; call before a consumer applies events (not inside its transaction). */
  ready(): Promise<void>;
  /** Remembers a DossierReceived in the consumer's transaction (other events: nothing); idempotent. */
  apply(event: DossierEvent, tx: SideTableTransaction): Promise<void>;
  find(dossierId: string): Promise<ReceivedDossier | undefined>;
}

const TABLE = 'digitization_received_dossiers';

const Row = z.object({ receiving_unit_id: z.string(), applicant_id: z.string() });

export function receivedDossiersTable(db: SideTableDatabase): ReceivedDossiers {
  const tables = sideTables(db, (t) => [
    `create table if not exists ${t(TABLE)} (
      dossier_id text primary key,
      receiving_unit_id text not null,
      applicant_id text not null
    )`,
  ]);
  const table = tables.table(TABLE);
  return {
    ready: tables.ensure,
    async apply(event, tx) {
      if (event.type !== 'DossierReceived') return;
      await tx.query(
        `insert into ${table} (dossier_id, receiving_unit_id, applicant_id) values ($1, $2, $3)
         on conflict (dossier_id) do nothing`,
        [event.dossierId, event.data.receivingUnitId, event.data.applicantId],
      );
    },
    async find(dossierId) {
      const { rows } = await tables.run((tx) =>
        tx.query(`select receiving_unit_id, applicant_id from ${table} where dossier_id = $1`, [dossierId]),
      );
      const [first] = rows;
      if (first === undefined) return undefined;
      const row = Row.parse(first);
      return { receivingUnitId: row.receiving_unit_id, applicantId: row.applicant_id };
    },
  };
}
