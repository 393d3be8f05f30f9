/**
 * Stack mode: the digitization service alone, on PostgreSQL + Kafka, with documents on a local or mounted
 * directory. The only file that reads the environment.
 */
import { filesystemDocumentStorage } from '@onestop/documents';
import { loadConfig, uuidv7Ids } from '@onestop/service-kit';
import { runStackService, stackServiceEnvShape } from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './digitize/route.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3002, schema: 'digitization' }),
    DOCUMENTS_DIR: z.string().min(1).default('.data/documents'),
    MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_DOCUMENT_BYTES),
  }),
);

// Digitization reacts to no other service: a relay only.
await runStackService({
  source: 'digitization',
  env,
  buildApp: ({ store, clock, logger, auth }) =>
    buildApp(
      {
        store,
        clock,
        ids: uuidv7Ids,
        storage: filesystemDocumentStorage({ root: env.DOCUMENTS_DIR }),
        maxDocumentBytes: env.MAX_DOCUMENT_BYTES,
      },
      { auth, logger },
    ),
});
