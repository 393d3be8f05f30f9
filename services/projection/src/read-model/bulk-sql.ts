/**
 * Multi-row statements of the projection's batched writes, in the two dialects its tables live in. PostgreSQL
 * gets one statement per table and batch whatever its size (the rows as one JSON parameter, or `unnest` of
 * one array per column: a fixed SQL text, no per-row parse cost), or a COPY for rows that cannot conflict in a
 * transaction that offers it; SQLite, which has no arrays, gets multi-row `VALUES` in chunks under its limit of
 * bound parameters (the whole batch is one transaction either way).
 */
import type { SqlParam, SqlTransaction } from '@onestop/messaging';

export type SqlDialect = 'postgres' | 'sqlite';

/** A column of a bulk statement, with its PostgreSQL type (for the `unnest` array casts). */
export interface BulkColumn {
  readonly name: string;
  readonly pgType: 'text' | 'integer' | 'bigint';
  /**
   * A text column whose values are the JSON text of an object or array (an event body): PostgreSQL receives it
   * embedded as it is in the statement's JSON parameter and stores that text verbatim, instead of a string
   * escaped by JSON.stringify and unescaped by the server; COPY only doubles its backslashes.
   */
  readonly json?: true;
}

/** SQLite allows 32,766 bound parameters per statement; stay well under it. */
const SQLITE_MAX_PARAMS = 30_000;
const SQLITE_MAX_ROWS = 500;

/**
 * Which dialect `tx` speaks, asked once with a statement both accept: node-pg returns a `numeric` as text,
 * better-sqlite3 returns a number.
 */
export async function detectDialect(tx: SqlTransaction): Promise<SqlDialect> {
  const { rows } = await tx.query('select cast(1 as numeric) as probe');
  return typeof rows[0]?.probe === 'string' ? 'postgres' : 'sqlite';
}

function sqliteChunks<T>(items: readonly T[], width: number): T[][] {
  const size = Math.max(1, Math.min(SQLITE_MAX_ROWS, Math.floor(SQLITE_MAX_PARAMS / width)));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const tuple = (width: number) => `(${Array.from({ length: width }, () => '?').join(', ')})`;

function unnestOf(columns: readonly BulkColumn[]): string {
  return `unnest(${columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ')})`;
}

function transpose(columns: readonly BulkColumn[], rows: readonly (readonly SqlParam[])[]): SqlParam[] {
  // node-pg sends a JS array as a PostgreSQL array literal; the SqlParam type does not list arrays.
  return columns.map((_, i) => rows.map((row) => row[i] ?? null)) as unknown as SqlParam[];
}

/**
 * `insert into table as a (columns) <rows> <tail>` for every row (`tail`: an `on conflict` clause that may use
 * the alias `a` and `excluded`). Rows must not repeat a conflict key (PostgreSQL refuses to update a row twice).
 */
export async function insertRows(
  tx: SqlTransaction,
  dialect: SqlDialect,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly SqlParam[])[],
  tail: string,
): Promise<void> {
  if (rows.length === 0) return;
  const head = `insert into ${table} as a (${columns.map((c) => c.name).join(', ')})`;
  if (dialect === 'postgres') {
    // One JSON parameter, read by json_populate_recordset with the table's own row type: JSON.stringify and
    // PostgreSQL's JSON parser are native, where node-pg escapes array literals element by element in JS. A
    // nested object lands in a text column as its text, verbatim: `json` columns are embedded unescaped.
    const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
    const parts: string[] = [];
    for (const row of rows) {
      let object = '{';
      for (let i = 0; i < columns.length; i++) {
        const value = row[i] ?? null;
        const text = columns[i]?.json && typeof value === 'string' ? value : JSON.stringify(value);
        object += `${i === 0 ? '' : ','}${keys[i]}${text}`;
      }
      parts.push(`${object}}`);
    }
    const json = `[${parts.join(',')}]`;
    await tx.query(
      `${head} select ${columns.map((c) => c.name).join(', ')} from json_populate_recordset(null::${table}, $1::json) ${tail}`,
      [json],
    );
    return;
  }
  for (const chunk of sqliteChunks(rows, columns.length)) {
    await tx.query(
      `${head} values ${chunk.map(() => tuple(columns.length)).join(', ')} ${tail}`,
      chunk.flat(),
    );
  }
}

