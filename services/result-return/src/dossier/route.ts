/** `GET /v1/return/dossiers/{id}`: where the result is, how it was returned, and the rating. */
import { type App, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import type { ResultReturnDeps } from '../app.js';
import { ReturnNotFound } from '../errors.js';
import { loadReturnView, ReturnView } from './view.js';

export async function dossierRoutes(app: App, deps: ResultReturnDeps): Promise<void> {
  app.get(
    '/v1/return/dossiers/:id',
    {
      onRequest: requireRole('clerk', 'analyst', 'admin'),
      schema: {
        summary: 'Return state of a dossier',
        description:
          'A clerk of the returning unit, an analyst or an admin. 404 until the result reaches a desk.',
        tags: ['result-return'],
        params: z.object({ id: z.uuid().describe('dossier id') }),
        response: {
          200: ReturnView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const dossierId = request.params.id;
      const view = await loadReturnView(deps.store, dossierId);
      if (view === undefined) {
        throw ReturnNotFound(`the result of dossier ${dossierId} has not reached a desk`, {
          details: { dossierId },
        });
      }
      requireUnit(request, view.returningUnitId, ['admin', 'analyst']);
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );
}
