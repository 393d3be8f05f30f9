/** The KurrentDB adapter's mapping, checked without a server (the contract run needs one: kurrent.int.spec.ts). */
import { randomUUID } from 'node:crypto';
import {
  type AllStreamRecordedEvent,
  ANY,
  MaxAppendSizeExceededError,
  NO_STREAM,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { isDomainError } from '@onestop/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidAppend, StoreUnavailable, WrongExpectedVersion } from '../port.js';
import { decodeCheckpoint, encodeCheckpoint, isAfter } from './checkpoint.js';
import { kurrentEventStore } from './kurrent-event-store.js';
import { mapAppendError, toExpectedRevision, toStoredEvent, UnreadableEvent } from './mapping.js';

const u64max = 2n ** 64n - 1n;

function record(
  overrides: Partial<Record<keyof AllStreamRecordedEvent, unknown>> = {},
): AllStreamRecordedEvent {
  const base = {
    streamId: 'p-case-1',
    id: randomUUID(),
    isJson: true,
    revision: 3n,
    type: 'Opened',
    created: new Date('2025-03-01T02:03:04.005Z'),
    data: { a: 1, nested: { list: [1, 'x', null] } },
    metadata: { correlationId: 'c-1' },
    position: { commit: 4242n, prepare: 4242n },
  };
  // Test records stand in for what the client decodes from the wire.
  return { ...base, ...overrides } as AllStreamRecordedEvent;
}

describe('kurrent checkpoints', () => {
  it('given (commit, prepare) pairs, when encoded and decoded, then they round-trip exactly', () => {
    const positions = [
      { commit: 0n, prepare: 0n },
      { commit: 1234n, prepare: 1200n },
      { commit: u64max, prepare: u64max - 1n },
    ];
    for (const position of positions) {
      const checkpoint = encodeCheckpoint(position);
      expect(checkpoint).toMatch(/^kdb:\d+:\d+$/);
      expect(decodeCheckpoint(JSON.parse(JSON.stringify(checkpoint)))).toEqual(position);
    }
    expect(encodeCheckpoint({ commit: 1234n, prepare: 1200n })).toBe('kdb:1234:1200');
    expect(decodeCheckpoint(undefined)).toBeUndefined();
  });

  it.each([
    ['a bare number (embedded store)', '42'],
    ['a PostgreSQL checkpoint', 'pg:1:2'],
    ['only the commit', 'kdb:1'],
    ['three parts', 'kdb:1:2:3'],
    ['a negative part', 'kdb:-1:2'],
    ['a leading zero', 'kdb:01:2'],
    ['a part beyond 64 bits', `kdb:${u64max + 1n}:0`],
    ['an empty string', ''],
  ])('given %s, when decoded, then ES_INVALID_CHECKPOINT names it', (_what, checkpoint) => {
    let error: unknown;
    try {
      decodeCheckpoint(checkpoint);
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error) && error.code).toBe('ES_INVALID_CHECKPOINT');
    expect(isDomainError(error) && error.details).toEqual({ checkpoint });
  });

  it('orders positions by commit, then prepare', () => {
    expect(isAfter({ commit: 2n, prepare: 0n }, { commit: 1n, prepare: 9n })).toBe(true);
    expect(isAfter({ commit: 2n, prepare: 5n }, { commit: 2n, prepare: 4n })).toBe(true);
    expect(isAfter({ commit: 2n, prepare: 4n }, { commit: 2n, prepare: 4n })).toBe(false);
    expect(isAfter({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBe(false);
  });
});

describe('kurrent expected versions', () => {
  it("maps a number to a BigInt revision, 'no_stream' to NO_STREAM and 'any' to ANY", () => {
    expect(toExpectedRevision(0)).toBe(0n);
    expect(toExpectedRevision(41)).toBe(41n);
    expect(toExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(toExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toExpectedRevision('any')).toBe(ANY);
  });
});

describe('kurrent error mapping', () => {
  it('given the client WrongExpectedVersionError, then WrongExpectedVersion carries our expected and the actual revision', () => {
    const client = new WrongExpectedVersionError(undefined, {
      streamName: 'p-s',
      expected: 1n,
      current: 4n,
    });
    const error = mapAppendError(client, 's', 1);
    expect(WrongExpectedVersion.is(error) && error.details).toEqual({
      streamId: 's',
      expected: 1,
      actual: 4,
    });
    expect(error instanceof Error && error.cause).toBe(client);
  });

  it("given a conflict on a missing stream ('no_stream' current), then actual is -1", () => {
    const client = new WrongExpectedVersionError(undefined, {
      streamName: 'ghost',
      expected: 0n,
      current: NO_STREAM,
    });
    const error = mapAppendError(client, 'ghost', 0);
    expect(WrongExpectedVersion.is(error) && error.details).toEqual({
      streamId: 'ghost',
      expected: 0,
      actual: -1,
    });
  });

  it('given a batch over the server maximum, then InvalidAppend names events and the limit', () => {
    const error = mapAppendError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), 's', 'any');
    expect(InvalidAppend.is(error) && error.details.field).toBe('events');
    expect(InvalidAppend.is(error) && error.details.reason).toContain('1048576');
  });

  it('given connection failures (a client UnavailableError, a raw gRPC status 14), then StoreUnavailable keeps the cause', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    for (const cause of [new UnavailableError(undefined, 'no connection'), grpc]) {
      const error = mapAppendError(cause, 's', 'any');
      expect(StoreUnavailable.is(error)).toBe(true);
      expect(error instanceof Error && error.cause).toBe(cause);
    }
  });

  it('passes our own domain errors through unchanged', () => {
    const ours = InvalidAppend('invalid append: x', { details: { field: 'x', reason: 'y' } });
    expect(mapAppendError(ours, 's', 'any')).toBe(ours);
  });
});

describe('kurrent records', () => {
  it('maps a JSON record: streamVersion = revision, globalPosition = commit, recordedAt = created', () => {
    const r = record();
    expect(toStoredEvent(r, 'case-1')).toEqual({
      eventId: r.id,
      type: 'Opened',
      data: { a: 1, nested: { list: [1, 'x', null] } },
      metadata: { correlationId: 'c-1' },
      streamId: 'case-1',
      streamVersion: 3,
      globalPosition: 4242n,
      recordedAt: new Date('2025-03-01T02:03:04.005Z'),
    });
  });

  it('given no metadata, then metadata is {}', () => {
    expect(toStoredEvent(record({ metadata: undefined }), 's').metadata).toEqual({});
  });

  it.each([
    ['binary content', { isJson: false, data: new Uint8Array([1, 2]) }, 'application/json'],
    ['data that is an array', { data: [1, 2] }, 'data'],
    ['binary metadata', { metadata: new Uint8Array([1]) }, 'metadata'],
    ['no position', { position: undefined }, 'position'],
    ['the unknown-position marker', { position: { commit: u64max, prepare: u64max } }, 'position'],
  ])('given %s, then UnreadableEvent says why', (_what, overrides, reason) => {
    let error: unknown;
    try {
      toStoredEvent(record(overrides), 's');
    } catch (e) {
      error = e;
    }
    expect(UnreadableEvent.is(error) && error.details.streamVersion).toBe(3);
    expect(UnreadableEvent.is(error) && error.details.reason).toContain(reason);
  });
});

describe('kurrent store without a server', () => {
  // Port 1 refuses connections at once; the client fails fast (measured: ~30 ms) instead of waiting.
  const unreachable = 'esdb://127.0.0.1:1?tls=false&defaultDeadline=3000';
  let store: ReturnType<typeof kurrentEventStore> | undefined;
  afterEach(async () => {
    await store?.close();
  });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  const event = () => ({ eventId: randomUUID(), type: 'T', data: {} });

  it('given an unreachable server, then every operation fails with StoreUnavailable and its cause, within seconds', async () => {
    store = kurrentEventStore({ connectionString: unreachable });
    const started = performance.now();
    for (const attempt of [
      store.appendToStream('s', [event()], { expectedVersion: 'any' }),
      store.readStream('s'),
      store.readAll(),
      store.subscribeToAll({ handler: async () => undefined }).done,
    ]) {
      const error = await failure(attempt);
      expect(StoreUnavailable.is(error), String(error)).toBe(true);
      expect(error instanceof Error && error.cause).toBeInstanceOf(Error);
    }
    const elapsed = performance.now() - started;
    console.info(`kurrent unreachable: 4 operations failed in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('given bad input, then InvalidAppend comes before any connection attempt (the server is unreachable)', async () => {
    store = kurrentEventStore({ connectionString: unreachable });
    const cases: Array<[string, Promise<unknown>, string]> = [
      ['empty stream id', store.appendToStream('', [event()], { expectedVersion: 'any' }), 'streamId'],
      ['negative version', store.appendToStream('s', [event()], { expectedVersion: -1 }), 'expectedVersion'],
      ['system stream', store.appendToStream('$ce-x', [event()], { expectedVersion: 'any' }), 'streamId'],
      [
        'system event type',
        store.appendToStream('s', [{ ...event(), type: '$metadata' }], { expectedVersion: 'any' }),
        'events[0].type',
      ],
    ];
    for (const [what, attempt, field] of cases) {
      const error = await failure(attempt);
      expect(InvalidAppend.is(error) && error.details.field, what).toBe(field);
    }
  });

  it('given a checkpoint from another adapter, then readAll rejects it as ES_INVALID_CHECKPOINT', async () => {
    store = kurrentEventStore({ connectionString: unreachable });
    const error = await failure(store.readAll({ after: 'pg:1:2' }));
    expect(isDomainError(error) && error.code).toBe('ES_INVALID_CHECKPOINT');
  });

  it('given an already aborted signal, then the subscription ends without touching the server', async () => {
    store = kurrentEventStore({ connectionString: unreachable });
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

  it("rejects a '$' stream prefix, and close can be called twice", async () => {
    expect(() => kurrentEventStore({ connectionString: unreachable, streamPrefix: '$x' })).toThrow(/\$/);
    store = kurrentEventStore({ connectionString: unreachable, streamPrefix: 'tenant-' });
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