/**
 * A PostgreSQL transaction that can also stream rows in with `COPY … FROM STDIN` (the projection's own pool
 * offers it, `postgres.ts`): the cheapest way in for the server, which parses no SQL, JSON or array per row.
 */
export interface CopyTransaction extends SqlTransaction {
  /** `copy <table> (<columns>) from stdin` (text format) fed `chunks`, in this transaction. */
  copyFrom(table: string, columns: readonly string[], chunks: Iterable<Buffer>): Promise<void>;
}

export function canCopy(tx: SqlTransaction): tx is CopyTransaction {
  return typeof (tx as Partial<CopyTransaction>).copyFrom === 'function';
}

/** Characters COPY's text format escapes (its delimiter, row end, and escape character). */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPE: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyField(value: SqlParam | undefined, json: boolean): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : String(value);
  // JSON text has no raw tab or line break (JSON.stringify escapes them with a backslash): only `\` to double.
  if (json) return text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPE[c] ?? c) : text;
}

/** About this many characters per chunk of COPY data. */
const COPY_CHUNK = 1 << 18;

/**
 * Rows as COPY data (text format), UTF-8 encoded, in chunks: made at once, so that the server, once the
 * statement starts, is never kept waiting for the caller to encode the next row.
 */
export function copyData(columns: readonly BulkColumn[], rows: readonly (readonly SqlParam[])[]): Buffer[] {
  const json = columns.map((c) => c.json === true);
  const chunks: Buffer[] = [];
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      chunk += (i === 0 ? '' : '\t') + copyField(row[i], json[i] ?? false);
    }
    chunk += '\n';
    if (chunk.length >= COPY_CHUNK) {
      chunks.push(Buffer.from(chunk));
      chunk = '';
    }
  }
  if (chunk !== '') chunks.push(Buffer.from(chunk));
  return chunks;
}

/**
 * Appends rows (`copyData`) to `table` with COPY. No conflict clause: only for rows known not to be there yet
 * (ids looked up in the same transaction, in a table nothing else writes); a duplicate fails the transaction.
 */
export async function copyRows(
  tx: CopyTransaction,
  table: string,
  columns: readonly BulkColumn[],
  data: readonly Buffer[],
): Promise<void> {
  if (data.length === 0) return;
  await tx.copyFrom(
    table,
    columns.map((c) => c.name),
    data,
  );
}

/** Rows of `select <select> from table where column in (values)` (any number of values). */
export async function selectWhereIn(
  tx: SqlTransaction,
  dialect: SqlDialect,
  select: string,
  table: string,
  column: string,
  values: readonly string[],
  orderBy?: string,
): Promise<Record<string, unknown>[]> {
  if (values.length === 0) return [];
  const order = orderBy === undefined ? '' : ` order by ${orderBy}`;
  if (dialect === 'postgres') {
    const { rows } = await tx.query(
      `select ${select} from ${table} where ${column} = any($1::text[])${order}`,
      // An array parameter (see `transpose`).
      [values as unknown as SqlParam],
    );
    return rows;
  }
  const out: Record<string, unknown>[] = [];
  for (const chunk of sqliteChunks(values, 1)) {
    const { rows } = await tx.query(
      `select ${select} from ${table} where ${column} in ${tuple(chunk.length)}${order}`,
      chunk,
    );
    out.push(...rows);
  }
  return out;
}

/** `delete from table where (keys) in (rows) and <condition>`. */
export async function deleteWhereKeys(
  tx: SqlTransaction,
  dialect: SqlDialect,
  table: string,
  keys: readonly BulkColumn[],
  rows: readonly (readonly SqlParam[])[],
  condition = 'true',
): Promise<void> {
  if (rows.length === 0) return;
  const names = `(${keys.map((k) => k.name).join(', ')})`;
  if (dialect === 'postgres') {
    await tx.query(
      `delete from ${table} where ${names} in (select * from ${unnestOf(keys)}) and ${condition}`,
      transpose(keys, rows),
    );
    return;
  }
  for (const chunk of sqliteChunks(rows, keys.length)) {
    const list =
      keys.length === 1 ? tuple(chunk.length) : `(values ${chunk.map(() => tuple(keys.length)).join(', ')})`;
    await tx.query(
      `delete from ${table} where ${keys.length === 1 ? keys[0]?.name : names} in ${list} and ${condition}`,
      chunk.flat(),
    );
  }
}
