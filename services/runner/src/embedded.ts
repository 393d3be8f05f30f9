import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Catalog, demoCatalog } from '@onestop/catalog';
import { type EmbeddedEventStore, embeddedEventStore } from '@onestop/event-store';
import {
  type App,
  buildServer,
  type Clock,
  createTestClock,
  systemClock,
  type TestClock,
} from '@onestop/service-kit';
import type { Logger } from 'pino';
import { registerCatalog } from './catalog-routes.js';
import { registerDevTokens, registerTestClock } from './dev-routes.js';

export interface EmbeddedOptions {
  /** Where the event store and secrets live; survives restarts. */
  readonly dataDir: string;
  /** Serve `POST /v1/dev/clock` (ONESTOP_TEST_CLOCK=1). */
  readonly testClock?: boolean;
  /** HS256 secret; default: one generated on first start and kept in `<dataDir>/dev-jwt-secret`. */
  readonly jwtSecret?: string;
  readonly catalog?: Catalog;
  readonly logger?: Logger | false;
}

export interface EmbeddedSystem {
  readonly app: App;
  readonly store: EmbeddedEventStore;
  readonly clock: Clock;
  readonly jwtSecret: string;
  close(): Promise<void>;
}

/**
 * The whole system in one process (DESIGN.md section 1, embedded mode): every service's routes on one server,
 * one durable embedded store, and the store subscription as the bus.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedSystem> {
  await mkdir(options.dataDir, { recursive: true });
  const jwtSecret = options.jwtSecret ?? (await devSecret(options.dataDir));
  const catalog = options.catalog ?? demoCatalog;
  const store = embeddedEventStore({ dataDir: options.dataDir });
  await store.ready();
  const testClock: TestClock | undefined = options.testClock ? createTestClock() : undefined;
  const clock: Clock = testClock ?? systemClock;

  const app = await buildServer({
    name: 'onestop',
    description:
      'One-stop handling of administrative procedures — all services in one process (embedded mode)',
    auth: { mode: 'hs256', secret: jwtSecret },
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    routes: [
      async (root) => registerCatalog(root, catalog),
      async (root) => registerDevTokens(root, jwtSecret, catalog),
      ...(testClock === undefined ? [] : [async (root: App) => registerTestClock(root, testClock)]),
    ],
  });
  app.addReadinessCheck('event-store', async () => {
    await store.readAll({ maxCount: 1 });
  });

  return {
    app,
    store,
    clock,
    jwtSecret,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** The dev signing secret shared by the server and `pnpm onestop token`: generated once per data dir. */
export async function devSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'dev-jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (e: unknown) => {
      // another process created it first: use theirs
      if (!(e instanceof Error && 'code' in e && e.code === 'EEXIST')) throw e;
    });
    return (await readFile(file, 'utf8')).trim();
  }
}
