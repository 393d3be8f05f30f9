/**
 * `pnpm start`: the whole system in one process on the embedded store (the composition root of embedded mode;
 * the only place that reads the environment).
 */
import { authConfigFromEnv, installShutdown } from '@onestop/service-kit';
import { pino } from 'pino';
import { loadEmbeddedEnv } from './config.js';
import { startEmbedded } from './embedded.js';

const env = loadEmbeddedEnv();
const logger = pino({ level: env.LOG_LEVEL });
// An identity provider (JWKS_URL or JWKS_FILE) replaces dev tokens; without one, the dev secret signs them.
const identityProvider = env.JWKS_URL !== undefined || env.JWKS_FILE !== undefined;
const system = await startEmbedded({
  dataDir: env.ONESTOP_DATA_DIR,
  testClock: env.ONESTOP_TEST_CLOCK === '1',
  ...(env.JWT_SECRET === undefined ? {} : { jwtSecret: env.JWT_SECRET }),
  ...(identityProvider ? { auth: authConfigFromEnv(env) } : {}),
  ...(env.ONESTOP_IDP_SIGN_IN_URL === undefined ? {} : { signInUrl: env.ONESTOP_IDP_SIGN_IN_URL }),
  ...(env.ONESTOP_VAULT_MASTER_KEY === undefined ? {} : { vaultMasterKey: env.ONESTOP_VAULT_MASTER_KEY }),
  ...(env.ONESTOP_TRACKING_KEY === undefined ? {} : { trackingKey: env.ONESTOP_TRACKING_KEY }),
  logger,
});
// Hooks close in reverse order, after the server has drained: the bus stops before the store closes.
installShutdown(system.app, {
  onClose: [
    { name: 'event-store', close: () => system.store.close() },
    { name: 'bus', close: () => system.bus.stop() },
    { name: 'projection', close: () => system.projection.stop() },
  ],
});
const address = await system.app.listen({ port: env.PORT, host: env.HOST });

process.stdout.write(
  [
    '',
    `onestop (embedded mode) is running at ${address}`,
    `  API docs:       ${address}/docs   (OpenAPI of every service below)`,
    `  intake:         ${address}/v1/intake/dossiers   (POST receive, needs Idempotency-Key; GET /{id})`,
    `  digitization:   ${address}/v1/digitization/dossiers/{id}   (POST .../components, .../result)`,
    `  processing:     ${address}/v1/processing/cases/{dossierId}   (POST .../assign, .../decide, …)`,
    `  result-return:  ${address}/v1/return/dossiers/{id}   (POST .../return, .../rate)`,
    `  projection:     ${address}/v1/kpi/units/{unitId}, ${address}/v1/dossiers/{id}/timeline   (analyst)`,
    `  catalogue:      ${address}/v1/catalog/procedures, ${address}/v1/catalog/units`,
    `  health:         ${address}/health/ready   (store, bus and projection: caught up, lag)`,
    `  metrics:        ${address}/metrics`,
    `  data:           ${env.ONESTOP_DATA_DIR}`,
    identityProvider
      ? `  sign-in:        the identity provider's bearer token (${env.JWKS_URL ?? env.JWKS_FILE})`
      : `  a token:        pnpm onestop token --role clerk --unit <unitId>   (or POST ${address}/v1/dev/token)`,
    '  analysts:       pnpm onestop kpi --unit <unitId> | replay | export --from <date> --to <date>',
    env.ONESTOP_TEST_CLOCK === '1'
      ? `  test clock:     POST ${address}/v1/dev/clock { "now": "2026-03-02T09:00:00+07:00" }`
      : '',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
    .join('\n'),
);
