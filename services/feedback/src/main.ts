/**
 * Stack mode: the feedback service alone, on PostgreSQL + Kafka, with attachments on a local or mounted
 * directory. The only file that reads the environment. Its consumer feeds
 * `rememberFeedbackSubjectOnDossierReceived` from the dossier topic (dossier subjects).
 */
import { demoCatalog } from '@onestop/catalog';
import { filesystemDocumentStorage } from '@onestop/documents';
import { vnCivilServiceCalendar } from '@onestop/domain';
import { DEFAULT_PUBLIC_RATE_LIMIT, loadConfig, uuidv7Ids } from '@onestop/service-kit';
import {
  reactorsHandler,
  runStackService,
  stackConsumerEnvShape,
  stackServiceEnvShape,
} from '@onestop/stack';
import { parseMasterKey } from '@onestop/vault';
import { z } from 'zod';
import { buildApp } from './app.js';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from './attachments/attachments.js';
import { postgresFilerVault } from './filer/vault.js';
import { feedbackDossiersTable, type SqlTransaction } from './records/tables.js';
import { rememberFeedbackSubjectOnDossierReceived } from './subject/reactor.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3006, schema: 'feedback' }),
    ...stackConsumerEnvShape({ groupId: 'feedback' }),
    ONESTOP_VAULT_MASTER_KEY: z.string().min(1).describe('32 bytes, base64; the same key as intake’s'),
    ONESTOP_TRACKING_KEY: z
      .string()
      .min(32)
      .optional()
      .describe('key of the receipts’ tracking secrets (shared with intake); unset: no public routes'),
    ONESTOP_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    FEEDBACK_ATTACHMENTS_DIR: z.string().min(1).default('.data/feedback-attachments'),
    FEEDBACK_MAX_ATTACHMENT_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_ATTACHMENT_BYTES),
  }),
);
const masterKey = parseMasterKey(env.ONESTOP_VAULT_MASTER_KEY);

await runStackService({
  source: 'feedback',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    const dossiers = feedbackDossiersTable(store);
    // Created before the consumer starts, so its first transaction only writes rows.
    await dossiers.ready();
    return buildApp(
      {
        store,
        clock,
        ids: uuidv7Ids,
        catalog: demoCatalog,
        calendar: vnCivilServiceCalendar,
        dossiers,
        vault: postgresFilerVault({ db: store, masterKey, clock }),
        storage: filesystemDocumentStorage({ root: env.FEEDBACK_ATTACHMENTS_DIR }),
        maxAttachmentBytes: env.FEEDBACK_MAX_ATTACHMENT_BYTES,
        trackingKey: env.ONESTOP_TRACKING_KEY,
        publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, trustedProxyHops: env.ONESTOP_TRUSTED_PROXY_HOPS },
      },
      { auth, logger },
    );
  },
  consumer: ({ store }) => {
    /** The dossiers table in the consumer's transaction: a remembered receipt commits with the inbox row and offset. */
    const dossiersIn = (tx: SqlTransaction) =>
      feedbackDossiersTable({ schema: store.schema, withTransaction: (work) => work(tx) }, { created: true });
    return reactorsHandler((event, tx) =>
      rememberFeedbackSubjectOnDossierReceived(event, { dossiers: dossiersIn(tx) }),
    );
  },
});
