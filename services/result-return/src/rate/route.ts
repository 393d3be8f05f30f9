/** `POST /v1/return/dossiers/{id}/rate`: the applicant's satisfaction, once, after the return (KPI 5.4). */
import { SatisfactionRating } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import type { ResultReturnDeps } from '../app.js';
import { actorOf, requireReturningUnit, runReturnCommand } from '../command.js';
import { ReturnView } from '../dossier/view.js';

const Body = z
  .object({
    rating: SatisfactionRating.describe('1 very satisfied, 2 satisfied, 3 dissatisfied, 4 very dissatisfied'),
  })
  .meta({ id: 'RateBody', examples: [{ rating: 1 }, { rating: 3 }] });

export async function rateRoutes(app: App, deps: ResultReturnDeps): Promise<void> {
  app.post(
    '/v1/return/dossiers/:id/rate',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: "Record the applicant's satisfaction rating",
        description:
          'Entered at the desk (or kiosk) of the returning unit. Only after the return (status 10) and only ' +
          'once; otherwise 409 DOM_INVALID_TRANSITION.',
        tags: ['result-return'],
        params: z.object({ id: z.uuid().describe('dossier id') }),
        body: Body,
        response: {
          200: ReturnView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          409: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { view } = await runReturnCommand(request, deps, request.params.id, (state) => {
        requireReturningUnit(request, state);
        return {
          type: 'RateSatisfaction',
          now: deps.clock.now(),
          actor: actorOf(auth),
          rating: request.body.rating,
        };
      });
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );
}
