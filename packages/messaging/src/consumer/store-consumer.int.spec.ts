/**
 * The store transport (embedded mode): the same handler fed by the embedded store's subscription, effects and
 * checkpoint in one SQLite transaction. Ends with the reconciliation of the effects table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DossierEvent, parseDossierEvent } from '@onestop/domain';
import { type EmbeddedEventStore, type EmbeddedTransaction, embeddedEventStore } from '@onestop/event-store';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAll, recordEffect, registeredEvents, uuidv7, waitFor } from '../fixtures/dossier-events.js';
import { silentLogger } from '../logger.js';
import { startStoreConsumer } from './store-consumer.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function openStore(dataDir: string): EmbeddedEventStore {
  const store = embeddedEventStore({ dataDir, pollIntervalMs: 50 });
  cleanups.push(() => store.close());
  return store;
}

async function effects(store: EmbeddedEventStore): Promise<string[]> {
  const { rows } = await store.query('select event_id from effects');
  return rows.map((r) => String(r.event_id));
}

describe('the store consumer runner (embedded mode)', () => {
  it('given a consumer stopped and restarted and a handler that fails now and then, when it runs, then each event is applied once and a poison event is dead-lettered', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onestop-store-consumer-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const store = openStore(dataDir);
    await store.withTransaction(async (tx) => {
      tx.run(
        'create table effects (event_id text not null, dossier_id text not null, stream_version integer not null)',
      );
    });
    const events = registeredEvents(600, 30);
    await appendAll(store, events.slice(0, 300));
    // Not a catalogue event (no dossierId, unknown type): dead-lettered, not retried, not blocking.
    const poisonId = uuidv7();
    await store.appendToStream('misc-1', [{ eventId: poisonId, type: 'Unknown', data: {} }], {
      expectedVersion: 'no_stream',
    });

    let calls = 0;
    let onCall = (_calls: number) => {};
    const handler = async (event: DossierEvent, tx: EmbeddedTransaction) => {
      calls++;
      onCall(calls);
      await recordEffect(event, tx);
      // Every 97th call fails after writing its effect: the rollback must take the effect with it.
      if (calls % 97 === 0) throw new Error('transient');
    };
    const options = {
      store,
      name: 'projection',
      parse: parseDossierEvent,
      handler,
      backoff: { initialMs: 5, maxMs: 20 },
      logger: silentLogger,
    };
    const first = startStoreConsumer(options);
    // Stopped mid-stream, from inside a handler call: that call still commits, nothing after it runs.
    const stopped = new Promise<void>((resolve) => {
      onCall = (n) => {
        if (n === 150) void first.stop().then(resolve);
      };
    });
    await stopped;
    onCall = () => {};
    const firstMetrics = first.metrics();

    await appendAll(store, events.slice(300));
    const second = startStoreConsumer(options);
    cleanups.push(() => second.stop());
    await waitFor('600 effects', async () => (await effects(store)).length >= 600 && second.ready());

    const ids = await effects(store);
    const distinct = new Set(ids);
    const expected = events.map((e) => e.event.eventId);
    const { rows: letters } = await store.query(
      'select event_id, error_code from store_consumer_dead_letters',
    );
    const figures = {
      expected: expected.length,
      rows: ids.length,
      distinct: distinct.size,
      missing: expected.filter((id) => !distinct.has(id)).length,
      appliedFirst: firstMetrics.applied,
      appliedSecond: second.metrics().applied,
      retries: firstMetrics.retries + second.metrics().retries,
      deadLettered: letters.length,
    };
    console.log(
      `[reconcile] store consumer: ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    expect(figures).toMatchObject({ expected: 600, rows: 600, distinct: 600, missing: 0, deadLettered: 1 });
    expect(firstMetrics.applied + second.metrics().applied).toBe(600);
    expect(figures.retries).toBeGreaterThan(0);
    expect(firstMetrics.applied).toBeLessThan(300);
    expect(letters[0]).toEqual({ event_id: poisonId, error_code: 'DOM_INVALID_EVENT' });
    expect(await store.loadCheckpoint('projection')).toBe(second.metrics().checkpoint);
  });
});
