import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Catalog, demoCatalog } from '@onestop/catalog';
import { digitizationReceivedTable, registerDigitization } from '@onestop/digitization';
import { filesystemDocumentStorage } from '@onestop/documents';
import { vnCivilServiceCalendar } from '@onestop/domain';
import { type EmbeddedEventStore, embeddedEventStore } from '@onestop/event-store';
import {
  type DossierDirectory,
  feedbackDossiersTable,
  registerFeedback,
  sqliteFilerVault,
} from '@onestop/feedback';
import {
  createPseudonyms,
  deskDossiersTable,
  registerIntake,
  sqlitePersonalDataVault,
} from '@onestop/intake';
import { type MessagingLogger, silentLogger, stderrLogger } from '@onestop/messaging';
import { type ReceivedDossiers, receivedDossiersTable, registerProcessing } from '@onestop/processing';
import { migrateProjection, registerProjection } from '@onestop/projection';
import { deskResultsTable, registerResultReturn } from '@onestop/result-return';
import {
  type App,
  type AuthConfig,
  buildServer,
  type Clock,
  createTestClock,
  issuesDevTokens,
  registerSessionRoutes,
  registerTestClock,
  systemClock,
  type TestClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import { registerCatalogRoutes, registerDevTokens } from '@onestop/stack';
import { parseMasterKey } from '@onestop/vault';
import { registerWeb } from '@onestop/web';
import type { Logger } from 'pino';
import { type BusStatus, type EmbeddedBus, startEmbeddedBus } from './bus.js';
import { type ProjectionConsumer, startProjectionConsumer } from './projection-consumer.js';
import { devSecret, devTrackingKey, devVaultMasterKey } from './secrets.js';

export { devSecret } from './secrets.js';

export interface EmbeddedOptions {
  /** Where the event store, documents and secrets live; survives restarts. */
  readonly dataDir: string;
  /** Serve `POST /v1/dev/clock` (ONESTOP_TEST_CLOCK=1). */
  readonly testClock?: boolean;
  /** HS256 secret; default: one generated on first start and kept in `<dataDir>/dev-jwt-secret`. */
  readonly jwtSecret?: string;
  /**
   * How bearer tokens are checked: default HS256 with `jwtSecret` (and `POST /v1/dev/token` to get one); an
   * identity provider's key set (`authConfigFromEnv`) in production, where the dev token route is not served.
   */
  readonly auth?: AuthConfig;
  /** The identity provider's sign-in page, announced by `GET /v1/sign-in` (see `registerSessionRoutes`). */
  readonly signInUrl?: string;
  /**
   * The vault master key, base64 of 32 bytes (`ONESTOP_VAULT_MASTER_KEY`); default: one generated on first start
   * and kept in `<dataDir>/vault-master-key` (mode 0600).
   */
  readonly vaultMasterKey?: string;
  /**
   * The key of the receipts' tracking secrets (`ONESTOP_TRACKING_KEY`); default: one generated on first start and
   * kept in `<dataDir>/tracking-key` (mode 0600).
   */
  readonly trackingKey?: string;
  readonly catalog?: Catalog;
  readonly logger?: Logger | false;
  /** How often an idle bus re-reads the store (default: the store's 250 ms); appends here wake it at once. */
  readonly pollIntervalMs?: number;
}

export interface EmbeddedSystem {
  readonly app: App;
  readonly store: EmbeddedEventStore;
  readonly bus: EmbeddedBus;
  /** The read models' consumer (KPIs, drill-down, timelines). */
  readonly projection: ProjectionConsumer;
  readonly clock: Clock;
  readonly jwtSecret: string;
  /** Stops taking requests, then stops the consumers, then closes the store (in that order). */
  close(): Promise<void>;
}

/**
 * The whole system in one process (DESIGN.md section 1, embedded mode): the four command services' routes, the
 * projection's read routes, the catalogue and the dev routes on one server, one durable embedded store, and
 * store subscriptions as the bus and as the projection's feed.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedSystem> {
  await mkdir(options.dataDir, { recursive: true });
  const jwtSecret = options.jwtSecret ?? (await devSecret(options.dataDir));
  const masterKey = parseMasterKey(options.vaultMasterKey ?? (await devVaultMasterKey(options.dataDir)));
  const trackingKey = options.trackingKey ?? (await devTrackingKey(options.dataDir));
  const catalog = options.catalog ?? demoCatalog;
  const auth: AuthConfig = options.auth ?? { mode: 'hs256', secret: jwtSecret };
  const store = embeddedEventStore({
    dataDir: options.dataDir,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
  });
  await store.ready();
  const testClock: TestClock | undefined = options.testClock ? createTestClock() : undefined;
  const clock: Clock = testClock ?? systemClock;
  const ids = uuidv7Ids;
  const calendar = vnCivilServiceCalendar;

  const vault = sqlitePersonalDataVault({ db: store, masterKey, clock });
  const received = receivedDossiersTable(store);
  const feedbackDossiers = feedbackDossiersTable(store);
  const digitizationReceived = digitizationReceivedTable(store);
  const storage = filesystemDocumentStorage({ root: join(options.dataDir, 'documents') });
  let bus: EmbeddedBus | undefined;
  let projection: ProjectionConsumer | undefined;
  try {
    // Create the tables now, outside any bus transaction: a table first created inside one that then rolls
    // back would be gone while its owner believes it exists.
    await vault.ready();
    await received.find('00000000-0000-7000-8000-000000000000');
    await feedbackDossiers.ready();
    await digitizationReceived.ready();
    await deskDossiersTable(store).ready();
    await deskResultsTable(store).ready();
    await migrateProjection(store);
    bus = startEmbeddedBus({ store, ids, catalog, received, logger: busLogger(options.logger, 'bus') });
    projection = startProjectionConsumer({
      store,
      catalog,
      calendar,
      logger: busLogger(options.logger, 'projection'),
    });
    const running = bus;
    const feed = projection;
    const app = await buildServer({
      name: 'onestop',
      description:
        'One-stop handling of administrative procedures — all services in one process (embedded mode)',
      auth,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      routes: [
        async (root) => registerCatalogRoutes(root, catalog),
        async (root) =>
          registerIntake(root, {
            store,
            clock,
            ids,
            catalog,
            calendar,
            vault,
            pseudonyms: createPseudonyms(masterKey),
            trackingKey,
          }),
        async (root) =>
          registerDigitization(root, { store, clock, ids, storage, received: digitizationReceived }),
        async (root) => registerProcessing(root, { store, clock, ids, catalog, calendar, received }),
        async (root) => registerResultReturn(root, { store, clock, ids, catalog }),
        async (root) =>
          registerFeedback(root, {
            store,
            clock,
            ids,
            catalog,
            calendar,
            dossiers: feedbackDirectory(feedbackDossiers, received),
            vault: sqliteFilerVault({ db: store, masterKey, clock }),
            storage: filesystemDocumentStorage({ root: join(options.dataDir, 'feedback-attachments') }),
            trackingKey,
          }),
        async (root) => registerProjection(root, { db: store, clock, catalog, calendar, trackingKey }),
        async (root) => registerSessionRoutes(root, { auth, signInUrl: options.signInUrl }),
        ...(issuesDevTokens(auth)
          ? [async (root: App) => registerDevTokens(root, auth.secret, catalog)]
          : []),
        // The web app at `/` (built on first request when its bundle is missing or stale).
        async (root) => registerWeb(root),
        ...(testClock === undefined ? [] : [async (root: App) => registerTestClock(root, testClock)]),
      ],
    });
    app.addReadinessCheck('event-store', async () => {
      await store.readAll({ maxCount: 1 });
    });
    app.addReadinessCheck('bus', async () => readiness(await running.status()));
    app.addReadinessCheck('projection', async () => readiness(await feed.status()));

    let closing: Promise<void> | undefined;
    return {
      app,
      store,
      bus: running,
      projection: feed,
      clock,
      jwtSecret,
      close() {
        closing ??= (async () => {
          await app.close();
          await running.stop();
          await feed.stop();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await bus?.stop();
    await projection?.stop();
    await store.close();
    throw error;
  }
}

function busLogger(logger: Logger | false | undefined, component: string): MessagingLogger {
  if (logger === false) return silentLogger;
  return logger?.child({ component }) ?? stderrLogger;
}

function readiness(status: BusStatus): { ok: boolean; detail: string } {
  const { deadLettered, restarts } = status.metrics;
  return {
    ok: status.caughtUp,
    detail:
      `${status.caughtUp ? 'caught up' : 'catching up'}; lag ${status.lag} events ` +
      `(position ${status.checkpoint} of ${status.head}); dead letters ${deadLettered}; restarts ${restarts}`,
  };
}

/**
 * Feedback's dossier directory: its own table (fed by the bus since feedback took dossier codes), falling back to
 * processing's received dossiers for an id received before, so a clerk can still name those by id.
 */
function feedbackDirectory(own: DossierDirectory, received: ReceivedDossiers): DossierDirectory {
  return {
    find: async (dossierId) => (await own.find(dossierId)) ?? (await received.find(dossierId)),
    findByCode: (dossierCode) => own.findByCode(dossierCode),
  };
}
