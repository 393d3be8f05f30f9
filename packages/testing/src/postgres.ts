import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { databaseUrl } from './env.js';

export interface TestSchema {
  /** Connection string of the test database. */
  readonly connectionString: string;
  /** A schema created for this test file only; dropped by `drop()`. */
  readonly schema: string;
  drop(): Promise<void>;
}

/** A unique, empty schema in the test database. Names start with `t_` so stray ones are easy to find. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const connectionString = databaseUrl();
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
  return {
    connectionString,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString });
      await c.connect();
      try {
        await c.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Registers a schema for the enclosing `describe` (or file): created before all tests, dropped after.
 * Read `.current` inside tests and hooks.
 */
export function useTestSchema(prefix = 't'): { readonly current: TestSchema } {
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    schema = await createTestSchema(prefix);
  });
  afterAll(async () => {
    await schema?.drop();
  });
  return {
    get current(): TestSchema {
      if (!schema)
        throw new Error('useTestSchema: read .current inside a test or hook, not at collection time');
      return schema;
    },
  };
}
