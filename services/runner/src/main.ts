/**
 * `pnpm start`: the whole system in one process on the embedded store (the composition root of embedded mode;
 * the only place that reads the environment).
 */
import { installShutdown } from '@onestop/service-kit';
import { pino } from 'pino';
import { loadEmbeddedEnv } from './config.js';
import { startEmbedded } from './embedded.js';

const env = loadEmbeddedEnv();
const logger = pino({ level: env.LOG_LEVEL });
const system = await startEmbedded({
  dataDir: env.ONESTOP_DATA_DIR,
  testClock: env.ONESTOP_TEST_CLOCK === '1',
  ...(env.JWT_SECRET === undefined ? {} : { jwtSecret: env.JWT_SECRET }),
  logger,
});
installShutdown(system.app, { onClose: [{ name: 'event-store', close: () => system.store.close() }] });
const address = await system.app.listen({ port: env.PORT, host: env.HOST });

process.stdout.write(
  [
    '',
    `onestop (embedded mode) is running at ${address}`,
    `  API docs:   ${address}/docs`,
    `  health:     ${address}/health/ready`,
    `  catalogue:  ${address}/v1/catalog/procedures (needs a token)`,
    `  data:       ${env.ONESTOP_DATA_DIR}`,
    `  a token:    pnpm onestop token --role clerk --unit <unitId>   (units: ${address}/v1/catalog/units)`,
    env.ONESTOP_TEST_CLOCK === '1'
      ? `  test clock: POST ${address}/v1/dev/clock { "now": "2026-03-02T09:00:00+07:00" }`
      : '',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
    .join('\n'),
);
