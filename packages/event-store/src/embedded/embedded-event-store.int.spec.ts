/**
 * What only the embedded adapter has: SQLite pragmas, the schema migration, the consumer transaction helper,
 * the polling fallback between two connections on one file. The port semantics are covered by the shared
 * contract suite (embedded.int.spec.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventToAppend, type StoredEvent, StoreUnavailable, WrongExpectedVersion } from '../port.js';
import { InvalidCheckpoint } from './checkpoint.js';
import { type EmbeddedEventStore, embeddedEventStore } from './embedded-event-store.js';

const dirs: string[] = [];
const stores: EmbeddedEventStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-embedded-'));
  dirs.push(dir);
  return dir;
}

function open(dataDir?: string, pollIntervalMs = 50): EmbeddedEventStore {
  const store = embeddedEventStore(dataDir === undefined ? { pollIntervalMs } : { dataDir, pollIntervalMs });
  stores.push(store);
  return store;
}

let seq = 0;
function ev(type = 'Happened', data: EventToAppend['data'] = {}): EventToAppend {
  seq++;
  return { eventId: `evt-${seq}`, type, data };
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embeddedEventStore, file mode', () => {
  it('given a data dir, when opened, then the file uses WAL with synchronous=FULL (fsync on commit)', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    expect(store.file).toBe(join(dataDir, 'events.sqlite'));
    const { rows: journal } = await store.query('PRAGMA journal_mode');
    const { rows: sync } = await store.query('PRAGMA synchronous');
    expect(journal).toEqual([{ journal_mode: 'wal' }]);
    expect(sync).toEqual([{ synchronous: 2 }]); // 2 = FULL
  });

  it('given a store with events, when reopened, then the events and checkpoints are there and the schema is not re-created', async () => {
    const dataDir = tempDir();
    const first = open(dataDir);
    await first.appendToStream('s-1', [ev('A', { n: 1 }), ev('B')], { expectedVersion: 'no_stream' });
    await first.withTransaction((tx) => tx.saveCheckpoint('projector', '2'));
    await first.close();

    const second = open(dataDir);
    const events = await second.readStream('s-1');
    expect(events.map((e) => [e.type, e.streamVersion, e.data])).toEqual([
      ['A', 0, { n: 1 }],
      ['B', 1, {}],
    ]);
    expect(await second.loadCheckpoint('projector')).toBe('2');
    const { rows } = await second.query('PRAGMA user_version');
    expect(rows).toEqual([{ user_version: 1 }]);
    await expect(second.appendToStream('s-1', [ev()], { expectedVersion: 0 })).rejects.toSatisfy(
      (e) => WrongExpectedVersion.is(e) && e.details.actual === 1,
    );
  });

  it('given a file written by a newer build, when opened, then it refuses with ES_STORE_UNAVAILABLE', () => {
    const dataDir = tempDir();
    open(dataDir);
    const raw = new Database(join(dataDir, 'events.sqlite'));
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => embeddedEventStore({ dataDir })).toThrow(
      expect.objectContaining({ code: StoreUnavailable.code }),
    );
  });

  it('given a subscription, when another connection appends to the same file, then polling delivers the event', async () => {
    const dataDir = tempDir();
    const reader = open(dataDir, 20);
    const writer = open(dataDir);
    const received: string[] = [];
    let caughtUp!: () => void;
    const isCaughtUp = new Promise<void>((resolve) => {
      caughtUp = resolve;
    });
    let gotIt!: () => void;
    const delivered = new Promise<void>((resolve) => {
      gotIt = resolve;
    });
    const sub = reader.subscribeToAll({
      handler: async (event) => {
        received.push(event.type);
        gotIt();
      },
      onCaughtUp: () => caughtUp(),
    });
    await isCaughtUp;
    await writer.appendToStream('s-2', [ev('FromOtherConnection')], { expectedVersion: 'any' });
    await delivered;
    await sub.stop();
    expect(received).toEqual(['FromOtherConnection']);
  });
});

describe('embeddedEventStore, consumer transactions', () => {
  it('given effects and a checkpoint in one transaction, when it commits, then both are stored', async () => {
    const store = open();
    await store.withTransaction(async (tx) => {
      await tx.query('CREATE TABLE dossiers (id TEXT PRIMARY KEY, status TEXT NOT NULL, urgent INTEGER)');
    });
    await store.withTransaction(async (tx) => {
      const { rowCount } = await tx.query('INSERT INTO dossiers (id, status, urgent) VALUES ($1, $2, $3)', [
        'd-1',
        'received',
        true,
      ]);
      expect(rowCount).toBe(1);
      tx.run('UPDATE dossiers SET status = ? WHERE id = ?', ['accepted', 'd-1']);
      await tx.saveCheckpoint('dossier-list', '7');
    });
    const { rows } = await store.query('SELECT id, status, urgent FROM dossiers');
    expect(rows).toEqual([{ id: 'd-1', status: 'accepted', urgent: 1 }]);
    expect(await store.loadCheckpoint('dossier-list')).toBe('7');
  });

  it('given JavaScript parameter values, when bound, then they are stored as node-pg would send them', async () => {
    const store = open();
    await store.ready();
    await store.query('CREATE TABLE p (b, d, o, a, u, n, s)');
    await store.withTransaction((tx) =>
      tx.query('INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        false,
        new Date(Date.UTC(2026, 10, 25, 8)),
        { k: 'v' },
        [1, 2],
        undefined,
        42,
        'đ',
      ]),
    );
    const { rows } = await store.query<{ b: number; d: string }>('SELECT * FROM p');
    expect(rows).toEqual([
      { b: 0, d: '2026-11-25T08:00:00.000Z', o: '{"k":"v"}', a: '[1,2]', u: null, n: 42, s: 'đ' },
    ]);
  });

  it('given a handler that throws after writing, when the transaction ends, then neither effects, checkpoint nor appended events remain', async () => {
    const store = open();
    await store.query('CREATE TABLE counts (n INTEGER)');
    const failure = new Error('handler failed');
    await expect(
      store.withTransaction(async (tx) => {
        await tx.query('INSERT INTO counts (n) VALUES (1)');
        await tx.saveCheckpoint('counter', '3');
        await store.appendToStream('reaction-1', [ev('Reacted')], { expectedVersion: 'no_stream' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await store.query('SELECT count(*) AS c FROM counts')).rows).toEqual([{ c: 0 }]);
    expect(await store.loadCheckpoint('counter')).toBeUndefined();
    expect(await store.readStream('reaction-1')).toEqual([]);
  });

  it('given an open transaction, when another caller reads, then it waits and sees only committed rows', async () => {
    const store = open();
    await store.query('CREATE TABLE items (id TEXT)');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inside!: () => void;
    const started = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const tx = store.withTransaction(async (t) => {
      await t.query('INSERT INTO items (id) VALUES ($1)', ['x']);
      inside();
      await gate;
    });
    await started;
    const read = store.query('SELECT id FROM items');
    let readSettled = false;
    void read.then(() => {
      readSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readSettled).toBe(false);
    release();
    await tx;
    expect((await read).rows).toEqual([{ id: 'x' }]);
  });

  it('given an append inside a consumer transaction, when it commits, then a live subscription is woken', async () => {
    // Long poll interval: delivery within the test timeout proves the wake-up, not the polling.
    const store = embeddedEventStore({ pollIntervalMs: 60_000 });
    stores.push(store);
    const got: StoredEvent[] = [];
    let caughtUp!: () => void;
    const isCaughtUp = new Promise<void>((resolve) => {
      caughtUp = resolve;
    });
    let gotIt!: () => void;
    const delivered = new Promise<void>((resolve) => {
      gotIt = resolve;
    });
    const sub = store.subscribeToAll({
      handler: async (event) => {
        got.push(event);
        gotIt();
      },
      onCaughtUp: () => caughtUp(),
    });
    await isCaughtUp;
    await store.withTransaction(async (tx) => {
      await store.appendToStream('reaction-2', [ev('Reacted')], { expectedVersion: 'no_stream' });
      await tx.saveCheckpoint('reactor', '1');
    });
    await delivered;
    await sub.stop();
    expect(got.map((e) => [e.streamId, e.type])).toEqual([['reaction-2', 'Reacted']]);
  });

  it('given a checkpoint this store did not produce, when saved or used, then ES_INVALID_CHECKPOINT', async () => {
    const store = open();
    await expect(store.withTransaction((tx) => tx.saveCheckpoint('x', '12:34'))).rejects.toSatisfy((e) =>
      InvalidCheckpoint.is(e),
    );
    await expect(store.readAll({ after: 'abc' })).rejects.toSatisfy((e) => InvalidCheckpoint.is(e));
  });

  it('given a closed store, when used, then ES_STORE_UNAVAILABLE', async () => {
    const store = open();
    await store.close();
    await expect(store.readAll()).rejects.toSatisfy((e) => StoreUnavailable.is(e));
    await expect(store.appendToStream('s', [ev()], { expectedVersion: 'any' })).rejects.toSatisfy((e) =>
      StoreUnavailable.is(e),
    );
  });
});

describe('embeddedEventStore, group commit', () => {
  /** A file store that records how many appends each of its commits carried. */
  function counted(extra: { maxBatchAppends?: number; pollIntervalMs?: number } = {}) {
    const commits: number[] = [];
    const store = embeddedEventStore({
      dataDir: tempDir(),
      onAppendCommit: (appends) => commits.push(appends),
      ...extra,
    });
    stores.push(store);
    return { store, commits };
  }

  it('given 20 appends made in the same turn, when they commit, then they share one transaction and each gets its own version', async () => {
    const { store, commits } = counted();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.appendToStream(`g-${i}`, i % 2 === 0 ? [ev()] : [ev(), ev()], { expectedVersion: 'no_stream' }),
      ),
    );
    expect(commits).toEqual([20]);
    expect(results.map((r) => r.nextExpectedVersion)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0 : 1)),
    );
    const { events } = await store.readAll();
    expect(events).toHaveLength(30);
    expect(events.map((e) => e.streamId)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? [`g-${i}`] : [`g-${i}`, `g-${i}`])).flat(),
    );
  });

  it('given a conflicting append in a group, when it commits, then only that append fails and the others are stored', async () => {
    const { store, commits } = counted();
    const retried = [ev('Retried')];
    await store.appendToStream('hot', [ev('First')], { expectedVersion: 'no_stream' });
    await store.appendToStream('done', retried, { expectedVersion: 'no_stream' });
    await store.appendToStream('done', [ev('Later')], { expectedVersion: 0 });
    commits.length = 0;

    const outcomes = await Promise.allSettled([
      store.appendToStream('hot', [ev('Winner')], { expectedVersion: 0 }),
      // Same expected version as the append before it in the group, which has already moved the stream on.
      store.appendToStream('hot', [ev('Loser'), ev('Loser')], { expectedVersion: 0 }),
      store.appendToStream('cold', [ev('Other')], { expectedVersion: 'no_stream' }),
      store.appendToStream('done', retried, { expectedVersion: 'no_stream' }),
      store.appendToStream('hot', [ev('AfterWinner')], { expectedVersion: 1 }),
    ]);

    expect(commits).toEqual([5]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.nextExpectedVersion : o.status))).toEqual([
      1,
      'rejected',
      0,
      0,
      2,
    ]);
    const loser = outcomes[1];
    expect(
      loser?.status === 'rejected' && WrongExpectedVersion.is(loser.reason) && loser.reason.details,
    ).toEqual({ streamId: 'hot', expected: 0, actual: 1 });
    expect((await store.readStream('hot')).map((e) => e.type)).toEqual(['First', 'Winner', 'AfterWinner']);
    expect((await store.readStream('cold')).map((e) => e.type)).toEqual(['Other']);
    expect((await store.readStream('done')).map((e) => e.type)).toEqual(['Retried', 'Later']);
  });

  it('given more appends than maxBatchAppends, when they commit, then they go in groups of at most that size, in order', async () => {
    const { store, commits } = counted({ maxBatchAppends: 4 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.appendToStream('one', [ev()], { expectedVersion: 'any' })),
    );
    expect(commits).toEqual([4, 4, 2]);
    expect(results.map((r) => r.nextExpectedVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('given an idle store, when one append is made, then it is committed within one turn of the event loop', async () => {
    const { store, commits } = counted();
    await store.ready();
    let settled = false;
    void store.appendToStream('lone', [ev()], { expectedVersion: 'no_stream' }).then(() => {
      settled = true;
    });
    expect(settled).toBe(false);
    // The append's flush was queued before this callback, so it has run (microtasks included) when it fires.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(true);
    expect(commits).toEqual([1]);
  });

  it('given an open consumer transaction, when appends are made inside and outside it, then the inside one joins it and the outside ones commit together after it', async () => {
    const { store, commits } = counted();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inside!: () => void;
    const started = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const tx = store.withTransaction(async (t) => {
      await store.appendToStream('inside', [ev('Inside')], { expectedVersion: 'no_stream' });
      await t.saveCheckpoint('reactor', '1');
      inside();
      await gate;
    });
    await started;
    let outsideSettled = false;
    const outside = Promise.all(
      [1, 2, 3].map((i) =>
        store.appendToStream(`outside-${i}`, [ev('Outside')], { expectedVersion: 'no_stream' }),
      ),
    ).then(() => {
      outsideSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outsideSettled).toBe(false);
    expect(commits).toEqual([]);
    release();
    await tx;
    await outside;
    expect(commits).toEqual([3]);
    expect((await store.readAll()).events.map((e) => e.streamId)).toEqual([
      'inside',
      'outside-1',
      'outside-2',
      'outside-3',
    ]);
  });

  it('given a live subscription, when a group commits, then the subscription is woken and receives every event', async () => {
    // Long poll interval: delivery within the test timeout proves the wake-up, not the polling.
    const { store, commits } = counted({ pollIntervalMs: 60_000 });
    const got: string[] = [];
    let caughtUp!: () => void;
    const isCaughtUp = new Promise<void>((resolve) => {
      caughtUp = resolve;
    });
    let gotAll!: () => void;
    const delivered = new Promise<void>((resolve) => {
      gotAll = resolve;
    });
    const sub = store.subscribeToAll({
      handler: async (event) => {
        got.push(event.streamId);
        if (got.length === 5) gotAll();
      },
      onCaughtUp: () => caughtUp(),
    });
    await isCaughtUp;
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) => store.appendToStream(`live-${i}`, [ev()], { expectedVersion: 'no_stream' })),
    );
    await delivered;
    await sub.stop();
    expect(commits).toEqual([5]);
    expect(got).toEqual(['live-0', 'live-1', 'live-2', 'live-3', 'live-4']);
  });

  it('given appends queued when close() is called, then they are committed before the file is closed', async () => {
    const dataDir = tempDir();
    const store = embeddedEventStore({ dataDir });
    const appends = [0, 1, 2].map((i) =>
      store.appendToStream(`closing-${i}`, [ev()], { expectedVersion: 'no_stream' }),
    );
    await store.close();
    expect((await Promise.all(appends)).map((r) => r.nextExpectedVersion)).toEqual([0, 0, 0]);
    const reopened = open(dataDir);
    expect((await reopened.readAll()).events.map((e) => e.streamId)).toEqual([
      'closing-0',
      'closing-1',
      'closing-2',
    ]);
  });

  it('given batching off, when appends are made in the same turn, then each commits on its own', async () => {
    const commits: number[] = [];
    const store = embeddedEventStore({ batching: false, onAppendCommit: (appends) => commits.push(appends) });
    stores.push(store);
    await Promise.all(
      [0, 1, 2].map((i) => store.appendToStream(`solo-${i}`, [ev()], { expectedVersion: 'no_stream' })),
    );
    expect(commits).toEqual([1, 1, 1]);
  });
});
