/** `POST /v1/return/dossiers/{id}/return`: the result is handed to the applicant (national status 10). */
import { ReturnChannel } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import type { ResultReturnDeps } from '../app.js';
import { actorOf, requireReturningUnit, runReturnCommand } from '../command.js';
import { ReturnView } from '../dossier/view.js';

const Body = z.object({ channel: ReturnChannel.describe('how the result reached the applicant') }).meta({
  id: 'ReturnResultBody',
  examples: [{ channel: 'desk' }, { channel: 'postal' }],
});

export async function returnRoutes(app: App, deps: ResultReturnDeps): Promise<void> {
  app.post(
    '/v1/return/dossiers/:id/return',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Return the result to the applicant',
        description:
          'Only from status 9 (result at the desk); otherwise 409 DOM_INVALID_TRANSITION naming the status. ' +
          'A clerk of the returning unit, or an admin.',
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
          type: 'ReturnResult',
          now: deps.clock.now(),
          actor: actorOf(auth),
          channel: request.body.channel,
        };
      });
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );
}
