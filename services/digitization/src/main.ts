/** Stack mode: the digitization service alone, on PostgreSQL, with documents on a local or mounted directory. */
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
import { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';
import { filesystemDocumentStorage } from './storage/filesystem.js';

const config = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url(),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('digitization'),
    DOCUMENTS_DIR: z.string().min(1).default('.data/documents'),
    MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DOCUMENT_BYTES),
    ...authEnvShape,
  }),
);

const store = postgresEventStore({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
await store.ready();
const app = await buildApp(
  {
    store,
    clock: systemClock,
    ids: uuidv7Ids,
    storage: filesystemDocumentStorage({ root: config.DOCUMENTS_DIR }),
    maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
  },
  { auth: authConfigFromEnv(config) },
);
app.addReadinessCheck('event-store', async () => {
  await store.readStream('digitization-readiness', { maxCount: 1 });
});
installShutdown(app, { onClose: [{ name: 'event-store', close: () => store.close() }] });
await app.listen({ port: config.PORT, host: config.HOST });
