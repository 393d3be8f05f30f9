/**
 * The relay's position per store, in PostgreSQL next to the store (`{schema}.relay_checkpoints`). Written only
 * over the connection that holds the relay's advisory lock.
 */
import type { Checkpoint } from '@onestop/event-store';
import type pg from 'pg';
import { migrate, quoteIdent } from '../pg.js';

export function relayLockKey(schema: string, source: string): string {
  return `relay:${schema}:${source}`;
}

export async function ensureRelayTables(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await migrate(client, [
    `create schema if not exists ${s}`,
    `create table if not exists ${s}.relay_checkpoints (
       name text primary key,
       checkpoint text,
       published bigint not null default 0,
       updated_at timestamptz not null default now()
     )`,
  ]);
}

export async function loadRelayCheckpoint(
  client: pg.ClientBase,
  schema: string,
  name: string,
): Promise<Checkpoint | undefined> {
  const { rows } = await client.query<{ checkpoint: string | null }>(
    `select checkpoint from ${quoteIdent(schema)}.relay_checkpoints where name = $1`,
    [name],
  );
  return rows[0]?.checkpoint ?? undefined;
}

export async function saveRelayCheckpoint(
  client: pg.ClientBase,
  schema: string,
  name: string,
  checkpoint: Checkpoint,
  count: number,
): Promise<void> {
  await client.query(
    `insert into ${quoteIdent(schema)}.relay_checkpoints as c (name, checkpoint, published)
     values ($1, $2, $3)
     on conflict (name) do update
       set checkpoint = excluded.checkpoint, published = c.published + excluded.published, updated_at = now()`,
    [name, checkpoint, count],
  );
}
