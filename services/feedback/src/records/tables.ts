/**
 * The feedback service's tables beside its event streams. The SQL is valid in PostgreSQL (tables in the store's
 * schema) and in the embedded store's SQLite file, so one implementation serves both modes.
 *
 * - `feedback_items`: which items each unit has (the list route), and the envelope key of each item (the
 *   dossier it is about, else its own id). Written before the item's first event, so a crash in between leaves
 *   a row without a stream, which readers skip, never a stream without a row.
 * - `feedback_dossiers`: the dossiers the service has heard of (from DossierReceived), to check a dossier subject
 *   (by id from a clerk, by code from a citizen) and find its competent unit without reading intake's streams.
 *
 * What the citizen wrote and how to reach them is not here: it is in the filer vault (`filer/vault.ts`),
 * encrypted under the filer's own key. Stores created before the vault have a `feedback_private` table with
 * those columns in clear; nothing reads or writes it any more (drop it by hand after deciding what to keep).
 */
import { defineError } from '@onestop/domain';
import {
  type SideTableDatabase,
  type SideTableOptions,
  type SideTableTransaction,
  sideTables,
} from '@onestop/event-store';
import { z } from 'zod';

/** A statement runner: the consumers' transactions and the stores' `withTransaction` fit. */
export type SqlTransaction = SideTableTransaction;

/** A database that runs work in one transaction; the PostgreSQL and embedded event stores both are one. */
export type SqlDatabase = SideTableDatabase;

export interface FeedbackItemRow {
  readonly feedbackId: string;
  /** The envelope's dossierId: the dossier the item is about, else the item's own id. */
  readonly keyId: string;
  readonly responsibleUnitId: string;
  readonly filedAt: string;
}

export interface FeedbackRecords {
  /** The index row of a new item, before its first event. */
  create(item: FeedbackItemRow): Promise<void>;
  /** Undoes `create` when the first event could not be appended. */
  discard(feedbackId: string): Promise<void>;
  find(feedbackId: string): Promise<FeedbackItemRow | undefined>;
  /** Newest first. */
  listByUnit(unitId: string, limit: number): Promise<FeedbackItemRow[]>;
}

export interface KnownDossier {
  readonly data: { readonly dossierCode: string; readonly competentUnitId: string };
}

/** Where a dossier subject is looked up: by id (a clerk's filing), by code (a citizen's, from the receipt). */
export interface DossierDirectory {
  find(dossierId: string): Promise<KnownDossier | undefined>;
  findByCode(dossierCode: string): Promise<(KnownDossier & { readonly dossierId: string }) | undefined>;
}

export interface FeedbackDossiers extends DossierDirectory {
  /** Idempotent: a redelivered receipt keeps the first one. */
  remember(dossierId: string, data: KnownDossier['data']): Promise<void>;
}

/** A stored row could not be read back: a bug or a hand-edited table, never the caller's fault. */
export const FeedbackRowInvalid = defineError<{ table: string; id: string }>('FB_ROW_INVALID', 'internal');

const ItemRow = z.object({
  feedback_id: z.string(),
  key_id: z.string(),
  responsible_unit_id: z.string(),
  filed_at: z.string(),
});
const DossierRow = z.object({
  dossier_id: z.string(),
  dossier_code: z.string(),
  competent_unit_id: z.string(),
});

function parseRow<S extends z.ZodType>(schema: S, row: unknown, table: string, id: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  throw FeedbackRowInvalid(`row ${id} of ${table} is unreadable`, { details: { table, id } });
}

function toItem(row: z.infer<typeof ItemRow>): FeedbackItemRow {
  return {
    feedbackId: row.feedback_id,
    keyId: row.key_id,
    responsibleUnitId: row.responsible_unit_id,
    filedAt: row.filed_at,
  };
}

export function feedbackRecordsTable(db: SqlDatabase): FeedbackRecords & { ready(): Promise<void> } {
  const { table, run, ensure } = sideTables(db, (t) => [
    `create table if not exists ${t('feedback_items')} (
      feedback_id text primary key,
      key_id text not null,
      responsible_unit_id text not null,
      filed_at text not null
    )`,
    `create index if not exists feedback_items_by_unit on ${t('feedback_items')} (responsible_unit_id, filed_at)`,
  ]);
  const items = table('feedback_items');

  return {
    ready: ensure,
    async create(item) {
      await run((tx) =>
        tx.query(
          `insert into ${items} (feedback_id, key_id, responsible_unit_id, filed_at) values ($1, $2, $3, $4)`,
          [item.feedbackId, item.keyId, item.responsibleUnitId, item.filedAt],
        ),
      );
    },
    async discard(feedbackId) {
      await run((tx) => tx.query(`delete from ${items} where feedback_id = $1`, [feedbackId]));
    },
    async find(feedbackId) {
      const { rows } = await run((tx) =>
        tx.query(
          `select feedback_id, key_id, responsible_unit_id, filed_at from ${items} where feedback_id = $1`,
          [feedbackId],
        ),
      );
      const first = rows[0];
      return first === undefined ? undefined : toItem(parseRow(ItemRow, first, 'feedback_items', feedbackId));
    },
    async listByUnit(unitId, limit) {
      const { rows } = await run((tx) =>
        tx.query(
          `select feedback_id, key_id, responsible_unit_id, filed_at from ${items}
           where responsible_unit_id = $1 order by filed_at desc, feedback_id desc limit ${Math.trunc(limit)}`,
          [unitId],
        ),
      );
      return rows.map((row) => toItem(parseRow(ItemRow, row, 'feedback_items', unitId)));
    },
  };
}

export function feedbackDossiersTable(
  db: SqlDatabase,
  options: SideTableOptions = {},
): FeedbackDossiers & { ready(): Promise<void> } {
  const { table, run, ensure } = sideTables(
    db,
    (t) => [
      `create table if not exists ${t('feedback_dossiers')} (
      dossier_id text primary key,
      dossier_code text not null,
      competent_unit_id text not null
    )`,
      `create index if not exists feedback_dossiers_by_code on ${t('feedback_dossiers')} (dossier_code)`,
    ],
    options,
  );
  const dossiers = table('feedback_dossiers');
  const known = (row: unknown, id: string) => {
    const parsed = parseRow(DossierRow, row, 'feedback_dossiers', id);
    return {
      dossierId: parsed.dossier_id,
      data: { dossierCode: parsed.dossier_code, competentUnitId: parsed.competent_unit_id },
    };
  };
  return {
    ready: ensure,
    async remember(dossierId, data) {
      await run((tx) =>
        tx.query(
          `insert into ${dossiers} (dossier_id, dossier_code, competent_unit_id) values ($1, $2, $3)
           on conflict (dossier_id) do nothing`,
          [dossierId, data.dossierCode, data.competentUnitId],
        ),
      );
    },
    async find(dossierId) {
      const { rows } = await run((tx) =>
        tx.query(
          `select dossier_id, dossier_code, competent_unit_id from ${dossiers} where dossier_id = $1`,
          [dossierId],
        ),
      );
      const first = rows[0];
      return first === undefined ? undefined : known(first, dossierId);
    },
    async findByCode(dossierCode) {
      const { rows } = await run((tx) =>
        tx.query(
          `select dossier_id, dossier_code, competent_unit_id from ${dossiers} where dossier_code = $1`,
          [dossierCode],
        ),
      );
      const first = rows[0];
      return first === undefined ? undefined : known(first, dossierCode);
    },
  };
}
