/**
 * A service's own tables beside its events (read tables, indexes, remembered facts), in whichever store it runs
 * on: in the PostgreSQL store's schema, or in the embedded store's SQLite file. The caller writes SQL valid in
 * both; this names the tables and creates them once.
 */

/** A statement runner: the stores' transactions and the message consumers' fit. */
export interface SideTableTransaction {
  query(
    sql: string,
    params?: readonly (string | number | null)[],
  ): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A database that runs work in one transaction: the PostgreSQL and the embedded event stores both are one. */
export interface SideTableDatabase<Tx = SideTableTransaction> {
  /** The PostgreSQL store's schema; absent for the embedded store (one SQLite file). */
  readonly schema?: string;
  withTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface SideTableOptions {
  /**
   * The composition root created the tables already (`ensure()`, a table's `ready()`): run no DDL in the caller's transaction (a
   * consumer's, one table object per message, where `create index if not exists` would lock the table each time).
   */
  readonly created?: boolean;
}

export interface SideTables<Tx> {
  /** `name` as statements write it: in the store's schema (PostgreSQL), as it is (SQLite). */
  table(name: string): string;
  /** Runs the DDL once, in one transaction; again on the next call if it failed. */
  ensure(): Promise<void>;
  /** `work` in one transaction, the tables created first. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/** `ddl` gives the `create … if not exists` statements, naming tables with the `table` it is passed. */
export function sideTables<Tx extends { query(sql: string): Promise<unknown> }>(
  db: SideTableDatabase<Tx>,
  ddl: (table: (name: string) => string) => readonly string[],
  options: SideTableOptions = {},
): SideTables<Tx> {
  if (db.schema !== undefined && !SCHEMA_NAME.test(db.schema)) {
    throw new Error(`unexpected schema name ${db.schema}`);
  }
  const table = (name: string) => (db.schema === undefined ? name : `"${db.schema}".${name}`);
  let created: Promise<void> | undefined = options.created === true ? Promise.resolve() : undefined;
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
  return {
    table,
    ensure,
    async run(work) {
      await ensure();
      return db.withTransaction(work);
    },
  };
}
