/** Stack mode: the intake service in its own process on PostgreSQL. The only file that reads the environment. */
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import {
  authConfigFromEnv,
  authEnvShape,
  createTestClock,
  installShutdown,
  loadConfig,
  systemClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import { z } from 'zod';
import { buildApp } from './app.js';
import { createPseudonyms, parseMasterKey } from './vault/crypto.js';
import { postgresPersonalDataVault } from './vault/postgres-vault.js';

const env = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url(),
    INTAKE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,59}$/)
      .default('intake'),
    ONESTOP_TEST_CLOCK: z.enum(['0', '1']).default('0'),
    ONESTOP_VAULT_MASTER_KEY: z.string().min(1).describe('32 bytes, base64'),
    ...authEnvShape,
  }),
);

const masterKey = parseMasterKey(env.ONESTOP_VAULT_MASTER_KEY);
const store = postgresEventStore({ connectionString: env.DATABASE_URL, schema: env.INTAKE_SCHEMA });
await store.ready();
const clock = env.ONESTOP_TEST_CLOCK === '1' ? createTestClock() : systemClock;
const vault = postgresPersonalDataVault({ db: store, masterKey, clock });
await vault.ready();

const app = await buildApp(
  {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    vault,
    pseudonyms: createPseudonyms(masterKey),
  },
  { auth: authConfigFromEnv(env) },
);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('readiness-probe', { maxCount: 1 });
});
installShutdown(app, { onClose: [{ name: 'event-store', close: () => store.close() }] });
await app.listen({ port: env.PORT, host: env.HOST });
