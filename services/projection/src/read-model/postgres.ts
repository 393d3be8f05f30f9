/**
 * The projection's own PostgreSQL database (stack mode): a pool, transactions (which can COPY, for a replay's
 * bulk writes), and the read models' schema.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { CopyTransaction } from './bulk-sql.js';
import type { ProjectionDatabase } from './tables.js';

export interface PostgresProjectionDatabase extends ProjectionDatabase {
  readonly schema: string;
  close(): Promise<void>;
}

/** Opens a pool on `connectionString` and creates `schema` if missing (an identifier, validated). */
export async function postgresProjectionDatabase(options: {
  readonly connectionString: string;
  readonly schema: string;
  readonly maxConnections?: number;
}): Promise<PostgresProjectionDatabase> {
  const { schema } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4 });
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    schema,
    async withTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: CopyTransaction = {
          query: (sql, params) => client.query(sql, params ? [...params] : undefined),
          copyFrom: (table, columns, chunks) =>
            pipeline(
              Readable.from(chunks),
              client.query(copyFromStdin(`copy ${table} (${columns.join(', ')}) from stdin`)),
            ),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
