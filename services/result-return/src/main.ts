/** Stack mode: the result-return service alone, on PostgreSQL. */
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import {
  authConfigFromEnv,
  authEnvShape,
  installShutdown,
  loadConfig,
  systemClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import { z } from 'zod';
import { buildApp } from './app.js';

const config = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3004),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url(),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('result_return'),
    ...authEnvShape,
  }),
);

const store = postgresEventStore({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
await store.ready();
const app = await buildApp(
  { store, clock: systemClock, ids: uuidv7Ids, catalog: demoCatalog },
  { auth: authConfigFromEnv(config) },
);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('return-readiness', { maxCount: 1 });
});
installShutdown(app, { onClose: [{ name: 'event-store', close: () => store.close() }] });
await app.listen({ port: config.PORT, host: config.HOST });
