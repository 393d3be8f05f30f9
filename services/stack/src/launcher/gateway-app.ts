/**
 * What the gateway answers itself: the published catalogue (DESIGN.md section 5; every signed-in role reads it),
 * and health that covers the whole stack (`/health/ready` fails while any service is not ready).
 */
import type { Catalog } from '@onestop/catalog';
import {
  type App,
  type AuthConfig,
  buildServer,
  issuesDevTokens,
  registerSessionRoutes,
} from '@onestop/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { registerDevTokens } from './dev-tokens.js';
import { ServiceNotReady } from './errors.js';
import type { Upstream } from './gateway.js';

const procedureQuery = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('words to find in the code, name or field; accents optional'),
  at: z.iso.datetime({ offset: true }).optional().describe('the catalogue as in force at this instant'),
});

export interface GatewayAppOptions {
  readonly catalog: Catalog;
  readonly auth: AuthConfig;
  /** The identity provider's sign-in page (`GET /v1/sign-in`). */
  readonly signInUrl?: string;
  readonly services: readonly Upstream[];
  readonly logger: Logger | false;
}

export async function buildGatewayApp(options: GatewayAppOptions): Promise<App> {
  const { auth } = options;
  const app = await buildServer({
    name: 'gateway',
    description:
      'onestop in stack mode: routes /v1/intake, /v1/digitization, /v1/processing, /v1/return, /v1/kpi, ' +
      '/v1/dossiers, /v1/feedback … to their services (each documents itself at its own /docs) and the web app ' +
      'to its server; serves the catalogue, the sign-in routes and (without an identity provider) dev tokens',
    auth,
    logger: options.logger,
    routes: [
      async (root) => registerCatalogRoutes(root, options.catalog),
      async (root) => registerSessionRoutes(root, { auth, signInUrl: options.signInUrl }),
      ...(issuesDevTokens(auth)
        ? [async (root: App) => registerDevTokens(root, auth.secret, options.catalog)]
        : []),
    ],
  });
  for (const service of options.services) {
    app.addReadinessCheck(service.name, async (signal) => {
      const answer = await fetch(`${service.url}/health/ready`, { signal });
      if (!answer.ok) {
        throw ServiceNotReady(`${service.name} is not ready (${answer.status})`, {
          details: { service: service.name, status: answer.status },
        });
      }
    });
  }
  return app;
}

/**
 * The published catalogue (DESIGN.md section 5): procedures with their limits, components, competent units, fee
 * and internal steps, and the effective-dated unit registry. Served by the gateway in stack mode and by the
 * embedded runner; readable by every signed-in role.
 */
export async function registerCatalogRoutes(app: App, catalog: Catalog): Promise<void> {
  app.get(
    '/v1/catalog/procedures',
    {
      schema: {
        summary: 'Procedures in force, optionally searched (accent-insensitive: "ho tich" finds "hộ tịch")',
        tags: ['catalog'],
        querystring: procedureQuery,
      },
    },
    async (request) => {
      const at = request.query.at === undefined ? undefined : new Date(request.query.at);
      const found = request.query.q ? catalog.searchProcedures(request.query.q, at) : catalog.procedures(at);
      return { procedures: found };
    },
  );
  app.get(
    '/v1/catalog/units',
    { schema: { summary: 'The unit registry with validity periods and successors', tags: ['catalog'] } },
    async () => ({
      units: catalog.units().map((unit) => ({
        id: unit.id,
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        parentId: unit.parentId ?? null,
        validFrom: unit.validFrom,
        validTo: unit.validTo ?? null,
        successorId: unit.successorId ?? null,
        versions: unit.versions,
      })),
    }),
  );
}
