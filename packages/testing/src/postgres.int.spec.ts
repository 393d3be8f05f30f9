import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from './env.js';
import { createTestSchema, useTestSchema } from './postgres.js';

async function withClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const schemaExists = (schema: string) =>
  withClient(async (client) => {
    const { rowCount } = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    return rowCount === 1;
  });

describe('the local PostgreSQL through a test schema', () => {
  const schema = useTestSchema();
  let created: pg.Pool | undefined;
  const pool = {
    get current(): pg.Pool {
      if (!created) throw new Error('the pool is created in beforeAll');
      return created;
    },
  };
  beforeAll(() => {
    // search_path set per connection: the test's tables land in its own schema, never in public.
    created = new pg.Pool({
      connectionString: schema.current.connectionString,
      options: `-c search_path=${schema.current.schema}`,
      max: 2,
    });
  });
  afterAll(async () => {
    await created?.end();
  });

  it('given a fresh schema, when a row is written in a transaction, then a second connection reads it back', async () => {
    expect(await schemaExists(schema.current.schema)).toBe(true);
    await pool.current.query('create table dossier (id text primary key, data jsonb not null)');
    const writer = await pool.current.connect();
    try {
      await writer.query('begin');
      await writer.query('insert into dossier (id, data) values ($1, $2)', ['D-1', { unit: 'U1', pages: 3 }]);
      await writer.query('commit');
    } finally {
      writer.release();
    }
    const { rows } = await pool.current.query<{ id: string; data: unknown; schema: string }>(
      'select id, data, current_schema() as schema from dossier',
    );
    expect(rows).toEqual([{ id: 'D-1', data: { unit: 'U1', pages: 3 }, schema: schema.current.schema }]);
  });

  it('given a rolled-back transaction, then nothing of it is stored', async () => {
    await pool.current.query('create table draft (id text primary key)');
    const client = await pool.current.connect();
    try {
      await client.query('begin');
      await client.query('insert into draft (id) values ($1)', ['D-2']);
      await client.query('rollback');
    } finally {
      client.release();
    }
    const { rows } = await pool.current.query<{ n: number }>('select count(*)::int as n from draft');
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('test schema isolation', () => {
  it('given two test schemas, then each is its own namespace, and drop removes it with its tables', async () => {
    const first = await createTestSchema();
    const second = await createTestSchema();
    try {
      expect(first.schema).toMatch(/^t_/);
      expect(first.schema).not.toBe(second.schema);
      await withClient(async (client) => {
        await client.query(`create table "${first.schema}".item (n int)`);
        await client.query(`insert into "${first.schema}".item values (1)`);
        await client.query(`create table "${second.schema}".item (n int)`);
        const { rows } = await client.query(`select count(*)::int as n from "${second.schema}".item`);
        expect(rows).toEqual([{ n: 0 }]);
      });
    } finally {
      await first.drop();
      await second.drop();
    }
    expect(await schemaExists(first.schema)).toBe(false);
    expect(await schemaExists(second.schema)).toBe(false);
  });
});
