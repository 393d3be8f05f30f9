/** `POST /v1/intake/dossiers/{id}/withdraw`: the applicant withdraws the dossier (status 7). */
import { intakeDecider, Reason, streamIdFor } from '@onestop/domain';
import { type App, handleCommand, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { deskDossiersTable } from '../desk/table.js';
import { DossierParams, DossierResponse, loadDossier, sendDossier } from '../dossier/route.js';
import { foldDossier } from '../dossier/view.js';

export const WithdrawBody = z.object({ reason: Reason.optional() });

export function registerWithdrawRoute(app: App, context: IntakeContext): void {
  // One table object per process: it creates its table once, not on every withdrawal.
  const statuses = deskDossiersTable(context.store);
  app.post(
    '/v1/intake/dossiers/:id/withdraw',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Withdraw a dossier at the applicant’s request (status 7); ends the clock',
        description:
          'From status 2 or 4 as intake sees it, and, once transferred, only while the dossier is in 4, 5 or 6 as ' +
          'the topic says (not once processing has stopped (8) or decided (9) it, nor after its result was ' +
          'returned (10)); otherwise 409 DOM_INVALID_TRANSITION naming the status. The statuses other services ' +
          'set are known once intake has consumed their events.',
        tags: ['intake'],
        params: DossierParams,
        body: WithdrawBody.meta({ examples: [{ reason: 'Người nộp rút hồ sơ' }] }),
        response: { 200: DossierResponse },
      },
    },
    async (request, reply) => {
      const dossierId = request.params.id;
      const view = await loadDossier(context, dossierId);
      const auth = requireUnit(request, view.receivingUnitId ?? '');
      const processingStatus = await statuses.statusOf(dossierId);
      const handled = await handleCommand({
        store: context.store,
        decider: intakeDecider,
        dossierId,
        streamId: streamIdFor('intake', dossierId),
        ids: context.ids,
        trace: { correlationId: request.id },
        command: {
          type: 'WithdrawDossier',
          now: context.clock.now(),
          actor: actorOf(auth, ['clerk', 'admin']),
          ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
          ...(processingStatus === undefined ? {} : { processingStatus }),
        },
      });
      return sendDossier(reply, foldDossier(dossierId, handled.history) ?? view);
    },
  );
}
