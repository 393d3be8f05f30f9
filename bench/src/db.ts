import { execFile } from 'node:child_process';
import pg from 'pg';

/** The bench works in databases of its own, recreated each run, on the local server. */
export const adminUrl = process.env.ONESTOP_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function recreateDatabase(database: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(database);
}

export async function dropDatabase(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await admin.end();
  }
}

export async function clients(connectionString: string, count: number): Promise<pg.Client[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString });
      await client.connect();
      return client;
    }),
  );
}

/**
 * Lets the disk settle before a latency measure: a PostgreSQL checkpoint, then `sync` for the dirty pages an
 * earlier measure left (the throughput runs write ~700 MB of Kafka log that the kernel flushes later; that
 * write-back stalled the commits of the next measure by 100 ms and more). Both sides of a comparison get it.
 */
export async function settleDisk(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('checkpoint');
  } finally {
    await admin.end();
  }
  await new Promise<void>((resolve, reject) => {
    execFile('sync', (error) => (error ? reject(error) : resolve()));
  });
}
