/**
 * The shared contract suite (DESIGN.md section 2): every adapter runs exactly these tests. Call it from an
 * adapter's spec file: `eventStoreContract('postgres', async () => ({ store, cleanup, reopen }))`.
 *
 * - `factory` is called before every test and must return an empty store; `cleanup` closes every store it (or
 *   `reopen`) opened and removes the data.
 * - `reopen` (optional) opens a second store on the same data, as a process restart would. The suite closes
 *   the first store before calling it. Without it the resume test reuses the open store.
 * - Input rules: adapters get identical `InvalidAppend` field names by calling `validateAppend`.
 * - `readAll` may lag behind a completed append (PostgreSQL holds events back until every older transaction in
 *   the cluster has ended, e.g. an autovacuum ANALYZE), so the suite waits for events to become visible
 *   (`readEventually`) before asserting on the global log; once visible an event stays in place.
 */
import { randomUUID } from 'node:crypto';
import { isDomainError } from '@onestop/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  type EventStore,
  type EventToAppend,
  InvalidAppend,
  type JsonObject,
  type StoredEvent,
  WrongExpectedVersion,
} from '../port.js';

export interface ContractContext {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
  readonly reopen?: () => Promise<EventStore>;
}

export type ContractFactory = () => Promise<ContractContext>;

function event(type: string, data: JsonObject = {}, metadata?: JsonObject): EventToAppend {
  return metadata === undefined
    ? { eventId: randomUUID(), type, data }
    : { eventId: randomUUID(), type, data, metadata };
}

function events(count: number, type = 'Counted'): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => event(type, { i }));
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

async function expectWrongVersion(
  promise: Promise<unknown>,
  expected: { streamId: string; expected: number | 'no_stream' | 'any'; actual: number },
): Promise<void> {
  const error = await caught(promise);
  expect(WrongExpectedVersion.is(error), `WrongExpectedVersion, got ${String(error)}`).toBe(true);
  if (WrongExpectedVersion.is(error)) expect(error.details).toEqual(expected);
}

async function expectInvalid(promise: Promise<unknown>, field: RegExp): Promise<void> {
  const error = await caught(promise);
  expect(InvalidAppend.is(error), `InvalidAppend, got ${String(error)}`).toBe(true);
  if (InvalidAppend.is(error)) expect(error.details.field).toMatch(field);
}

/** Reads the whole log through `readAll` pages of `pageSize`. */
async function readEverything(store: EventStore, pageSize = 1000): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after: Checkpoint | undefined;
  for (;;) {
    const page = await store.readAll(
      after === undefined ? { maxCount: pageSize } : { after, maxCount: pageSize },
    );
    all.push(...page.events);
    if (page.events.length === 0) return all;
    after = page.checkpoint;
  }
}

