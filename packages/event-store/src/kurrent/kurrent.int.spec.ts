/**
 * The shared event store contract against a real KurrentDB. No server can run on the development machines (no
 * Docker engine, no binary), so without `KURRENTDB_URL` the suite is reported as skipped — never as passed.
 * Run it: `docker compose --profile kurrentdb up -d kurrentdb`, then
 * `KURRENTDB_URL='esdb://localhost:2113?tls=false' pnpm vitest run --project int packages/event-store/src/kurrent`.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import type { EventStore } from '../port.js';
import { kurrentEventStore } from './kurrent-event-store.js';

const url = process.env.KURRENTDB_URL;
const skipReason =
  'skipped: no KurrentDB server (set KURRENTDB_URL, e.g. esdb://localhost:2113?tls=false from `docker compose --profile kurrentdb up`)';

// Skipped (with the reason in its name) unless a server is given; vitest counts every contract test as skipped.
describe.skipIf(!url)(url ? 'kurrentdb' : skipReason, () => {
  // One server for every test: each test gets its own stream prefix, so it starts from an empty store.
  eventStoreContract('kurrentdb', async () => {
    const streamPrefix = `t${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    const opened: EventStore[] = [];
    const open = () => {
      const store = kurrentEventStore({ connectionString: url ?? '', streamPrefix });
      opened.push(store);
      return store;
    };
    return {
      store: open(),
      reopen: async () => open(),
      cleanup: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  });
});
