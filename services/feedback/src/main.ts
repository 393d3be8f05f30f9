/**
 * Stack mode: the feedback service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds `rememberFeedbackSubjectOnDossierReceived` from the dossier topic (dossier subjects).
 */
import { demoCatalog } from '@onestop/catalog';
import { vnCivilServiceCalendar } from '@onestop/domain';
import { loadConfig, uuidv7Ids } from '@onestop/service-kit';
import {
  reactorsHandler,
  runStackService,
  stackConsumerEnvShape,
  stackServiceEnvShape,
} from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { feedbackDossiersTable, type SqlTransaction } from './records/tables.js';
import { rememberFeedbackSubjectOnDossierReceived } from './subject/reactor.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3006, schema: 'feedback' }),
    ...stackConsumerEnvShape({ groupId: 'feedback' }),
  }),
);

await runStackService({
  source: 'feedback',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    const dossiers = feedbackDossiersTable(store);
    // Created before the consumer starts, so its first transaction only writes rows.
    await dossiers.ready();
    return buildApp(
      { store, clock, ids: uuidv7Ids, catalog: demoCatalog, calendar: vnCivilServiceCalendar, dossiers },
      { auth, logger },
    );
  },
  consumer: ({ store }) => {
    /** The dossiers table in the consumer's transaction: a remembered receipt commits with the inbox row and offset. */
    const dossiersIn = (tx: SqlTransaction) =>
      feedbackDossiersTable({ schema: store.schema, withTransaction: (work) => work(tx) });
    return reactorsHandler((event, tx) =>
      rememberFeedbackSubjectOnDossierReceived(event, { dossiers: dossiersIn(tx) }),
    );
  },
});
