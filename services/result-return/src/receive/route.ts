/**
 * `POST /v1/return/dossiers/{id}/receive-result`: a clerk records that a result delivered on paper (or by a
 * courier) reached their desk. Results sent electronically are received by `receiveResultOnResultSentToDesk`.
 * Only a decided dossier has a result (status 9): as this service's consumer has seen it, so a receipt in the
 * instant after the decision may have to be repeated once the decision has been consumed.
 */
import { invalidTransition, UnitId, ValidationFailed } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import type { ResultReturnDeps } from '../app.js';
import { actorOf, runReturnCommand } from '../command.js';
import { deskResultsTable } from '../desk/table.js';
import { ReturnView } from '../dossier/view.js';
import { ReceivedByOtherUnit } from '../errors.js';

const Body = z
  .object({
    returningUnitId: UnitId.optional().describe("the desk's unit; defaults to the clerk's own unit"),
  })
  .meta({
    id: 'ReceiveResultBody',
    // The provincial centre's desk, or (no body field) the clerk's own unit.
    examples: [{ returningUnitId: 'kh.ttpvhcc' }, {}],
  });

export async function receiveRoutes(app: App, deps: ResultReturnDeps): Promise<void> {
  // One table object per process: it creates its table once, not on every receipt.
  const statuses = deskResultsTable(deps.store);
  app.post(
    '/v1/return/dossiers/:id/receive-result',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Receive a result at the returning desk (paper delivery)',
        description:
          'Moves the dossier to national status 9 at this desk. Idempotent: receiving again at the same desk ' +
          'returns 200 with the current state; another desk gets 409 RET_RECEIVED_BY_OTHER_UNIT. A dossier ' +
          'processing has not decided (as far as this service has seen) is 409 DOM_INVALID_TRANSITION naming ' +
          'its status.',
        tags: ['result-return'],
        params: z.object({ id: z.uuid().describe('dossier id') }),
        body: Body.nullish(),
        response: {
          200: ReturnView,
          201: ReturnView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
          409: errorResponseSchema,
          422: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const dossierId = request.params.id;
      const returningUnitId = request.body?.returningUnitId ?? auth.unitId;
      if (returningUnitId === undefined) {
        throw ValidationFailed(
          'invalid request: body.returningUnitId: required for a caller without a unit',
          {
            details: {
              issues: [{ path: 'body.returningUnitId', message: 'required for a caller without a unit' }],
            },
          },
        );
      }
      requireUnit(request, returningUnitId);
      const now = deps.clock.now();
      deps.catalog.unitAt(returningUnitId, now);
      const seen = await statuses.statusOf(dossierId);
      const { view, appended } = await runReturnCommand(request, deps, dossierId, (state) => {
        if (state.status === 'none' && seen !== 9) {
          throw invalidTransition('ReceiveResultAtDesk', seen ?? 'none', 'processing has not decided it');
        }
        if (state.status !== 'none' && state.returningUnitId !== returningUnitId) {
          throw ReceivedByOtherUnit(`the result is already at the desk of ${state.returningUnitId}`, {
            details: { dossierId, returningUnitId: state.returningUnitId },
          });
        }
        return { type: 'ReceiveResultAtDesk', now, actor: actorOf(auth, returningUnitId), returningUnitId };
      });
      return reply
        .status(appended ? 201 : 200)
        .header('etag', `"${view.version}"`)
        .send(view);
    },
  );
}
