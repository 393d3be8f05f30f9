/** The shared event store contract against the embedded adapter, on a file (with reopen) and in memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract } from '../contract/event-store.contract.js';
import type { EventStore } from '../port.js';
import { embeddedEventStore } from './embedded-event-store.js';

eventStoreContract('embedded (file)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onestop-contract-'));
  const store = embeddedEventStore({ dataDir });
  const opened: EventStore[] = [store];
  return {
    store,
    reopen: async () => {
      const again = embeddedEventStore({ dataDir });
      opened.push(again);
      return again;
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

eventStoreContract('embedded (memory)', async () => {
  const store = embeddedEventStore();
  return { store, cleanup: () => store.close() };
});
