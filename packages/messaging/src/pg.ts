import pg from 'pg';
import { InvalidMessagingOption } from './errors.js';

/** Where a relay or consumer keeps its rows: a PostgreSQL database and a schema in it. */
export interface PgLocation {
  readonly connectionString: string;
  readonly schema: string;
}

export function quoteIdent(name: string): string {
  if (name.length === 0 || name.length > 63) {
    throw InvalidMessagingOption(`bad PostgreSQL identifier: ${JSON.stringify(name)}`, {
      details: { option: 'schema' },
    });
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs DDL under a transaction-scoped advisory lock: two processes starting at once would otherwise race on
 * `CREATE … IF NOT EXISTS` (it is not atomic against a concurrent creator). The event store migrates the same
 * schema under its own lock, so a lost race on the schema itself (unique violation, duplicate schema/table)
 * is retried: the second attempt sees the object.
 */
export async function migrate(client: pg.ClientBase, statements: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await client.query('begin');
    try {
      await client.query(`select pg_advisory_xact_lock(hashtextextended('onestop.messaging.migrate', 0))`);
      for (const sql of statements) await client.query(sql);
      await client.query('commit');
      return;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
      if (attempt >= 3 || !['23505', '42P06', '42P07'].includes(String(code))) throw error;
    }
  }
}

/** A client whose background errors (connection dropped) are reported instead of crashing the process. */
export function pgClient(connectionString: string, onError: (error: Error) => void): pg.Client {
  const client = new pg.Client({ connectionString });
  client.on('error', onError);
  return client;
}
