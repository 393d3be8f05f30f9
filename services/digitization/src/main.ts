/**
 * Stack mode: the digitization service alone, on PostgreSQL + Kafka, with documents on a local or mounted
 * directory. The only file that reads the environment.
 */
import { filesystemDocumentStorage } from '@onestop/documents';
import { loadConfig, uuidv7Ids } from '@onestop/service-kit';
import { reactorsHandler, runStackService, stackServiceEnvShape } from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';
import { receivedDossiersTable } from './dossier/received.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3002, schema: 'digitization' }),
    DOCUMENTS_DIR: z.string().min(1).default('.data/documents'),
    MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DOCUMENT_BYTES),
  }),
);

// Digitization consumes the topic only to know each dossier's receipt (who may digitize it, what may be reused).
await runStackService({
  source: 'digitization',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    const received = receivedDossiersTable(store);
    await received.ready();
    return buildApp(
      {
        store,
        clock,
        ids: uuidv7Ids,
        storage: filesystemDocumentStorage({ root: env.DOCUMENTS_DIR }),
        maxDocumentBytes: env.MAX_DOCUMENT_BYTES,
        received,
      },
      { auth, logger },
    );
  },
  consumer: ({ store }) => {
    const received = receivedDossiersTable(store);
    return reactorsHandler((event, tx) => received.apply(event, tx));
  },
});
