/** Stack mode: the intake service in its own process on PostgreSQL + Kafka. The only file that reads the environment. */
import { demoCatalog } from '@onestop/catalog';
import { loadConfig, uuidv7Ids } from '@onestop/service-kit';
import {
  reactorsHandler,
  runStackService,
  stackConsumerEnvShape,
  stackServiceEnvShape,
} from '@onestop/stack';
import { parseMasterKey } from '@onestop/vault';
import { z } from 'zod';
import { buildApp } from './app.js';
import { deskDossiersTable } from './desk/table.js';
import { createPseudonyms } from './vault/crypto.js';
import { postgresPersonalDataVault } from './vault/postgres-vault.js';

const env = loadConfig(
  z.object({
    ...stackServiceEnvShape({ port: 3001, schema: 'intake' }),
    ...stackConsumerEnvShape({ groupId: 'intake' }),
    ONESTOP_VAULT_MASTER_KEY: z.string().min(1).describe('32 bytes, base64'),
    ONESTOP_TRACKING_KEY: z
      .string()
      .min(32)
      .optional()
      .describe('key of the receipts’ tracking secrets, shared with the projection; unset: none printed'),
  }),
);
const masterKey = parseMasterKey(env.ONESTOP_VAULT_MASTER_KEY);

// Intake reacts to no other service; it consumes the topic only to keep its desk list (what each centre received
// each day) from its own receipts, transfers and withdrawals.
await runStackService({
  source: 'intake',
  env,
  buildApp: async ({ store, clock, logger, auth }) => {
    const vault = postgresPersonalDataVault({ db: store, masterKey, clock });
    await vault.ready();
    await deskDossiersTable(store).ready();
    return buildApp(
      {
        store,
        clock,
        ids: uuidv7Ids,
        catalog: demoCatalog,
        vault,
        pseudonyms: createPseudonyms(masterKey),
        trackingKey: env.ONESTOP_TRACKING_KEY,
      },
      { auth, logger },
    );
  },
  consumer: ({ store }) => {
    const desk = deskDossiersTable(store);
    return reactorsHandler((event, tx) => desk.apply(event, tx));
  },
});
