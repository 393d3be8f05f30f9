/**
 * Stack mode: the processing service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds the reactors `rememberDossierOnDossierReceived`, `rememberWithdrawalOnDossierWithdrawn` and
 * `openCaseOnDossierTransferred` from the dossier topic.
 */
import { demoCatalog } from '@onestop/catalog';
import { loadConfig, uuidv7Ids } from '@onestop/service-kit';
import {
  reactorsHandler,
  runStackService,
  stackConsumerEnvShape,
  stackServiceEnvShape,
} from '@onestop/stack';
import { z } from 'zod';
import { buildApp } from './app.js';
import { openCaseOnDossierTransferred } from './open-case/reactor.js';
import {
  rememberDossierOnDossierReceived,
  rememberWithdrawalOnDossierWithdrawn,
} from './received/reactors.js';
import { receivedDossiersTable, type SqlTransaction } from './received/received-dossiers.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3003, schema: 'processing' }),
    ...stackConsumerEnvShape({ groupId: 'processing' }),
  }),
);

await runStackService({
  source: 'processing',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    const received = receivedDossiersTable(store);
    // Created before the consumer starts, so its first transaction only writes rows.
    await received.find('00000000-0000-7000-8000-000000000000');
    return buildApp({ store, clock, ids: uuidv7Ids, catalog: demoCatalog, received }, { auth, logger });
  },
  consumer: ({ store }) => {
    /**
     * The received-dossiers table as seen from the consumer's transaction: what the reactors remember commits
     * with the consumer's inbox row and offset (exactly once). Opening the case appends to the store on its own
     * connection; a redelivery is harmless there because OpenCase is idempotent.
     */
    const receivedIn = (tx: SqlTransaction) =>
      receivedDossiersTable({ schema: store.schema, withTransaction: (work) => work(tx) });
    return reactorsHandler(
      (event, tx) => rememberDossierOnDossierReceived(event, { received: receivedIn(tx) }),
      (event, tx) => rememberWithdrawalOnDossierWithdrawn(event, { received: receivedIn(tx) }),
      (event, tx) =>
        openCaseOnDossierTransferred(event, {
          store,
          ids: uuidv7Ids,
          catalog: demoCatalog,
          received: receivedIn(tx),
        }),
    );
  },
});
