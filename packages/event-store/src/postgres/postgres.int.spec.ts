import { randomUUID } from 'node:crypto';
import { createTestSchema, type TestSchema } from '@onestop/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import {
  type EventStore,
  type EventToAppend,
  rawDataOf,
  type StoredEvent,
  StoreUnavailable,
  WrongExpectedVersion,
} from '../port.js';
import { migrate } from './migrations.js';
import {
  type PostgresEventStore,
  type PostgresEventStoreOptions,
  postgresEventStore,
  readAllSql,
} from './postgres-event-store.js';

const open = (schema: TestSchema, options: Partial<PostgresEventStoreOptions> = {}): PostgresEventStore =>
  postgresEventStore({
    connectionString: schema.connectionString,
    schema: schema.schema,
    pool: { max: 4 },
    ...options,
  });

eventStoreContract('postgres', async () => {
  const schema = await createTestSchema('t_es');
  const opened: EventStore[] = [];
  const first = open(schema);
  await first.ready();
  opened.push(first);
  return {
    store: first,
    reopen: async () => {
      const store = open(schema);
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await schema.drop();
    },
  };
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

const newEvents = (count: number, type = 'Tested'): EventToAppend[] =>
  Array.from({ length: count }, (_, i) => ({ eventId: randomUUID(), type, data: { i } }));

describe('postgres event store', () => {
  let schema: TestSchema;
  let admin: pg.Client;
  const stores: PostgresEventStore[] = [];
  const tracked = (store: PostgresEventStore) => {
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    schema = await createTestSchema('t_espg');
    admin = new pg.Client({ connectionString: schema.connectionString });
    await admin.connect();
  });

  /** A fresh store in its own schema (inside the test schema's name space, dropped with it at the end). */
  async function freshStore(options: Partial<PostgresEventStoreOptions> = {}): Promise<PostgresEventStore> {
    const name = `${schema.schema}_${stores.length}`;
    const store = tracked(open({ ...schema, schema: name }, options));
    await store.ready();
    return store;
  }
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    const extra = await admin.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 || '\\_%'`,
      [schema.schema],
    );
    for (const row of extra.rows) await admin.query(`DROP SCHEMA "${row.nspname}" CASCADE`);
    await admin.end();
    await schema.drop();
  });

  describe('migrations', () => {
    it('given a current schema, when migrating again, then nothing is applied', async () => {
      const name = `${schema.schema}_mig_again`;
      expect(await migrate(admin, name)).toEqual([1, 2]);
      expect(await migrate(admin, name)).toEqual([]);
      const applied = await admin.query(`SELECT version FROM "${name}".schema_migrations ORDER BY version`);
      expect(applied.rows).toEqual([{ version: 1 }, { version: 2 }]);
    });

    it('given four processes migrating a new schema at once, then exactly one applies each migration', async () => {
      const name = `${schema.schema}_mig_race`;
      const clients = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const client = new pg.Client({ connectionString: schema.connectionString });
          await client.connect();
          return client;
        }),
      );
      try {
        const results = await Promise.all(clients.map((client) => migrate(client, name)));
        expect(results.flat()).toEqual([1, 2]);
        const applied = await admin.query(`SELECT count(*)::int AS n FROM "${name}".schema_migrations`);
        expect(applied.rows[0]?.n).toBe(2);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    });
  });

  describe('natural batching', () => {
    const transactionsOf = async (store: PostgresEventStore) => {
      const result = await admin.query<{ n: number }>(
        `SELECT count(DISTINCT transaction_id)::int AS n FROM "${store.schema}".events`,
      );
      return result.rows[0]?.n ?? -1;
    };

    it('given 40 concurrent appends, when batching is on, then they share transactions; off, each has its own', async () => {
      const batched = await freshStore();
      const unbatched = await freshStore({ batching: false });
      for (const store of [batched, unbatched]) {
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            store.appendToStream(`s-${i}`, newEvents(1), { expectedVersion: 'no_stream' }),
          ),
        );
        expect(results.every((r) => r.nextExpectedVersion === 0)).toBe(true);
      }
      expect(await transactionsOf(batched)).toBeLessThan(40);
      expect(await transactionsOf(unbatched)).toBe(40);
    });

    it('given one batch with conflicting and independent appends, then each keeps its own outcome', async () => {
      const store = await freshStore();
      await store.appendToStream('contended', newEvents(1), { expectedVersion: 'no_stream' });
      const contended = Array.from({ length: 8 }, () =>
        store.appendToStream('contended', newEvents(2), { expectedVersion: 0 }),
      );
      const independent = Array.from({ length: 8 }, (_, i) =>
        store.appendToStream(`free-${i}`, newEvents(3), { expectedVersion: 'no_stream' }),
      );
      const outcomes = await Promise.allSettled(contended);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          expect(WrongExpectedVersion.is(o.reason) && o.reason.details).toEqual({
            streamId: 'contended',
            expected: 0,
            actual: 2,
          });
        }
      }
      expect((await Promise.all(independent)).map((r) => r.nextExpectedVersion)).toEqual(Array(8).fill(2));
      expect(await store.readStream('contended')).toHaveLength(3);
      // The 16 appends really were committed together, not one by one.
      expect(await transactionsOf(store)).toBeLessThan(10);
    });
  });

  describe('append_batch paths (migration 2)', () => {
    it('given no_stream appends batched together where some streams exist, then new streams are created, an existing one fails with its version and a re-sent append is a duplicate', async () => {
      const store = await freshStore({ maxBatchesInFlight: 1 }); // all four in one batch
      const resent = newEvents(2);
      await store.appendToStream('existing', newEvents(2), { expectedVersion: 'no_stream' });
      await store.appendToStream('resent', resent, { expectedVersion: 'no_stream' });
      const outcomes = await Promise.allSettled([
        store.appendToStream('new-a', newEvents(3), { expectedVersion: 'no_stream' }),
        store.appendToStream('existing', newEvents(1), { expectedVersion: 'no_stream' }),
        store.appendToStream('resent', resent, { expectedVersion: 'no_stream' }),
        store.appendToStream('new-b', newEvents(1), { expectedVersion: 'no_stream' }),
      ]);
      const [newA, existing, again, newB] = outcomes;
      expect(newA).toEqual({ status: 'fulfilled', value: { nextExpectedVersion: 2 } });
      expect(
        existing?.status === 'rejected' &&
          WrongExpectedVersion.is(existing.reason) &&
          existing.reason.details,
      ).toEqual({
        streamId: 'existing',
        expected: 'no_stream',
        actual: 1,
      });
      expect(again).toEqual({ status: 'fulfilled', value: { nextExpectedVersion: 1 } });
      expect(newB).toEqual({ status: 'fulfilled', value: { nextExpectedVersion: 0 } });
      expect((await store.readStream('new-a')).map((e) => e.streamVersion)).toEqual([0, 1, 2]);
      expect(await store.readStream('existing')).toHaveLength(2);
      expect(await store.readStream('resent')).toHaveLength(2);
      const tx = await admin.query<{ n: number }>(
        `SELECT count(DISTINCT transaction_id)::int AS n FROM "${store.schema}".events WHERE stream_id IN ('new-a', 'new-b')`,
      );
      expect(tx.rows[0]?.n).toBe(1);
    });

    it('given appends to one stream and to others submitted at once, when two batches can be in flight, then that stream keeps submission order', async () => {
      const store = await freshStore({ maxBatchesInFlight: 2 });
      const submitted: string[] = [];
      const appends: Promise<unknown>[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 6; i++) {
          const events = newEvents(1);
          if (i % 2 === 0) {
            submitted.push(...events.map((e) => e.eventId));
            appends.push(store.appendToStream('ordered', events, { expectedVersion: 'any' }));
          } else {
            appends.push(
              store.appendToStream(`other-${round}-${i}`, events, { expectedVersion: 'no_stream' }),
            );
          }
        }
        await delay(1); // the next round arrives while earlier batches are in flight
      }
      await Promise.all(appends);
      expect((await store.readStream('ordered')).map((e) => e.eventId)).toEqual(submitted);
    });
  });

  describe('read-ahead', () => {
    it('given a full page read, when more events commit before the next read, then the next read returns them (a short read-ahead page is not served)', async () => {
      const store = await freshStore();
      await store.appendToStream('s', newEvents(3), { expectedVersion: 'no_stream' });
      await waitFor(async () => (await store.readAll()).events.length === 3, 'three events visible');
      const first = await store.readAll({ maxCount: 2 }); // full: the page after it is read ahead (1 event)
      expect(first.events).toHaveLength(2);
      await store.appendToStream('s', newEvents(2), { expectedVersion: 2 });
      await waitFor(async () => (await store.readAll()).events.length === 5, 'five events visible');
      const next = await store.readAll(
        first.checkpoint === undefined ? {} : { after: first.checkpoint, maxCount: 2 },
      );
      expect(next.events.map((e) => e.streamVersion)).toEqual([2, 3]);
    });
  });

  describe('payload text', () => {
    it('given appended events, when read by readAll, readStream and a subscription, then each keeps the appended payload text and parses it to the same data', async () => {
      const store = await freshStore();
      const events: EventToAppend[] = [
        {
          eventId: randomUUID(),
          type: 'Tested',
          data: { name: 'Nguyễn Văn A', n: 1.5, list: [1, null, 'x'] },
        },
        { eventId: randomUUID(), type: 'Tested', data: {} },
      ];
      await store.appendToStream('texts', events, { expectedVersion: 'no_stream' });
      await waitFor(async () => (await store.readAll()).events.length === 2, 'two events visible');
      const subscribed: StoredEvent[] = [];
      const controller = new AbortController();
      const subscription = store.subscribeToAll({
        signal: controller.signal,
        handler: async (event) => {
          subscribed.push(event);
        },
      });
      await waitFor(() => subscribed.length === 2, 'two events delivered');
      controller.abort();
      await subscription.done;
      for (const read of [(await store.readAll()).events, await store.readStream('texts'), subscribed]) {
        expect(read.map(rawDataOf)).toEqual(events.map((e) => JSON.stringify(e.data)));
        expect(read.map((e) => e.data)).toEqual(events.map((e) => e.data));
        // A copy is a plain event: its payload may be changed, so no text travels with it.
        expect(read.map((e) => rawDataOf({ ...e }))).toEqual([undefined, undefined]);
      }
    });
  });

  describe('visibility watermark', () => {
    it('given an older transaction still open, then readAll holds newer commits back, reports the lag, and releases them at its end', async () => {
      const store = await freshStore();
      await store.appendToStream('before', newEvents(1), { expectedVersion: 'no_stream' });
      await waitFor(async () => (await store.readAll()).events.length === 1, 'first event visible');
      expect((await store.watermarkLag()).pendingEvents).toBe(0);

      const holder = new pg.Client({ connectionString: schema.connectionString });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()'); // takes a transaction id: it now holds the watermark
        const late = newEvents(2);
        await store.appendToStream('after', late, { expectedVersion: 'no_stream' });
        await delay(150);
        expect(await store.readStream('after')).toHaveLength(2);
        const page = await store.readAll();
        expect(page.events).toHaveLength(1);
        const lag = await store.watermarkLag();
        expect(lag.pendingEvents).toBe(2);
        expect(lag.oldestWriterAgeMs).toBeGreaterThanOrEqual(100);
        expect(lag.transactionSpan).toBeGreaterThanOrEqual(1);

        await holder.query('ROLLBACK');
        await waitFor(async () => (await store.watermarkLag()).pendingEvents === 0, 'watermark released');
        const next = await store.readAll(page.checkpoint === undefined ? {} : { after: page.checkpoint });
        expect(next.events.map((e) => e.eventId)).toEqual(late.map((e) => e.eventId));
      } finally {
        await holder.end();
      }
    });

    it('reads the global order through the (transaction_id, global_position) index, without sorting', async () => {
      const store = await freshStore();
      await admin.query(
        `INSERT INTO "${store.schema}".events (stream_id, stream_version, event_id, type, data)
         SELECT 's' || g, 0, g::text, 'T', '{}' FROM generate_series(1, 20000) g`,
      );
      await admin.query(`ANALYZE "${store.schema}".events`);
      const plan = await admin.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) ${readAllSql(store.schema)}`,
        ['0', '0', 1000],
      );
      const text = JSON.stringify(plan.rows[0]?.['QUERY PLAN']);
      expect(text).toContain('events_transaction_position_idx');
      expect(text).not.toContain('"Sort"');
    });

    it('given a checkpoint from elsewhere, then readAll rejects it as ES_INVALID_CHECKPOINT', async () => {
      const store = await freshStore();
      await expect(store.readAll({ after: '42' })).rejects.toMatchObject({ code: 'ES_INVALID_CHECKPOINT' });
      await expect(store.readAll({ after: 'pg:1:x' })).rejects.toMatchObject({
        code: 'ES_INVALID_CHECKPOINT',
      });
    });
  });

  describe('torture: concurrent writers and a following reader', () => {
    it('given 16 writers on 4 stores with batches of 1-20, then a readAll follower sees every event exactly once in stream order, while a naive position reader misses a late commit', async () => {
      const first = await freshStore();
      const writers = [
        first,
        tracked(open({ ...schema, schema: first.schema })),
        tracked(open({ ...schema, schema: first.schema }, { batching: false })),
        tracked(open({ ...schema, schema: first.schema }, { batching: false })),
      ];
      const s = `"${first.schema}"`;
      const appended = new Set<string>();
      const hot = ['hot-0', 'hot-1', 'hot-2', 'hot-3'];
      let writing = true;
      const loadMs = 2_500;
      const deadline = performance.now() + loadMs;

      const writer = async (w: number) => {
        const store = writers[w % writers.length] ?? first;
        const own = `own-${w}`;
        let ownVersion: number | 'no_stream' = 'no_stream';
        while (performance.now() < deadline) {
          const batch = newEvents(1 + Math.floor(Math.random() * 20), `Tortured${w}`);
          if (Math.random() < 0.5) {
            ownVersion = (await store.appendToStream(own, batch, { expectedVersion: ownVersion }))
              .nextExpectedVersion;
          } else {
            const stream = hot[Math.floor(Math.random() * hot.length)] ?? 'hot-0';
            await store.appendToStream(stream, batch, { expectedVersion: 'any' });
          }
          for (const e of batch) appended.add(e.eventId);
        }
      };

      // The reader under test: readAll pages from a checkpoint.
      const seen: StoredEvent[] = [];
      const follow = async () => {
        let after: string | undefined;
        const giveUpAt = performance.now() + loadMs + 15_000;
        for (;;) {
          const stillWriting = writing;
          const page = await first.readAll(
            after === undefined ? { maxCount: 500 } : { after, maxCount: 500 },
          );
          seen.push(...page.events);
          after = page.checkpoint;
          if (page.events.length === 0) {
            if (!stillWriting && seen.length >= appended.size) return;
            if (performance.now() > giveUpAt) return;
            await delay(5);
          }
        }
      };

      // The "test of the test": the classic bug, remembering the last global position seen.
      const naiveSeen = new Set<string>();
      let naiveLast = 0n;
      const naiveClient = new pg.Client({ connectionString: schema.connectionString });
      await naiveClient.connect();
      const naive = async () => {
        for (;;) {
          const stillWriting = writing;
          const page = await naiveClient.query<{ gp: string; event_id: string }>(
            `SELECT global_position::text AS gp, event_id FROM ${s}.events
              WHERE global_position > $1 ORDER BY global_position LIMIT 500`,
            [naiveLast.toString()],
          );
          for (const row of page.rows) {
            naiveSeen.add(row.event_id);
            naiveLast = BigInt(row.gp);
          }
          if (page.rows.length === 0) {
            if (!stillWriting) return;
            await delay(2);
          }
        }
      };

      // A late commit, forced: it takes its position, then holds until the naive reader has passed it.
      const lateId = randomUUID();
      const late = async () => {
        await delay(400);
        const client = new pg.Client({ connectionString: schema.connectionString });
        await client.connect();
        try {
          await client.query('BEGIN');
          await client.query(`SELECT * FROM ${s}.append_batch($1, $2, $3, $4, $5, $6, $7, $8)`, [
            ['late'],
            [-1],
            [1],
            [lateId],
            ['Late'],
            ['{}'],
            ['{}'],
            `es_${first.schema}`,
          ]);
          const own = await client.query<{ gp: string }>(
            `SELECT global_position::text AS gp FROM ${s}.events WHERE event_id = $1`,
            [lateId],
          );
          const position = BigInt(own.rows[0]?.gp ?? '0');
          await waitFor(() => naiveLast > position, 'the naive reader to pass the late position');
          await waitFor(async () => (await first.watermarkLag()).pendingEvents > 0, 'events held back');
          const lag = await first.watermarkLag();
          await client.query('COMMIT');
          return lag;
        } finally {
          await client.end();
        }
      };

      const lateDone = late();
      const readers = Promise.all([follow(), naive()]);
      await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
      const lag = await lateDone;
      appended.add(lateId);
      writing = false;
      await readers;
      await naiveClient.end();

      // Every appended event exactly once, nothing else.
      const seenIds = seen.map((e) => e.eventId);
      expect(seenIds.length).toBe(appended.size);
      expect(new Set(seenIds)).toEqual(appended);
      expect(appended.size).toBeGreaterThan(1_000);
      // Per-stream order: each stream's versions appear as 0, 1, 2, ... in readAll order.
      const nextVersion = new Map<string, number>();
      let outOfOrder = 0;
      for (const e of seen) {
        if (e.streamVersion !== (nextVersion.get(e.streamId) ?? 0)) outOfOrder++;
        nextVersion.set(e.streamId, e.streamVersion + 1);
      }
      expect(outOfOrder).toBe(0);
      // The naive reader skipped the late commit (and possibly others that landed late by themselves).
      const naiveMissed = [...appended].filter((id) => !naiveSeen.has(id));
      expect(naiveMissed.length).toBeGreaterThanOrEqual(1);
      expect(naiveMissed).toContain(lateId);
      expect(seenIds).toContain(lateId);
      // While the late transaction was open, the lag metric showed it.
      expect(lag.pendingEvents).toBeGreaterThan(0);
      expect(lag.oldestWriterAgeMs).toBeGreaterThan(0);
      console.info(
        `torture: ${appended.size} events in ${loadMs} ms by 16 writers; naive reader missed ${naiveMissed.length}`,
      );
    });
  });

  describe('subscriptions', () => {
    it('given a long poll interval, then a live event still arrives at once (LISTEN/NOTIFY wake-up)', async () => {
      const store = await freshStore({ pollIntervalMs: 60_000 });
      let caughtUp = false;
      const received: string[] = [];
      const subscription = store.subscribeToAll({
        handler: async (e) => {
          received.push(e.eventId);
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
      });
      await waitFor(() => caughtUp, 'caught up');
      await delay(200); // the LISTEN connection is set up when the subscription first goes idle
      const started = performance.now();
      const [e] = newEvents(1);
      await store.appendToStream('s', e ? [e] : [], { expectedVersion: 'no_stream' });
      await waitFor(() => received.length === 1, 'the live event', 5_000);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(received).toEqual([e?.eventId]);
      await subscription.stop();
    });

    it('given a write that sends no NOTIFY, then polling still delivers it', async () => {
      const store = await freshStore({ pollIntervalMs: 100 });
      const received: string[] = [];
      const subscription = store.subscribeToAll({
        handler: async (e) => {
          received.push(e.eventId);
        },
      });
      const eventId = randomUUID();
      await admin.query(
        `INSERT INTO "${store.schema}".events (stream_id, stream_version, event_id, type, data)
         VALUES ('raw', 0, $1, 'Raw', '{}')`,
        [eventId],
      );
      await waitFor(() => received.length === 1, 'the polled event', 5_000);
      expect(received).toEqual([eventId]);
      await subscription.stop();
    });
  });

  describe('consumer transactions', () => {
    it("commits a consumer's effects with its checkpoint, and rolls both back when it throws", async () => {
      const store = await freshStore();
      const table = `"${store.schema}".seen`;
      await admin.query(`CREATE TABLE ${table} (event_id text PRIMARY KEY)`);
      await store.appendToStream('s', newEvents(2), { expectedVersion: 'no_stream' });
      const { events } = await (async () => {
        await waitFor(async () => (await store.readAll()).events.length === 2, 'events visible');
        return store.readAll();
      })();
      const [first, second] = events;
      if (!first || !second) throw new Error('expected two events');

      const cp1 = (await store.readAll({ maxCount: 1 })).checkpoint ?? '';
      await store.withTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [first.eventId]);
        await tx.saveCheckpoint('projector', cp1);
        expect(await tx.loadCheckpoint('projector')).toBe(cp1);
      });
      expect(await store.loadCheckpoint('projector')).toBe(cp1);

      const failure = new Error('projection bug');
      await expect(
        store.withTransaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES ($1)`, [second.eventId]);
          await tx.saveCheckpoint('projector', 'pg:999:999');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.loadCheckpoint('projector')).toBe(cp1);
      const rows = await admin.query(`SELECT event_id FROM ${table}`);
      expect(rows.rows).toEqual([{ event_id: first.eventId }]);
      expect(await store.loadCheckpoint('nobody')).toBeUndefined();
    });
  });

  describe('unreachable server', () => {
    it('reports StoreUnavailable with the driver error as cause', async () => {
      const store = tracked(
        postgresEventStore({
          connectionString: 'postgres://postgres@127.0.0.1:1/nowhere',
          schema: 'es_unreachable',
          pool: { connectionTimeoutMillis: 2_000 },
        }),
      );
      for (const attempt of [
        store.ready(),
        store.appendToStream('s', newEvents(1), { expectedVersion: 'any' }),
        store.readStream('s'),
        store.readAll(),
        store.withTransaction(async () => undefined),
      ]) {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(StoreUnavailable.is(error), String(error)).toBe(true);
        expect(error instanceof Error && error.cause).toBeInstanceOf(Error);
      }
      const subscription = store.subscribeToAll({ handler: async () => undefined });
      await expect(subscription.done).rejects.toMatchObject({ code: 'ES_STORE_UNAVAILABLE' });
    });
  });
});
