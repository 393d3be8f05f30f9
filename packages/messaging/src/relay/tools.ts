/** Operator tools around the relay: how far behind it is, and re-seeding the topic from the store. */
import type { Checkpoint, EventStore } from '@onestop/event-store';
import { RelayRunning } from '../errors.js';
import { type PgLocation, pgClient, quoteIdent } from '../pg.js';
import { ensureRelayTables, loadRelayCheckpoint, relayLockKey } from './checkpoints.js';

export interface RelayLag {
  /** Events in the store after the relay's checkpoint (not yet acknowledged by Kafka). */
  readonly pending: number;
  /** True when counting stopped at `max`: the lag is at least `pending`. */
  readonly capped: boolean;
  readonly checkpoint: Checkpoint | undefined;
}

/**
 * Counts the events the relay has not yet published, by reading the store after the saved checkpoint
 * (checkpoints are opaque, so positions cannot be subtracted). Reads at most `max` events (default 100,000).
 */
export async function relayLag(options: {
  readonly store: EventStore;
  readonly checkpointStore: PgLocation;
  readonly source: string;
  readonly max?: number;
  readonly pageSize?: number;
}): Promise<RelayLag> {
  const max = options.max ?? 100_000;
  const pageSize = options.pageSize ?? 1_000;
  const client = pgClient(options.checkpointStore.connectionString, () => {});
  await client.connect();
  let checkpoint: Checkpoint | undefined;
  try {
    await ensureRelayTables(client, options.checkpointStore.schema);
    checkpoint = await loadRelayCheckpoint(client, options.checkpointStore.schema, options.source);
  } finally {
    await client.end();
  }
  let pending = 0;
  let after = checkpoint;
  while (pending < max) {
    const page = await options.store.readAll({
      ...(after === undefined ? {} : { after }),
      maxCount: Math.min(pageSize, max - pending),
    });
    pending += page.events.length;
    if (page.events.length === 0 || page.checkpoint === undefined) break;
    after = page.checkpoint;
  }
  return { pending, capped: pending >= max, checkpoint };
}

/**
 * Re-seed: forgets the relay's checkpoint so the next relay to take the lock publishes the whole store again
 * (consumers skip what they already applied: their inbox holds every event id). Every relay of this store
 * must be stopped first: the lock is taken to prove it, and `RelayRunning` is thrown when it is held.
 */
export async function resetRelayCheckpoint(options: {
  readonly checkpointStore: PgLocation;
  readonly source: string;
  readonly lockKey?: string;
}): Promise<{ previous: Checkpoint | undefined }> {
  const { schema, connectionString } = options.checkpointStore;
  const lockKey = options.lockKey ?? relayLockKey(schema, options.source);
  const client = pgClient(connectionString, () => {});
  await client.connect();
  try {
    await ensureRelayTables(client, schema);
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
      [lockKey],
    );
    if (rows[0]?.locked !== true) {
      throw RelayRunning(`a relay holds ${lockKey}: stop every relay of this store before re-seeding`, {
        details: { lockKey },
      });
    }
    const previous = await loadRelayCheckpoint(client, schema, options.source);
    await client.query(`delete from ${quoteIdent(schema)}.relay_checkpoints where name = $1`, [
      options.source,
    ]);
    return { previous };
  } finally {
    // Closing the session releases the lock if we took it.
    await client.end();
  }
}
