/**
 * The vault's rules, once for both dialects: a fresh data key for every put, the record checked before sealing and
 * after opening, and every read, amendment and erasure in one transaction with its log row (no read goes
 * unlogged). `postgresVault` and `sqliteVault` give only what differs: their tables' SQL, how an instant is
 * written and read, and how a batch of puts is written.
 */
import { z } from 'zod';
import { keyFingerprint, openEnvelope, sealEnvelope } from './crypto.js';
import type {
  SealedVault,
  VaultAccess,
  VaultAction,
  VaultLayout,
  VaultOptions,
  VaultTransaction,
} from './port.js';
import { putBatcher, type SealedRow } from './put-batcher.js';
import { LogRow, plaintextOf, toLogEntry } from './rows.js';

export interface VaultDialect {
  readonly db: { withTransaction<R>(work: (tx: VaultTransaction) => Promise<R>): Promise<R> };
  /** The data and log tables as statements name them (PostgreSQL: schema-qualified). */
  readonly dataTable: string;
  readonly logTable: string;
  /** The wall-clock instant of a write (`updated_at`, `recorded_at`), as SQL. */
  readonly wallNow: string;
  /** Appended to the row's SELECT to lock it for an amendment or an erasure ('' if the transaction already does). */
  readonly forUpdate: string;
  /** An instant as a statement parameter. */
  readonly instantParam: (at: Date) => unknown;
  /** An instant as read back. */
  readonly Instant: z.ZodType<Date>;
  /** The newest log rows first: `$1` an owner id or null for all, `$2` the limit; `LogRow`'s columns and `at`. */
  readonly accessLogSql: string;
  /** Creates the tables, in the transaction `ready` opens. */
  migrate(tx: VaultTransaction): Promise<void>;
  /** Writes a batch of sealed rows (see `putBatcher`) and returns the rows it stored. */
  writeBatch(rows: readonly SealedRow[], fingerprint: string): Promise<ReadonlySet<SealedRow>>;
}

/** `layout` is the options' layout, already checked by the dialect (its names are in the dialect's SQL too). */
export function sealedVault<T>(
  options: VaultOptions<T>,
  layout: VaultLayout,
  dialect: VaultDialect,
): SealedVault<T> {
  const { masterKey, clock, record, errors } = options;
  const { db, dataTable: data, logTable: log, wallNow } = dialect;
  const owner = layout.ownerColumn;
  const reference = layout.referenceColumn;
  const fingerprint = keyFingerprint(masterKey);
  const DataRow = z.object({
    wrapped_key: z.instanceof(Buffer).nullable(),
    sealed_data: z.instanceof(Buffer),
    erased_at: dialect.Instant.nullable(),
  });
  const DialectLogRow = LogRow.extend({ at: dialect.Instant });
  const write = putBatcher((rows) => dialect.writeBatch(rows, fingerprint));
  let migrated: Promise<void> | undefined;

  const ready = (): Promise<void> => {
    migrated ??= db
      .withTransaction((tx) => dialect.migrate(tx))
      .catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
    return migrated;
  };

  const seal = (ownerId: string, value: T) =>
    sealEnvelope(masterKey, ownerId, Buffer.from(JSON.stringify(record.parse(value)), 'utf8'));

  const logAccess = async (
    tx: VaultTransaction,
    ownerId: string,
    action: VaultAction,
    access: VaultAccess,
  ) => {
    await tx.query(
      `INSERT INTO ${log}
         (${owner}, action, actor_id, actor_role, actor_unit_id, purpose, ${reference}, at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${wallNow})`,
      [
        ownerId,
        action,
        access.actor.id,
        access.actor.role,
        access.actor.unitId ?? null,
        access.purpose,
        access.reference ?? null,
        dialect.instantParam(clock.now()),
      ],
    );
  };

  const load = async (tx: VaultTransaction, ownerId: string, lock: boolean) => {
    const result = await tx.query(
      `SELECT wrapped_key, sealed_data, erased_at FROM ${data} WHERE ${owner} = $1${lock ? dialect.forUpdate : ''}`,
      [ownerId],
    );
    const row = result.rows[0];
    if (row === undefined) throw errors.notFound(ownerId);
    return DataRow.parse(row);
  };

  /** The row's plaintext, or the instant it was erased. */
  const openRow = (ownerId: string, row: z.infer<typeof DataRow>): { data: T } | { erasedAt: string } => {
    if (row.wrapped_key === null) return { erasedAt: (row.erased_at ?? clock.now()).toISOString() };
    const wrappedKey = row.wrapped_key;
    return {
      data: plaintextOf(record, ownerId, errors, () =>
        openEnvelope(masterKey, ownerId, { wrappedKey, sealedData: row.sealed_data }),
      ),
    };
  };

  return {
    ready,

    async put(ownerId, value, options = {}) {
      await ready();
      const envelope = seal(ownerId, value);
      return { stored: await write({ ownerId, ...envelope, ifAbsent: options.ifAbsent === true }) };
    },

    async get(ownerId, access) {
      await ready();
      const outcome = await db.withTransaction(async (tx) => {
        const opened = openRow(ownerId, await load(tx, ownerId, false));
        // An attempt on erased data is logged too: returned, not thrown, so its log row commits.
        await logAccess(tx, ownerId, 'data' in opened ? 'read' : 'read_erased', access);
        return opened;
      });
      if ('erasedAt' in outcome) throw errors.erased(ownerId, outcome.erasedAt);
      return outcome.data;
    },

    async amend(ownerId, change, access) {
      await ready();
      await db.withTransaction(async (tx) => {
        const opened = openRow(ownerId, await load(tx, ownerId, true));
        if ('erasedAt' in opened) throw errors.erased(ownerId, opened.erasedAt);
        const envelope = seal(ownerId, change(opened.data));
        await tx.query(
          `UPDATE ${data} SET wrapped_key = $2, sealed_data = $3, key_fingerprint = $4, updated_at = ${wallNow}
            WHERE ${owner} = $1`,
          [ownerId, envelope.wrappedKey, envelope.sealedData, fingerprint],
        );
        await logAccess(tx, ownerId, 'amend', access);
      });
    },

    async erase(ownerId, access) {
      await ready();
      return db.withTransaction(async (tx) => {
        const row = await load(tx, ownerId, true);
        if (row.erased_at !== null) return { erasedAt: row.erased_at };
        const erasedAt = clock.now();
        await tx.query(`UPDATE ${data} SET wrapped_key = NULL, erased_at = $2 WHERE ${owner} = $1`, [
          ownerId,
          dialect.instantParam(erasedAt),
        ]);
        await logAccess(tx, ownerId, 'erase', access);
        return { erasedAt };
      });
    },

    async discard(ownerId) {
      await ready();
      await db.withTransaction((tx) => tx.query(`DELETE FROM ${data} WHERE ${owner} = $1`, [ownerId]));
    },

    async accessLog(filter = {}) {
      await ready();
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
      const result = await db.withTransaction((tx) =>
        tx.query(dialect.accessLogSql, [filter.ownerId ?? null, limit]),
      );
      return result.rows.map((raw) => toLogEntry(DialectLogRow.parse(raw)));
    },
  };
}
