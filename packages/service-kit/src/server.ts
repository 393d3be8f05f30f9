import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawServerDefault,
} from 'fastify';
import {
  type FastifyPluginAsyncZod,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { type Logger, pino } from 'pino';
import { type AuthConfig, installAuth } from './auth.js';
import { installDocs } from './docs.js';
import { errorResponseSchema, installErrorHandling, toErrorResponse } from './errors.js';
import { installHealth, type ReadinessOptions } from './health.js';
import { installInputTextGuard } from './input-text.js';
import { installMetrics, type MetricsOptions } from './metrics.js';

/** A server built by `buildServer`: fastify with the zod type provider. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ServerOptions {
  /** The service name: OpenAPI title, `service` field of every log line. */
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  /**
   * Where `routes` are mounted (e.g. `/v1/intake`). Health, metrics and docs stay at the root, so several
   * services with distinct prefixes can share one process and one port.
   */
  readonly prefix?: string;
  /** The service's route plugins, registered under `prefix` once the kit is in place. */
  readonly routes?: FastifyPluginAsyncZod | readonly FastifyPluginAsyncZod[];
  /** A pino logger to log to (a child with `service` is made), or false for none. Default: pino to stdout. */
  readonly logger?: Logger | false;
  /** Level of the default logger (default 'info'). */
  readonly logLevel?: string;
  /** Verify bearer tokens on every non-public route. Without it, no route is protected. */
  readonly auth?: AuthConfig;
  readonly readiness?: ReadinessOptions;
  readonly metrics?: MetricsOptions;
  /** Serve OpenAPI at `/docs` (default true). */
  readonly docs?: boolean;
  /** Largest accepted body in bytes (default fastify's 1 MiB). */
  readonly bodyLimit?: number;
}

const requestIdHeader = 'x-request-id';
// An incoming id is echoed into logs and headers, so only a plain token is trusted; anything else is replaced.
const acceptableRequestId = /^[\w.:-]{1,128}$/;

function requestId(req: IncomingMessage): string {
  const incoming = req.headers[requestIdHeader];
  return typeof incoming === 'string' && acceptableRequestId.test(incoming) ? incoming : randomUUID();
}

/**
 * Every service route documents the error shape for the failures any route can have (400 for bad input, 401/403
 * on protected routes, 500), unless it declares those statuses itself; routes add their own 404/409/422.
 */
function documentErrorResponses(app: App, authenticated: boolean): void {
  app.addHook('onRoute', (route) => {
    const isPublic = (route.config as { public?: boolean } | undefined)?.public === true;
    const statuses = [400, ...(authenticated && !isPublic ? [401, 403] : []), 500];
    const schema = route.schema ?? {};
    const declared = (schema.response ?? {}) as Record<string, unknown>;
    const defaults = Object.fromEntries(statuses.map((status) => [status, errorResponseSchema]));
    route.schema = { ...schema, response: { ...defaults, ...declared } };
  });
}

function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  request.log.info({ code: body.code, status }, body.message);
  void reply.status(status).send(body);
}

/**
 * Builds a configured server: zod validation and serialization, request ids, one error taxonomy,
 * `/health/live`, `/health/ready`, `/metrics`, `/docs`, and optionally bearer auth.
 *
 * @example
 * const app = await buildServer({ name: 'intake', prefix: '/v1/intake', routes: dossierRoutes, auth });
 * app.addReadinessCheck('postgres', async () => { await pool.query('select 1'); });
 */
export async function buildServer(options: ServerOptions): Promise<App> {
  const version = options.version ?? '0.0.0';
  const loggerInstance: FastifyBaseLogger | undefined =
    options.logger === false
      ? undefined
      : (options.logger ?? pino({ level: options.logLevel ?? 'info' })).child({ service: options.name });

  const app: App = Fastify({
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance }),
    genReqId: requestId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // While draining, a request that still reaches us on an open keep-alive connection is served (with
    // `Connection: close`) instead of getting fastify's 503, whose body is not our error shape.
    return503OnClosing: false,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    // URL errors (bad percent-encoding, an over-long path parameter) are raised before any hook or handler
    // runs; without this they would go out in fastify's own body shape instead of `{ code, message }`.
    frameworkErrors: sendFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text body sent to a JSON route is a wrong content type (415), not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply) => {
    reply.header(requestIdHeader, request.id);
  });
  installErrorHandling(app);
  installInputTextGuard(app);
  if (options.auth !== undefined) installAuth(app, options.auth);
  if (options.docs !== false) {
    await installDocs(app, {
      title: `${options.name} API`,
      version,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
  }
  installMetrics(app, options.metrics);
  installHealth(app, options.readiness);

  documentErrorResponses(app, options.auth !== undefined);
  const routes: readonly FastifyPluginAsyncZod[] =
    typeof options.routes === 'function' ? [options.routes] : (options.routes ?? []);
  for (const plugin of routes) await app.register(plugin, { prefix: options.prefix ?? '' });
  return app;
}
