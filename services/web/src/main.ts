/**
 * Stack mode: the web app in its own process (`pnpm start:stack` starts it; the gateway sends `/`, `/assets/*` and
 * `/tracking` here and every `/v1` call to the services). The only file of the web server that reads the
 * environment. It builds the app before it listens when `dist` is missing or stale, so once it is ready every page
 * is served at once.
 */
import { buildServer, installShutdown, loadConfig } from '@onestop/service-kit';
import { z } from 'zod';
import { ensureWebBuilt } from './server/build.js';
import { registerWeb } from './server/routes.js';

const env = loadConfig(
  z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3007),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }),
);

await ensureWebBuilt();
const app = await buildServer({
  name: 'web',
  description:
    'The web app for desk clerks, specialists, leaders and analysts (static files; it holds no data)',
  logLevel: env.LOG_LEVEL,
  routes: async (root) => registerWeb(root),
});
installShutdown(app);
await app.listen({ port: env.PORT, host: env.HOST });
