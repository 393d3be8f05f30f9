/**
 * The feedback service's tables beside its event streams. The SQL is valid in PostgreSQL (tables in the store's
 * schema) and in the embedded store's SQLite file, so one implementation serves both modes.
 *
 * - `feedback_items`: which items each unit has (the list route), and the envelope key of each item (the
 *   dossier it is about, else its own id). Written before the item's first event, so a crash in between leaves
 *   a row without a stream, which readers skip, never a stream without a row.
 * - `feedback_private`: what the citizen wrote and how to reach them. It may name people, so it stays out of
 *   events; erasing the row removes it while the event log (pseudonymous) stays intact. Plain columns for now
 *   (not yet encrypted per filer like intake's vault).
 * - `feedback_dossiers`: the dossiers the service has heard of (from DossierReceived), to check a dossier subject
 *   and find its competent unit without reading intake's streams.
 */
import { defineError } from '@onestop/domain';
import { z } from 'zod';

/** A statement runner: the PostgreSQL store's transaction, the embedded store's and the consumers' fit. */
export interface SqlTransaction {
  query(sql: string, params?: readonly (string | null)[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A database that runs work in one transaction; the PostgreSQL and embedded event stores both are one. */
export interface SqlDatabase {
  /** The PostgreSQL store's schema; absent for the embedded store (one SQLite file). */
  readonly schema?: string;
  withTransaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

export const FeedbackContact = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'expected a phone number')
      .optional(),
    email: z.email().max(254).optional(),
  })
  .describe('how to reach the filer; kept in the private store, never in events');
export type FeedbackContact = z.infer<typeof FeedbackContact>;

export interface FeedbackItemRow {
  readonly feedbackId: string;
  /** The envelope's dossierId: the dossier the item is about, else the item's own id. */
  readonly keyId: string;
  readonly responsibleUnitId: string;
  readonly filedAt: string;
}

export interface FeedbackPrivate {
  readonly content: string;
  readonly contact?: FeedbackContact;
  readonly followUp?: string;
}

export interface FeedbackRecords {
  /** The index row and the private part of a new item, in one transaction. */
  create(item: FeedbackItemRow, privatePart: { content: string; contact?: FeedbackContact }): Promise<void>;
  /** Undoes `create` when the first event could not be appended. */
  discard(feedbackId: string): Promise<void>;
  find(feedbackId: string): Promise<FeedbackItemRow | undefined>;
  /** Newest first. */
  listByUnit(unitId: string, limit: number): Promise<FeedbackItemRow[]>;
  readPrivate(feedbackId: string): Promise<FeedbackPrivate | undefined>;
  /** Keeps the first follow-up text (the decider allows one follow-up). */
  saveFollowUp(feedbackId: string, text: string): Promise<void>;
}

export interface KnownDossier {
  readonly data: { readonly dossierCode: string; readonly competentUnitId: string };
}

/** Where a dossier subject is looked up; processing's received-dossiers table fits too (embedded mode). */
export interface DossierDirectory {
  find(dossierId: string): Promise<KnownDossier | undefined>;
}

export interface FeedbackDossiers extends DossierDirectory {
  /** Idempotent: a redelivered receipt keeps the first one. */
  remember(dossierId: string, data: KnownDossier['data']): Promise<void>;
}

/** A stored row could not be read back: a bug or a hand-edited table, never the caller's fault. */
export const FeedbackRowInvalid = defineError<{ table: string; id: string }>('FB_ROW_INVALID', 'internal');

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

const ItemRow = z.object({
  feedback_id: z.string(),
  key_id: z.string(),
  responsible_unit_id: z.string(),
  filed_at: z.string(),
});
const PrivateRow = z.object({
  content: z.string(),
  contact: z.string().nullable(),
  follow_up: z.string().nullable(),
});
const DossierRow = z.object({ dossier_code: z.string(), competent_unit_id: z.string() });

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

/** Qualifies `name` with the store's schema, and creates the tables once, on first use. */
function tablesIn(db: SqlDatabase, ddl: (table: (name: string) => string) => readonly string[]) {
  if (db.schema !== undefined && !SCHEMA_NAME.test(db.schema)) {
    throw new Error(`unexpected schema name ${db.schema}`);
  }
  const table = (name: string) => (db.schema === undefined ? name : `"${db.schema}".${name}`);
  let created: Promise<void> | undefined;
  const ensure = () => {
    created ??= db
      .withTransaction(async (tx) => {
        for (const statement of ddl(table)) await tx.query(statement);
      })
      .catch((error: unknown) => {
        created = undefined;
        throw error;
      });
    return created;
  };
  const run = async <T>(work: (tx: SqlTransaction) => Promise<T>) => {
    await ensure();
    return db.withTransaction(work);
  };
  return { table, run, ensure };
}

export function feedbackRecordsTable(db: SqlDatabase): FeedbackRecords & { ready(): Promise<void> } {
  const { table, run, ensure } = tablesIn(db, (t) => [
    `create table if not exists ${t('feedback_items')} (
      feedback_id text primary key,
      key_id text not null,
      responsible_unit_id text not null,
      filed_at text not null
    )`,
    `create index if not exists feedback_items_by_unit on ${t('feedback_items')} (responsible_unit_id, filed_at)`,
    `create table if not exists ${t('feedback_private')} (
      feedback_id text primary key,
      content text not null,
      contact text,
      follow_up text
    )`,
  ]);
  const items = table('feedback_items');
  const privateTable = table('feedback_private');

  return {
    ready: ensure,
    async create(item, privatePart) {
      await run(async (tx) => {
        await tx.query(
          `insert into ${items} (feedback_id, key_id, responsible_unit_id, filed_at) values ($1, $2, $3, $4)`,
          [item.feedbackId, item.keyId, item.responsibleUnitId, item.filedAt],
        );
        await tx.query(`insert into ${privateTable} (feedback_id, content, contact) values ($1, $2, $3)`, [
          item.feedbackId,
          privatePart.content,
          privatePart.contact === undefined ? null : JSON.stringify(privatePart.contact),
        ]);
      });
    },
    async discard(feedbackId) {
      await run(async (tx) => {
        await tx.query(`delete from ${privateTable} where feedback_id = $1`, [feedbackId]);
        await tx.query(`delete from ${items} where feedback_id = $1`, [feedbackId]);
      });
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
    async readPrivate(feedbackId) {
      const { rows } = await run((tx) =>
        tx.query(`select content, contact, follow_up from ${privateTable} where feedback_id = $1`, [
          feedbackId,
        ]),
      );
      const first = rows[0];
      if (first === undefined) return undefined;
      const row = parseRow(PrivateRow, first, 'feedback_private', feedbackId);
      const contact =
        row.contact === null ? undefined : FeedbackContact.safeParse(JSON.parse(row.contact)).data;
      return {
        content: row.content,
        ...(contact === undefined ? {} : { contact }),
        ...(row.follow_up === null ? {} : { followUp: row.follow_up }),
      };
    },
    async saveFollowUp(feedbackId, text) {
      await run((tx) =>
        tx.query(`update ${privateTable} set follow_up = $2 where feedback_id = $1 and follow_up is null`, [
          feedbackId,
          text,
        ]),
      );
    },
  };
}

export function feedbackDossiersTable(db: SqlDatabase): FeedbackDossiers & { ready(): Promise<void> } {
  const { table, run, ensure } = tablesIn(db, (t) => [
    `create table if not exists ${t('feedback_dossiers')} (
      dossier_id text primary key,
      dossier_code text not null,
      competent_unit_id text not null
    )`,
  ]);
  const dossiers = table('feedback_dossiers');
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
        tx.query(`select dossier_code, competent_unit_id from ${dossiers} where dossier_id = $1`, [
          dossierId,
        ]),
      );
      const first = rows[0];
      if (first === undefined) return undefined;
      const row = parseRow(DossierRow, first, 'feedback_dossiers', dossierId);
      return { data: { dossierCode: row.dossier_code, competentUnitId: row.competent_unit_id } };
    },
  };
}
