/** `GET /v1/digitization/dossiers/{id}`: the digitized components and result of a dossier. */
import { type App, errorResponseSchema } from '@onestop/service-kit';
import { z } from 'zod';
import type { DigitizationDeps } from '../app.js';
import { DigitizationNotFound } from '../errors.js';
import { DigitizationView, loadDigitizationView } from './view.js';

export async function dossierRoutes(app: App, deps: DigitizationDeps): Promise<void> {
  app.get(
    '/v1/digitization/dossiers/:id',
    {
      schema: {
        summary: 'Digitization state of a dossier',
        description:
          "Every component's latest digitized file (SHA-256, size, media type, source, reuse reference, signer) and " +
          'the result. Metadata only, so every role may read it; the files themselves are at /v1/digitization/documents.',
        tags: ['digitization'],
        params: z.object({ id: z.uuid().describe('dossier id') }),
        response: {
          200: DigitizationView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const view = await loadDigitizationView(deps.store, request.params.id);
      if (view.version < 0) {
        throw DigitizationNotFound(`nothing digitized for dossier ${request.params.id}`, {
          details: { dossierId: request.params.id },
        });
      }
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );
}
