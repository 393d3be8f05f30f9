/** `POST /v1/intake/dossiers/{id}/transfer`: hand the received dossier to the competent unit (status 2 → 4). */
import { intakeDecider, streamIdFor, TransferChannel, UnitId } from '@onestop/domain';
import { type App, handleCommand, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { DossierParams, DossierResponse, loadDossier, sendDossier } from '../dossier/route.js';
import { foldDossier } from '../dossier/view.js';
import { TransferDestinationInvalid } from '../errors.js';

export const TransferBody = z.object({
  toUnitId: UnitId.describe("the dossier's competent unit (or, if it has since been merged, its successor)"),
  channel: TransferChannel.describe('electronic, or paper/postal (the custody chain is recorded)'),
});

export function registerTransferRoute(app: App, context: IntakeContext): void {
  app.post(
    '/v1/intake/dossiers/:id/transfer',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Transfer a received dossier to the competent unit (status 4); records the custody chain',
        description:
          'Only from status 2; otherwise 409 DOM_INVALID_TRANSITION naming the current status. The destination ' +
          'is the competent unit chosen at receipt (or its successor after a merger): another unit is 422 ' +
          'INTAKE_TRANSFER_DESTINATION_INVALID naming the units allowed.',
        tags: ['intake'],
        params: DossierParams,
        body: TransferBody.meta({ examples: [{ toUnitId: 'kh.p-nha-trang', channel: 'electronic' }] }),
        response: { 200: DossierResponse },
      },
    },
    async (request, reply) => {
      const dossierId = request.params.id;
      const view = await loadDossier(context, dossierId);
      const auth = requireUnit(request, view.receivingUnitId ?? '');
      const now = context.clock.now();
      // The destination must exist and be in force now (404 / 422 naming it), and be where the case will be
      // processed: processing opens it at the competent unit, whose specialists then read the dossier.
      const to = context.catalog.unitAt(request.body.toUnitId, now);
      const competent = view.competentUnitId;
      if (competent !== undefined) {
        const allowed = [...new Set([competent, context.catalog.currentSuccessor(competent, now).id])];
        if (!allowed.includes(to.id)) {
          throw TransferDestinationInvalid(
            `dossier ${dossierId} goes to its competent unit ${allowed.join(' or ')}, not ${to.id}`,
            { details: { toUnitId: to.id, competentUnitId: competent, allowed } },
          );
        }
      }
      const handled = await handleCommand({
        store: context.store,
        decider: intakeDecider,
        dossierId,
        streamId: streamIdFor('intake', dossierId),
        ids: context.ids,
        trace: { correlationId: request.id },
        command: {
          type: 'TransferDossier',
          now,
          actor: actorOf(auth, ['clerk', 'admin']),
          toUnitId: to.id,
          channel: request.body.channel,
        },
      });
      const after = foldDossier(dossierId, handled.history) ?? view;
      return sendDossier(reply, after);
    },
  );
}
