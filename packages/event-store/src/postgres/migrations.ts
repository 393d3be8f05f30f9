/**
 * Versioned schema of the PostgreSQL event store. Migrations run in one transaction under an advisory lock, so
 * several processes starting at once apply each migration exactly once; a version, once shipped, never changes.
 */
import type pg from 'pg';

/** Quotes an identifier that `assertSchemaName` already restricted to [a-z0-9_]. */
export const ident = (name: string) => `"${name}"`;

export function assertSchemaName(schema: string): void {
  // 63 bytes is PostgreSQL's identifier limit; the NOTIFY channel adds a 3-character prefix.
  if (!/^[a-z_][a-z0-9_]{0,59}$/.test(schema)) {
    throw new Error(`invalid event store schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]{0,59}`);
  }
}

/**
 * The channel that appends NOTIFY and subscriptions LISTEN on. The payload is the appending transaction's id: a
 * subscription whose checkpoint is below it knows events are committed but not yet visible (watermark held back)
 * and re-reads soon instead of waiting a full poll interval.
 */
export const channelOf = (schema: string) => `es_${schema}`;

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (s: string) => string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'streams, events, checkpoints, append_batch',
    sql: (s) => `
CREATE TABLE ${s}.streams (
  stream_id text PRIMARY KEY,
  version bigint NOT NULL,
  -- Transaction of the last append: a later append must not have a smaller one (see append_batch).
  last_transaction_id xid8 NOT NULL
);

CREATE TABLE ${s}.events (
  global_position bigserial PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_version bigint NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
  CONSTRAINT events_stream_event_id_key UNIQUE (stream_id, event_id)
);

-- readAll: rows below the visibility watermark in (transaction_id, global_position) order.
CREATE INDEX events_transaction_position_idx ON ${s}.events (transaction_id, global_position);

-- Consumer checkpoints, written in the same transaction as the consumer's effects.
CREATE TABLE ${s}.checkpoints (
  name text PRIMARY KEY,
  checkpoint text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Appends a batch of independent appends in one transaction (one round trip, one commit). Each append is
-- checked completely before it writes anything, so a conflicting append is skipped without a savepoint and the
-- others still commit. Expected versions: n >= 0 exact, -1 no_stream, -2 any. Streams must come sorted by
-- stream_id (a fixed lock order: two batches never deadlock). One row per append, in input order:
--   ok (version = new last version), duplicate (every event id already stored: version of the last of them),
--   wrong_version (version = actual, -1 when missing),
--   retry (the stream's last append committed with a larger transaction id than ours; appending now would put
--          this stream's events out of order in (transaction_id, global_position) order, so the caller retries
--          in a new, younger transaction).
CREATE FUNCTION ${s}.append_batch(
  p_stream_ids text[], p_expected bigint[], p_counts int[],
  p_event_ids text[], p_types text[], p_data text[], p_metadata text[], p_channel text
) RETURNS TABLE (idx int, status text, version bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  me xid8 := pg_current_xact_id();
  lo int := 1;
  hi int;
  n int;
  sid text;
  expected bigint;
  cur bigint;
  cur_tx xid8;
  found_count bigint;
  found_max bigint;
  wrote boolean := false;
  created boolean;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_stream_ids, 1), 0) LOOP
    sid := p_stream_ids[i];
    expected := p_expected[i];
    n := p_counts[i];
    hi := lo + n - 1;
    idx := i;
    <<attempt>>
    LOOP
      created := false;
      IF expected = -1 THEN
        -- The common case of a new stream: one statement instead of a lookup and an insert.
        INSERT INTO ${s}.streams (stream_id, version, last_transaction_id) VALUES (sid, n - 1, me)
          ON CONFLICT DO NOTHING;
        created := FOUND;
      END IF;
      IF created THEN
        cur := -1;
      ELSE
        SELECT st.version, st.last_transaction_id INTO cur, cur_tx
          FROM ${s}.streams st WHERE st.stream_id = sid FOR UPDATE;
        IF NOT FOUND THEN
          IF expected >= 0 THEN
            status := 'wrong_version'; version := -1; EXIT attempt;
          END IF;
          INSERT INTO ${s}.streams (stream_id, version, last_transaction_id) VALUES (sid, n - 1, me)
            ON CONFLICT DO NOTHING;
          IF NOT FOUND THEN
            CONTINUE attempt; -- created by a concurrent transaction that has committed: check against it
          END IF;
          cur := -1;
        ELSE
          SELECT count(*), max(e.stream_version) INTO found_count, found_max
            FROM ${s}.events e WHERE e.stream_id = sid AND e.event_id = ANY (p_event_ids[lo:hi]);
          IF found_count = n THEN
            status := 'duplicate'; version := found_max; EXIT attempt;
          END IF;
          IF found_count > 0 OR expected = -1 OR (expected >= 0 AND expected <> cur) THEN
            status := 'wrong_version'; version := cur; EXIT attempt;
          END IF;
          IF cur_tx > me THEN
            status := 'retry'; version := cur; EXIT attempt;
          END IF;
          UPDATE ${s}.streams SET version = cur + n, last_transaction_id = me WHERE stream_id = sid;
        END IF;
      END IF;
      INSERT INTO ${s}.events (stream_id, stream_version, event_id, type, data, metadata)
        SELECT sid, cur + u.ord, u.event_id, u.type, u.data::jsonb, u.metadata::jsonb
          FROM unnest(p_event_ids[lo:hi], p_types[lo:hi], p_data[lo:hi], p_metadata[lo:hi])
            WITH ORDINALITY AS u(event_id, type, data, metadata, ord);
      status := 'ok'; version := cur + n; wrote := true;
      EXIT attempt;
    END LOOP;
    RETURN NEXT;
    lo := hi + 1;
  END LOOP;
  IF wrote THEN
    PERFORM pg_notify(p_channel, me::text);
  END IF;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'payloads stored as json text; append_batch: set-based path for new streams, NOTIFY left to the caller',
    // Same signature and outcomes as version 1, so processes still running version 1 code keep working.
    // - A NOTIFY inside the transaction takes a cluster-wide lock from pre-commit until the commit has been flushed,
    //   so concurrent appending transactions could not share a WAL flush (group commit). A NULL p_channel skips it:
    //   the caller notifies after its commit (the payload is the transaction id, pg_current_xact_id_if_assigned()).
    // - A batch of appends that all create new streams (expected no_stream, distinct ids: a command that starts an
    //   aggregate) takes one statement instead of two per append. It locks the new stream rows in that statement in
    //   input (lock) order, and only reads (never locks) the streams that already exist, so the lock order holds.
    // - data and metadata become json (text, checked on input) instead of jsonb: the server then neither parses
    //   a payload into its binary form on append nor prints it back on every read (that printing cost more than
    //   the rest of a global read on the server). The client parses it once. Nothing queries inside payloads.
    sql: (s) => `