/** Reads the whole log once at least `count` events are visible (or fails after a timeout). */
async function readEventually(store: EventStore, count: number, pageSize = 1000): Promise<StoredEvent[]> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const all = await readEverything(store, pageSize);
    if (all.length >= count) return all;
    if (performance.now() > deadline) {
      throw new Error(`readAll shows ${all.length} events after 15 s, expected ${count}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

const ids = (list: ReadonlyArray<{ readonly eventId: string }>) => list.map((e) => e.eventId);

export function eventStoreContract(name: string, factory: ContractFactory): void {
  describe(`${name}: event store contract`, () => {
    let ctx: ContractContext;
    let store: EventStore;

    beforeEach(async () => {
      ctx = await factory();
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    describe('appendToStream: optimistic concurrency', () => {
      it("given no stream, when appending with 'no_stream', then the events are stored at versions 0..n-1", async () => {
        const batch = [
          event('Opened', { a: 1 }, { correlationId: 'c-1' }),
          event('Noted', { b: [1, 'x', null] }),
        ];
        const result = await store.appendToStream('case-1', batch, { expectedVersion: 'no_stream' });
        expect(result.nextExpectedVersion).toBe(1);

        const stored = await store.readStream('case-1');
        expect(stored.map((e) => [e.streamId, e.streamVersion, e.eventId, e.type])).toEqual([
          ['case-1', 0, batch[0]?.eventId, 'Opened'],
          ['case-1', 1, batch[1]?.eventId, 'Noted'],
        ]);
        expect(stored[0]?.data).toEqual({ a: 1 });
        expect(stored[0]?.metadata).toEqual({ correlationId: 'c-1' });
        expect(stored[1]?.data).toEqual({ b: [1, 'x', null] });
        expect(stored[1]?.metadata).toEqual({});
        for (const e of stored) {
          expect(typeof e.globalPosition).toBe('bigint');
          expect(e.recordedAt).toBeInstanceOf(Date);
          expect(Math.abs(e.recordedAt.getTime() - Date.now())).toBeLessThan(60_000);
        }
        expect(stored[0]?.globalPosition).not.toBe(stored[1]?.globalPosition);
      });

      it("given an existing stream, when appending with 'no_stream', then WrongExpectedVersion names the actual version", async () => {
        await store.appendToStream('case-1', events(3), { expectedVersion: 'no_stream' });
        await expectWrongVersion(
          store.appendToStream('case-1', events(1), { expectedVersion: 'no_stream' }),
          {
            streamId: 'case-1',
            expected: 'no_stream',
            actual: 2,
          },
        );
        expect(await store.readStream('case-1')).toHaveLength(3);
      });

      it('given version 2, when appending with expected 2, then it succeeds; with a stale 1 it conflicts and writes nothing', async () => {
        await store.appendToStream('case-1', events(3), { expectedVersion: 'no_stream' });
        const ok = await store.appendToStream('case-1', events(2), { expectedVersion: 2 });
        expect(ok.nextExpectedVersion).toBe(4);
        await expectWrongVersion(store.appendToStream('case-1', events(1), { expectedVersion: 1 }), {
          streamId: 'case-1',
          expected: 1,
          actual: 4,
        });
        await expectWrongVersion(store.appendToStream('case-1', events(1), { expectedVersion: 9 }), {
          streamId: 'case-1',
          expected: 9,
          actual: 4,
        });
        const stored = await store.readStream('case-1');
        expect(stored.map((e) => e.streamVersion)).toEqual([0, 1, 2, 3, 4]);
        expect(await readEventually(store, 5)).toHaveLength(5);
      });

      it('given no stream, when appending with an exact version, then WrongExpectedVersion has actual -1', async () => {
        await expectWrongVersion(store.appendToStream('ghost', events(1), { expectedVersion: 0 }), {
          streamId: 'ghost',
          expected: 0,
          actual: -1,
        });
        expect(await store.readStream('ghost')).toEqual([]);
        expect(await readEverything(store)).toEqual([]);
      });

      it("given any state, when appending with 'any', then it appends after the last event", async () => {
        expect(
          (await store.appendToStream('s', events(2), { expectedVersion: 'any' })).nextExpectedVersion,
        ).toBe(1);
        expect(
          (await store.appendToStream('s', events(3), { expectedVersion: 'any' })).nextExpectedVersion,
        ).toBe(4);
        expect((await store.readStream('s')).map((e) => e.streamVersion)).toEqual([0, 1, 2, 3, 4]);
      });

      it('given concurrent appends with the same expected version, then exactly one succeeds', async () => {
        await store.appendToStream('hot', events(1), { expectedVersion: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream('hot', events(2), { expectedVersion: 0 })),
        );
        const ok = outcomes.filter((o) => o.status === 'fulfilled');
        expect(ok).toHaveLength(1);
        for (const o of outcomes) {
          if (o.status === 'rejected') expect(WrongExpectedVersion.is(o.reason)).toBe(true);
        }
        expect((await store.readStream('hot')).map((e) => e.streamVersion)).toEqual([0, 1, 2]);
      });

      it("given concurrent 'no_stream' appends to one new stream, then exactly one creates it", async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () =>
            store.appendToStream('fresh', events(1), { expectedVersion: 'no_stream' }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream('fresh')).toHaveLength(1);
      });
    });

    describe('appendToStream: idempotent retries', () => {
      it('given a stored batch, when the same eventIds are appended again, then it succeeds with the same version and no duplicates', async () => {
        await store.appendToStream('s', events(2), { expectedVersion: 'no_stream' });
        const batch = events(3);
        const first = await store.appendToStream('s', batch, { expectedVersion: 1 });
        expect(first.nextExpectedVersion).toBe(4);
        // The stream moves on before the retry arrives: the retry still reports the original outcome.
        await store.appendToStream('s', events(1), { expectedVersion: 4 });

        const retry = await store.appendToStream('s', batch, { expectedVersion: 1 });
        expect(retry.nextExpectedVersion).toBe(first.nextExpectedVersion);
        const retryAny = await store.appendToStream('s', batch, { expectedVersion: 'any' });
        expect(retryAny.nextExpectedVersion).toBe(first.nextExpectedVersion);

        const stored = await store.readStream('s');
        expect(stored).toHaveLength(6);
        expect(new Set(ids(stored)).size).toBe(6);
        expect(await readEventually(store, 6)).toHaveLength(6);
      });

      it("given a first append with 'no_stream', when it is retried, then it succeeds", async () => {
        const batch = events(2);
        await store.appendToStream('s', batch, { expectedVersion: 'no_stream' });
        const retry = await store.appendToStream('s', batch, { expectedVersion: 'no_stream' });
        expect(retry.nextExpectedVersion).toBe(1);
        expect(await store.readStream('s')).toHaveLength(2);
      });

      it('given a batch that partly overlaps stored events, then it is a WrongExpectedVersion and nothing is written', async () => {
        const batch = events(2);
        await store.appendToStream('s', batch, { expectedVersion: 'no_stream' });
        const overlapping = [batch[1] ?? event('x'), event('New')];
        await expectWrongVersion(store.appendToStream('s', overlapping, { expectedVersion: 'any' }), {
          streamId: 's',
          expected: 'any',
          actual: 1,
        });
        expect(await store.readStream('s')).toHaveLength(2);
      });

      it('given an eventId stored in another stream, then appending it to a new stream is not a duplicate', async () => {
        const shared = event('Shared');
        await store.appendToStream('a', [shared], { expectedVersion: 'no_stream' });
        await store.appendToStream('b', [shared], { expectedVersion: 'no_stream' });
        expect(await store.readStream('b')).toHaveLength(1);
        expect(await readEventually(store, 2)).toHaveLength(2);
      });
    });

    describe('readStream', () => {
      it('reads from a version with a maximum count, in stream order, and only that stream', async () => {
        await store.appendToStream('s', events(6), { expectedVersion: 'no_stream' });
        await store.appendToStream('other', events(2), { expectedVersion: 'no_stream' });
        await store.appendToStream('s', events(4), { expectedVersion: 5 });

        const all = await store.readStream('s');
        expect(all.map((e) => e.streamVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(all.every((e) => e.streamId === 's')).toBe(true);
        expect(all.map((e) => e.data)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3].map((i) => ({ i })));
        expect(
          (await store.readStream('s', { fromVersion: 3, maxCount: 4 })).map((e) => e.streamVersion),
        ).toEqual([3, 4, 5, 6]);
        expect((await store.readStream('s', { fromVersion: 8 })).map((e) => e.streamVersion)).toEqual([8, 9]);
        expect((await store.readStream('s', { maxCount: 2 })).map((e) => e.streamVersion)).toEqual([0, 1]);
        expect(await store.readStream('s', { fromVersion: 10 })).toEqual([]);
      });

      it('given a missing stream, then readStream returns an empty list (it does not throw StreamNotFound)', async () => {
        await store.appendToStream('present', events(1), { expectedVersion: 'no_stream' });
        expect(await store.readStream('absent')).toEqual([]);
      });

      it('stream versions increase with global positions within a stream', async () => {
        for (let i = 0; i < 5; i++) {
          await store.appendToStream('s', events(2), { expectedVersion: 'any' });
          await store.appendToStream(`o${i}`, events(1), { expectedVersion: 'any' });
        }
        const stream = await store.readStream('s');
        for (let i = 1; i < stream.length; i++) {
          expect((stream[i]?.globalPosition ?? 0n) > (stream[i - 1]?.globalPosition ?? 0n)).toBe(true);
        }
      });
    });

    describe('readAll', () => {
      it('given an empty store, then it returns nothing and an undefined checkpoint', async () => {
        const page = await store.readAll();
        expect(page.events).toEqual([]);
        expect(page.checkpoint).toBeUndefined();
      });

      it('returns sequential appends in append order, and paged reads concatenate to the full log', async () => {
        const appended: string[] = [];
        for (let i = 0; i < 12; i++) {
          const batch = events((i % 3) + 1);
          await store.appendToStream(`s${i % 4}`, batch, { expectedVersion: 'any' });
          appended.push(...ids(batch));
        }
        await readEventually(store, appended.length);
        const whole = await store.readAll();
        expect(ids(whole.events)).toEqual(appended);

        for (const pageSize of [1, 3, 7]) {
          const paged: StoredEvent[] = [];
          let after: Checkpoint | undefined;
          let pages = 0;
          for (;;) {
            const page = await store.readAll(
              after === undefined ? { maxCount: pageSize } : { after, maxCount: pageSize },
            );
            expect(page.events.length).toBeLessThanOrEqual(pageSize);
            if (page.events.length === 0) {
              expect(page.checkpoint).toBe(after);
              break;
            }
            // Checkpoints are opaque strings that survive a JSON round trip (consumers persist them).
            expect(typeof page.checkpoint).toBe('string');
            after = JSON.parse(JSON.stringify(page.checkpoint));
            paged.push(...page.events);
            pages++;
          }
          expect(ids(paged)).toEqual(appended);
          expect(pages).toBe(Math.ceil(appended.length / pageSize));
        }
      });

      it('given a checkpoint at the end, when more events are appended, then reading after it returns exactly the new events', async () => {
        await store.appendToStream('a', events(3), { expectedVersion: 'no_stream' });
        await readEventually(store, 3);
        const first = await store.readAll();
        expect(first.events).toHaveLength(3);
        const fresh = [event('Later', { n: 1 }), event('Later', { n: 2 })];
        await store.appendToStream('b', fresh, { expectedVersion: 'no_stream' });
        await readEventually(store, 5);
        const next = await store.readAll(first.checkpoint === undefined ? {} : { after: first.checkpoint });
        expect(ids(next.events)).toEqual(ids(fresh));
        expect(next.checkpoint).not.toBe(first.checkpoint);
      });

      it('given a checkpoint from the middle of a page, then reading after it continues with the next event', async () => {
        await store.appendToStream('a', events(5), { expectedVersion: 'no_stream' });
        await readEventually(store, 5);
        const all = await store.readAll();
        const page = await store.readAll({ maxCount: 2 });
        const rest = await store.readAll(page.checkpoint === undefined ? {} : { after: page.checkpoint });
        expect(ids(rest.events)).toEqual(ids(all.events).slice(2));
      });

      it('given appends running while a reader pages through readAll, then the reader sees every event exactly once', async () => {
        const appended = new Set<string>();
        let writing = true;
        const writers = Array.from({ length: 6 }, async (_, w) => {
          for (let i = 0; i < 15; i++) {
            const batch = events((i % 4) + 1);
            await store.appendToStream(`w${w}`, batch, { expectedVersion: 'any' });
            for (const id of ids(batch)) appended.add(id);
          }
        });
        const writersDone = Promise.all(writers).finally(() => {
          writing = false;
        });
        const seen: string[] = [];
        let after: Checkpoint | undefined;
        for (;;) {
          const stillWriting = writing;
          const page = await store.readAll(after === undefined ? { maxCount: 5 } : { after, maxCount: 5 });
          seen.push(...ids(page.events));
          after = page.checkpoint;
          if (page.events.length === 0) {
            if (!stillWriting && seen.length >= appended.size) break;
            await delay(5);
          }
        }
        await writersDone;
        expect(seen).toHaveLength(appended.size);
        expect(new Set(seen)).toEqual(appended);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then goes live, without losing or repeating events appended during catch-up', async () => {
        for (let i = 0; i < 30; i++)
          await store.appendToStream(`s${i % 5}`, events(2), { expectedVersion: 'any' });
        const received: StoredEvent[] = [];
        const checkpoints: Checkpoint[] = [];
        let caughtUp = 0;
        let inHandler = 0;
        let overlapping = false;
        const duringCatchUp: Promise<unknown>[] = [];
        const subscription = store.subscribeToAll({
          handler: async (e, checkpoint) => {
            inHandler++;
            if (inHandler > 1) overlapping = true;
            received.push(e);
            checkpoints.push(checkpoint);
            if (received.length === 3) {
              for (let i = 0; i < 5; i++) {
                duringCatchUp.push(
                  store.appendToStream(`live${i}`, events(3), { expectedVersion: 'no_stream' }),
                );
              }
            }
            await delay(0);
            inHandler--;
          },
          onCaughtUp: () => {
            caughtUp++;
          },
        });
        await waitFor(() => received.length >= 75 && caughtUp > 0, 'catch-up of 75 events');
        await Promise.all(duringCatchUp);
        const afterLive = events(4);
        await store.appendToStream('after-live', afterLive, { expectedVersion: 'no_stream' });
        await waitFor(() => received.length >= 79, 'live events');
        await delay(50);
        await subscription.stop();
        await subscription.done;

        const log = await readEventually(store, 79);
        expect(log).toHaveLength(79);
        expect(ids(received)).toEqual(ids(log));
        expect(caughtUp).toBe(1);
        expect(overlapping).toBe(false);
        expect(new Set(checkpoints).size).toBe(checkpoints.length);
        // The checkpoint handed with an event continues right after it.
        const resumeAt = checkpoints[39];
        const rest = await store.readAll(resumeAt === undefined ? {} : { after: resumeAt });
        expect(ids(rest.events)).toEqual(ids(log).slice(40));
      });

      it('given a checkpoint, then the subscription starts right after it', async () => {
        await store.appendToStream('a', events(4), { expectedVersion: 'no_stream' });
        await readEventually(store, 4);
        const page = await store.readAll({ maxCount: 3 });
        const received: string[] = [];
        const subscription = store.subscribeToAll({
          ...(page.checkpoint === undefined ? {} : { after: page.checkpoint }),
          handler: async (e) => {
            received.push(e.eventId);
          },
        });
        const fresh = events(2);
        await store.appendToStream('b', fresh, { expectedVersion: 'no_stream' });
        const all = await readEventually(store, 6);
        await waitFor(() => received.length >= 3, 'three events');
        await subscription.stop();
        expect(received).toEqual(ids(all).slice(3));
      });

      it('given an empty store, then onCaughtUp fires and live events still arrive', async () => {
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
        await waitFor(() => caughtUp, 'onCaughtUp');
        const batch = events(2);
        await store.appendToStream('s', batch, { expectedVersion: 'no_stream' });
        await waitFor(() => received.length >= 2, 'live events');
        await subscription.stop();
        expect(received).toEqual(ids(batch));
      });

      it('when stopped, then done resolves and the handler is not called again', async () => {
        await store.appendToStream('s', events(2), { expectedVersion: 'no_stream' });
        let calls = 0;
        const subscription = store.subscribeToAll({
          handler: async () => {
            calls++;
          },
        });
        await waitFor(() => calls >= 2, 'two events');
        await subscription.stop();
        await expect(subscription.done).resolves.toBeUndefined();
        await subscription.stop();
        await store.appendToStream('s', events(3), { expectedVersion: 1 });
        await delay(700);
        expect(calls).toBe(2);
      });

      it('when its AbortSignal aborts, then done resolves and the handler is not called again', async () => {
        await store.appendToStream('s', events(1), { expectedVersion: 'no_stream' });
        const controller = new AbortController();
        let calls = 0;
        const subscription = store.subscribeToAll({
          signal: controller.signal,
          handler: async () => {
            calls++;
          },
        });
        await waitFor(() => calls >= 1, 'first event');
        controller.abort();
        await expect(subscription.done).resolves.toBeUndefined();
        await store.appendToStream('s', events(2), { expectedVersion: 0 });
        await delay(700);
        expect(calls).toBe(1);
      });

      it('given an already aborted signal, then the handler is never called', async () => {
        await store.appendToStream('s', events(1), { expectedVersion: 'no_stream' });
        let calls = 0;
        const subscription = store.subscribeToAll({
          signal: AbortSignal.abort(),
          handler: async () => {
            calls++;
          },
        });
        await expect(subscription.done).resolves.toBeUndefined();
        expect(calls).toBe(0);
      });

      it('when the handler throws, then done rejects with that error and no later event is delivered', async () => {
        await store.appendToStream('s', events(5), { expectedVersion: 'no_stream' });
        const boom = new Error('projection failed');
        const seen: number[] = [];
        const subscription = store.subscribeToAll({
          handler: async (e) => {
            seen.push(e.streamVersion);
            if (e.streamVersion === 2) throw boom;
          },
        });
        expect(await caught(subscription.done)).toBe(boom);
        await delay(100);
        expect(seen).toEqual([0, 1, 2]);
        await subscription.stop();
      });

      it('given a saved checkpoint, when the consumer "crashes" and resumes, then it receives exactly the remaining events', async () => {
        for (let i = 0; i < 10; i++)
          await store.appendToStream(`s${i % 3}`, events(1), { expectedVersion: 'any' });
        let saved: Checkpoint | undefined;
        const firstRun: string[] = [];
        const first = store.subscribeToAll({
          handler: async (e, checkpoint) => {
            if (firstRun.length === 6) throw new Error('crash before the 7th event is handled');
            firstRun.push(e.eventId);
            saved = JSON.stringify(checkpoint);
          },
        });
        await caught(first.done);
        expect(firstRun).toHaveLength(6);

        for (let i = 0; i < 4; i++)
          await store.appendToStream(`t${i}`, events(1), { expectedVersion: 'no_stream' });
        let resumedStore = store;
        if (ctx.reopen) {
          await store.close();
          resumedStore = await ctx.reopen();
        }
        const resumed: string[] = [];
        const savedCheckpoint: unknown = saved === undefined ? undefined : JSON.parse(saved);
        expect(typeof savedCheckpoint).toBe('string');
        const second = resumedStore.subscribeToAll({
          ...(typeof savedCheckpoint === 'string' ? { after: savedCheckpoint } : {}),
          handler: async (e) => {
            resumed.push(e.eventId);
          },
        });
        await waitFor(() => resumed.length >= 8, 'the 8 remaining events');
        await delay(100);
        await second.stop();

        const all = await readEventually(resumedStore, 14);
        expect(all).toHaveLength(14);
        expect(resumed).toEqual(ids(all).slice(6));
        expect([...firstRun, ...resumed]).toEqual(ids(all));
      });
    });

    describe('payloads and scale', () => {
      it('stores and returns a 1 MB event unchanged', async () => {
        const blob = 'đ'.repeat(256 * 1024) + 'x'.repeat(512 * 1024);
        const big = event('Scanned', { blob, nested: { list: Array.from({ length: 1000 }, (_, i) => i) } });
        await store.appendToStream('big', [big, event('Small')], { expectedVersion: 'no_stream' });
        const [stored] = await store.readStream('big');
        expect(stored?.data).toEqual(big.data);
        await readEventually(store, 2);
        const all = await store.readAll({ maxCount: 1 });
        expect(all.events[0]?.data).toEqual(big.data);
      });

      it('round-trips Vietnamese text and emoji in ids, types, data and metadata', async () => {
        const streamId = 'hồ-sơ-Đà-Nẵng-🇻🇳';
        const e = event(
          'HồSơĐãTiếpNhận',
          {
            'tên người nộp': 'Nguyễn Thị Ánh Tuyết',
            địaChỉ: 'Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh',
            ghiChú: 'Đã nhận đủ giấy tờ 👍🏽 ✅ 𝓤𝓷𝓲𝓬𝓸𝓭𝓮',
            dấu: 'ặ ằ ẳ ẵ ắ ỹ ỵ ự ữ ừ',
          },
          { 'người xử lý': 'Trần Văn Bảy 😀' },
        );
        await store.appendToStream(streamId, [e], { expectedVersion: 'no_stream' });
        const [stored] = await store.readStream(streamId);
        expect(stored?.streamId).toBe(streamId);
        expect(stored?.type).toBe('HồSơĐãTiếpNhận');
        expect(stored?.data).toEqual(e.data);
        expect(stored?.metadata).toEqual(e.metadata);
        expect((await readEventually(store, 1))[0]?.streamId).toBe(streamId);
      });

      it('handles 10,000 streams', async () => {
        const count = 10_000;
        await inParallel(count, 64, (i) =>
          store.appendToStream(`stream-${i}`, [event('Created', { i })], { expectedVersion: 'no_stream' }),
        );
        const all = await readEventually(store, count, 2500);
        expect(all).toHaveLength(count);
        expect(new Set(all.map((e) => e.streamId)).size).toBe(count);
        expect(all.every((e) => e.streamVersion === 0)).toBe(true);
        const [one] = await store.readStream('stream-7777');
        expect(one?.data).toEqual({ i: 7777 });
        const next = await store.appendToStream('stream-7777', [event('Updated')], { expectedVersion: 0 });
        expect(next.nextExpectedVersion).toBe(1);
      }, 60_000);
    });

    describe('bad input is rejected before anything is written', () => {
      // Deliberately ill-typed inputs, as a JavaScript caller or a cast could pass them.
      const badEvent = (value: Record<string, unknown>): EventToAppend => value as unknown as EventToAppend;
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;

      const cases: Array<{ what: string; streamId?: string; events: () => EventToAppend[]; field: RegExp }> =
        [
          { what: 'an empty stream id', streamId: '', events: () => events(1), field: /^streamId$/ },
          { what: 'no events', events: () => [], field: /^events$/ },
          {
            what: 'an event without type',
            events: () => [event('Ok'), badEvent({ eventId: randomUUID(), data: {} })],
            field: /^events\[1\]\.type$/,
          },
          { what: 'an empty type', events: () => [event('')], field: /^events\[0\]\.type$/ },
          {
            what: 'an event without eventId',
            events: () => [badEvent({ type: 'T', data: {} })],
            field: /^events\[0\]\.eventId$/,
          },
          {
            what: 'a repeated eventId in one append',
            events: () => {
              const e = event('T');
              return [e, { ...e }];
            },
            field: /^events\[1\]\.eventId$/,
          },
          {
            what: 'a BigInt in data',
            events: () => [event('Ok'), badEvent({ eventId: randomUUID(), type: 'T', data: { n: 10n } })],
            field: /^events\[1\]\.data/,
          },
          {
            what: 'a function in data',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: { f: () => 1 } })],
            field: /^events\[0\]\.data/,
          },
          {
            what: 'circular data',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: circular })],
            field: /^events\[0\]\.data/,
          },
          {
            what: 'NaN in data',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: { x: [1, Number.NaN] } })],
            field: /^events\[0\]\.data/,
          },
          {
            what: 'Infinity in metadata',
            events: () => [
              badEvent({
                eventId: randomUUID(),
                type: 'T',
                data: {},
                metadata: { x: Number.POSITIVE_INFINITY },
              }),
            ],
            field: /^events\[0\]\.metadata/,
          },
          {
            what: 'undefined in data (JSON would drop it)',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: { x: undefined } })],
            field: /^events\[0\]\.data/,
          },
          {
            what: 'a Date in data (JSON would turn it into a string)',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: { at: new Date(0) } })],
            field: /^events\[0\]\.data/,
          },
          {
            what: 'data that is an array, not an object',
            events: () => [badEvent({ eventId: randomUUID(), type: 'T', data: [1, 2] })],
            field: /^events\[0\]\.data$/,
          },
          {
            what: 'a \\u0000 in a string',
            events: () => [event('T', { text: 'a\u0000b' })],
            field: /^events\[0\]\.data/,
          },
        ];

      for (const c of cases) {
        it(`given ${c.what}, then InvalidAppend names the field and nothing is written`, async () => {
          const streamId = c.streamId ?? 's';
          await expectInvalid(
            store.appendToStream(streamId, c.events(), { expectedVersion: 'any' }),
            c.field,
          );
          expect(await store.readStream(streamId)).toEqual([]);
          expect(await readEverything(store)).toEqual([]);
        });
      }

      it('given a negative or fractional expected version, then InvalidAppend names expectedVersion', async () => {
        await store.appendToStream('s', events(1), { expectedVersion: 'no_stream' });
        await expectInvalid(
          store.appendToStream('s', events(1), { expectedVersion: -1 }),
          /^expectedVersion$/,
        );
        await expectInvalid(
          store.appendToStream('s', events(1), { expectedVersion: 0.5 }),
          /^expectedVersion$/,
        );
        expect(await readEventually(store, 1)).toHaveLength(1);
      });

      it('errors are domain errors with stable codes', async () => {
        const error = await caught(store.appendToStream('', events(1), { expectedVersion: 'any' }));
        expect(isDomainError(error) && error.code).toBe('ES_INVALID_APPEND');
      });
    });

    describe('close', () => {
      it('can be called twice', async () => {
        await store.appendToStream('s', events(1), { expectedVersion: 'no_stream' });
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
