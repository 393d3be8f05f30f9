/**
 * The desk's day: the dossiers each one-stop centre received, by Vietnam date of receipt (business time), with
 * where each stands in intake (received, transferred, withdrawn). Every clerk device of a centre reads the same
 * list from it (`GET /v1/intake/units/{unitId}/received`).
 *
 * A read table fed by intake's own events through the consumer of its mode (the store subscription of embedded
 * mode, the topic in stack mode), in the consumer's transaction: each event is applied once, none is lost to a
 * crash, and the receipt's hot path writes nothing more. The SQL is valid in PostgreSQL (table in the store's
 * schema) and in the embedded store's SQLite file, so one implementation serves both modes.
 *
 * Beside it, fed by the same consumer, the national status each dossier last entered (`dossierStatusTable`):
 * intake's own stream stops at 4 once transferred, and withdrawal is refused once processing has stopped or
 * decided the dossier, or result-return has returned it.
 */
import { type DossierEvent, localDateOf, type NationalStatus } from '@onestop/domain';
import { type SideTableDatabase, type SideTableTransaction, sideTables } from '@onestop/event-store';
import { dossierStatusTable } from '@onestop/service-kit';
import { z } from 'zod';

/** A statement runner: the consumers' transactions and the stores' `withTransaction` fit. */
export type SqlTransaction = SideTableTransaction;

/** A database that runs work in one transaction; the PostgreSQL and embedded event stores both are one. */
export type SqlDatabase = SideTableDatabase;

export const deskStatuses = ['received', 'transferred', 'withdrawn'] as const;

export const DeskDossier = z.object({
  dossierId: z.string(),
  dossierCode: z.string(),
  procedureCode: z.string(),
  channel: z.enum(['desk', 'online', 'postal']),
  competentUnitId: z.string(),
  crossBoundary: z.boolean(),
  receivedAt: z.string(),
  status: z.enum(deskStatuses).describe('where the dossier stands in intake'),
});
export type DeskDossier = z.infer<typeof DeskDossier>;

export interface DeskDossiers {
  /** Creates the table; call before a consumer applies events (not inside its transaction). */
  ready(): Promise<void>;
  /** Applies one event in the consumer's transaction; idempotent, so a redelivery changes nothing. */
  apply(event: DossierEvent, tx: SqlTransaction): Promise<void>;
  /** What `unitId` received on the Vietnam date `day` (YYYY-MM-DD), latest first. */
  receivedOn(unitId: string, day: string): Promise<DeskDossier[]>;
  /** The national status the dossier last entered, as the events consumed so far say; undefined if none yet. */
  statusOf(dossierId: string): Promise<NationalStatus | undefined>;
}

const TABLE = 'intake_desk_dossiers';

const Row = z.object({
  dossier_id: z.string(),
  dossier_code: z.string(),
  procedure_code: z.string(),
  channel: z.enum(['desk', 'online', 'postal']),
  competent_unit_id: z.string(),
  cross_boundary: z
    .union([z.number(), z.string(), z.boolean()])
    .transform((v) => v === true || Number(v) === 1),
  received_at: z.string(),
  status: z.enum(deskStatuses),
});

export function deskDossiersTable(db: SqlDatabase): DeskDossiers {
  const tables = sideTables(db, (t) => [
    `create table if not exists ${t(TABLE)} (
      dossier_id text primary key,
      receiving_unit_id text not null,
      received_day text not null,
      received_at text not null,
      dossier_code text not null,
      procedure_code text not null,
      channel text not null,
      competent_unit_id text not null,
      cross_boundary integer not null,
      status text not null
    )`,
    `create index if not exists ${TABLE}_by_day on ${t(TABLE)} (receiving_unit_id, received_day)`,
  ]);
  const table = tables.table(TABLE);
  const statuses = dossierStatusTable(db, 'intake_dossier_status');

  return {
    async ready() {
      await tables.ensure();
      await statuses.ready();
    },
    async apply(event, tx) {
      await statuses.apply(event, tx);
      switch (event.type) {
        case 'DossierReceived': {
          const { data } = event;
          await tx.query(
            `insert into ${table} (dossier_id, receiving_unit_id, received_day, received_at, dossier_code,
               procedure_code, channel, competent_unit_id, cross_boundary, status)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received')
             on conflict (dossier_id) do nothing`,
            [
              event.dossierId,
              data.receivingUnitId,
              localDateOf(new Date(event.occurredAt)),
              event.occurredAt,
              data.dossierCode,
              data.procedureCode,
              data.channel,
              data.competentUnitId,
              data.crossBoundary ? 1 : 0,
            ],
          );
          return;
        }
        case 'DossierTransferred':
          await tx.query(
            `update ${table} set status = 'transferred' where dossier_id = $1 and status = 'received'`,
            [event.dossierId],
          );
          return;
        case 'DossierWithdrawn':
          await tx.query(`update ${table} set status = 'withdrawn' where dossier_id = $1`, [event.dossierId]);
          return;
        default:
          return;
      }
    },
    statusOf: (dossierId) => statuses.statusOf(dossierId),
    async receivedOn(unitId, day) {
      const { rows } = await tables.run((tx) =>
        tx.query(
          `select dossier_id, dossier_code, procedure_code, channel, competent_unit_id, cross_boundary, received_at,
                  status
             from ${table}
            where receiving_unit_id = $1 and received_day = $2
            order by received_at desc, dossier_code desc`,
          [unitId, day],
        ),
      );
      return rows.map((raw) => {
        const row = Row.parse(raw);
        return {
          dossierId: row.dossier_id,
          dossierCode: row.dossier_code,
          procedureCode: row.procedure_code,
          channel: row.channel,
          competentUnitId: row.competent_unit_id,
          crossBoundary: row.cross_boundary,
          receivedAt: row.received_at,
          status: row.status,
        };
      });
    },
  };
}
