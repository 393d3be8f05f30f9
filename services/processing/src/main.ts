/**
 * Stack-mode composition root: the only file that reads the environment. The reactors
 * (`rememberDossierOnDossierReceived`, `rememberWithdrawalOnDossierWithdrawn`, `openCaseOnDossierTransferred`)
 * are wired to the dossier topic by the consumer runner.
 */
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import {
  authConfigFromEnv,
  authEnvShape,
  type Clock,
  createTestClock,
  installShutdown,
  loadConfig,
  systemClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import { z } from 'zod';
import { buildApp } from './app.js';
import { receivedDossiersTable } from './received/received-dossiers.js';

const config = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3003),
    DATABASE_URL: z.url(),
    PROCESSING_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('processing'),
    ONESTOP_TEST_CLOCK: z.enum(['0', '1']).default('0'),
    ...authEnvShape,
  }),
);

const store = postgresEventStore({ connectionString: config.DATABASE_URL, schema: config.PROCESSING_SCHEMA });
await store.ready();
const testClock = config.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : undefined;
const clock: Clock = testClock ?? systemClock;
const app = await buildApp(
  { store, clock, ids: uuidv7Ids, catalog: demoCatalog, received: receivedDossiersTable(store) },
  { auth: authConfigFromEnv(config) },
);
if (testClock !== undefined) {
  // Never in production: sets the business time of this process (DESIGN.md section 5, test clock).
  app.post(
    '/v1/dev/clock',
    { config: { public: true }, schema: { body: z.object({ now: z.iso.datetime({ offset: true }) }) } },
    async (request) => {
      testClock.set(new Date(request.body.now));
      return { now: clock.now().toISOString() };
    },
  );
}
installShutdown(app, { onClose: [{ name: 'event store', close: () => store.close() }] });
await app.listen({ port: config.PORT, host: '0.0.0.0' });