ALTER TABLE ${s}.events ALTER COLUMN metadata DROP DEFAULT;
ALTER TABLE ${s}.events
  ALTER COLUMN data TYPE json USING data::json,
  ALTER COLUMN metadata TYPE json USING metadata::json;
ALTER TABLE ${s}.events ALTER COLUMN metadata SET DEFAULT '{}';

CREATE OR REPLACE FUNCTION ${s}.append_batch(
  p_stream_ids text[], p_expected bigint[], p_counts int[],
  p_event_ids text[], p_types text[], p_data text[], p_metadata text[], p_channel text
) RETURNS TABLE (idx int, status text, version bigint)
LANGUAGE plpgsql
-- The statements below take arrays as parameters; with custom plans (the default for the first calls, and for
-- as long as the planner thinks they pay) every call re-plans them, which cost more than running them.
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  me xid8;
  appends int := coalesce(array_length(p_stream_ids, 1), 0);
  lo int := 1;
  hi int;
  n int;
  sid text;
  expected bigint;
  cur bigint;
  cur_tx xid8;
  found_count bigint;
  found_max bigint;
  wrote boolean := false;
  is_new boolean;
  created boolean[];
  created_idx int[];
  k int;
BEGIN
  IF appends > 0 AND -1 = ALL (p_expected)
     AND appends = (SELECT count(DISTINCT u) FROM unnest(p_stream_ids) u) THEN
    me := pg_current_xact_id();
    created := array_fill(false, ARRAY[appends]);
    -- One statement: create the streams (in input order, i.e. lock order), store the events of those created,
    -- and report which appends created their stream.
    WITH a AS (
      SELECT u.sid, u.cnt, u.i::int AS i, (sum(u.cnt) OVER (ORDER BY u.i) - u.cnt + 1)::int AS first
        FROM unnest(p_stream_ids, p_counts) WITH ORDINALITY AS u(sid, cnt, i)
    ), ins AS (
      INSERT INTO ${s}.streams (stream_id, version, last_transaction_id)
        SELECT a.sid, a.cnt - 1, me FROM a ORDER BY a.i
        ON CONFLICT DO NOTHING
        RETURNING stream_id
    ), fresh AS (
      SELECT a.* FROM a JOIN ins ON ins.stream_id = a.sid
    ), stored AS (
      INSERT INTO ${s}.events (stream_id, stream_version, event_id, type, data, metadata)
        SELECT f.sid, v, p_event_ids[f.first + v], p_types[f.first + v], p_data[f.first + v]::json,
               p_metadata[f.first + v]::json
          FROM fresh f, generate_series(0, f.cnt - 1) AS v
          ORDER BY f.i, v
    )
    SELECT coalesce(array_agg(fresh.i), '{}') INTO created_idx FROM fresh;
    FOREACH k IN ARRAY created_idx LOOP
      created[k] := true;
    END LOOP;
    FOR i IN 1 .. appends LOOP
      sid := p_stream_ids[i];
      n := p_counts[i];
      hi := lo + n - 1;
      idx := i;
      IF created[i] THEN
        status := 'ok'; version := n - 1; wrote := true;
      ELSE
        -- The stream exists (committed: the insert above waited for a concurrent creator), so no_stream fails;
        -- unless this is a retry of an append already stored.
        SELECT st.version INTO cur FROM ${s}.streams st WHERE st.stream_id = sid;
        SELECT count(*), max(e.stream_version) INTO found_count, found_max
          FROM ${s}.events e WHERE e.stream_id = sid AND e.event_id = ANY (p_event_ids[lo:hi]);
        IF found_count = n THEN
          status := 'duplicate'; version := found_max;
        ELSE
          status := 'wrong_version'; version := coalesce(cur, -1);
        END IF;
      END IF;
      RETURN NEXT;
      lo := hi + 1;
    END LOOP;
  ELSE
    me := pg_current_xact_id();
    FOR i IN 1 .. appends LOOP
      sid := p_stream_ids[i];
      expected := p_expected[i];
      n := p_counts[i];
      hi := lo + n - 1;
      idx := i;
      <<attempt>>
      LOOP
        is_new := false;
        IF expected = -1 THEN
          INSERT INTO ${s}.streams (stream_id, version, last_transaction_id) VALUES (sid, n - 1, me)
            ON CONFLICT DO NOTHING;
          is_new := FOUND;
        END IF;
        IF is_new THEN
          cur := -1;
        ELSE
          SELECT st.version, st.last_transaction_id INTO cur, cur_tx
            FROM ${s}.streams st WHERE st.stream_id = sid FOR UPDATE;
          IF NOT FOUND THEN
            IF expected >= 0 THEN
              status := 'wrong_version'; version := -1; EXIT attempt;
            END IF;
            INSERT INTO ${s}.streams (stream_id, version, last_transaction_id) VALUES (sid, n - 1, me)
              ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
              CONTINUE attempt;
            END IF;
            cur := -1;
          ELSE
            SELECT count(*), max(e.stream_version) INTO found_count, found_max
              FROM ${s}.events e WHERE e.stream_id = sid AND e.event_id = ANY (p_event_ids[lo:hi]);
            IF found_count = n THEN
              status := 'duplicate'; version := found_max; EXIT attempt;
            END IF;
            IF found_count > 0 OR expected = -1 OR (expected >= 0 AND expected <> cur) THEN
              status := 'wrong_version'; version := cur; EXIT attempt;
            END IF;
            IF cur_tx > me THEN
              status := 'retry'; version := cur; EXIT attempt;
            END IF;
            UPDATE ${s}.streams SET version = cur + n, last_transaction_id = me WHERE stream_id = sid;
          END IF;
        END IF;
        INSERT INTO ${s}.events (stream_id, stream_version, event_id, type, data, metadata)
          SELECT sid, cur + u.ord, u.event_id, u.type, u.data::json, u.metadata::json
            FROM unnest(p_event_ids[lo:hi], p_types[lo:hi], p_data[lo:hi], p_metadata[lo:hi])
              WITH ORDINALITY AS u(event_id, type, data, metadata, ord);
        status := 'ok'; version := cur + n; wrote := true;
        EXIT attempt;
      END LOOP;
      RETURN NEXT;
      lo := hi + 1;
    END LOOP;
  END IF;
  IF wrote AND p_channel IS NOT NULL THEN
    PERFORM pg_notify(p_channel, me::text);
  END IF;
END
$fn$;
`,
  },
];

// Arbitrary constant namespacing our advisory locks (first key); the second key is the schema's hash.
const lockNamespace = 0x0e57_0001;

/**
 * Creates the schema if needed and applies missing migrations, serialised by a transaction-scoped advisory
 * lock. Returns the versions applied by this call (empty when the schema was already current).
 */
export async function migrate(client: pg.ClientBase, schema: string): Promise<number[]> {
  assertSchemaName(schema);
  const s = ident(schema);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockNamespace, schema]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version int PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const have = new Set(done.rows.map((r) => r.version));
    for (const m of migrations) {
      if (have.has(m.version)) continue;
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
