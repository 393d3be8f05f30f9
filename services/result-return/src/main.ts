/**
 * Stack mode: the result-return service alone, on PostgreSQL + Kafka. The only file that reads the environment.
 * Its consumer feeds `receiveResultOnResultSentToDesk` and the desk list of waiting results from the dossier topic.
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
import { deskResultsTable } from './desk/table.js';
import { receiveResultOnResultSentToDesk } from './receive/reactor.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3004, schema: 'result_return' }),
    ...stackConsumerEnvShape({ groupId: 'result-return' }),
  }),
);

await runStackService({
  source: 'result-return',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    await deskResultsTable(store).ready();
    return buildApp({ store, clock, ids: uuidv7Ids, catalog: demoCatalog }, { auth, logger });
  },
  // The reactor appends to the store on its own connection (not the consumer's transaction): it is idempotent,
  // and the consumer's inbox already drops redelivered event ids. The desk list is written in the transaction.
  consumer: ({ store }) => {
    const desk = deskResultsTable(store);
    return reactorsHandler(
      (event) => receiveResultOnResultSentToDesk(event, { store, ids: uuidv7Ids }),
      (event, tx) => desk.apply(event, tx),
    );
  },
});
