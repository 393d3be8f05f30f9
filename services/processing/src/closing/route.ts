import { Reason } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_LEADERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';

const StopBody = z.object({ reason: Reason.describe('why processing stops (Form 05)') }).meta({
  examples: [{ reason: 'Người yêu cầu không bổ sung hồ sơ trong thời hạn theo Phiếu yêu cầu bổ sung.' }],
});

const DecideBody = z
  .object({
    outcome: z.enum(['approved', 'refused']),
    reason: Reason.optional().describe('required when refused on the merits'),
  })
  .refine((body) => body.outcome === 'approved' || body.reason !== undefined, {
    path: ['reason'],
    message: 'a refusal on the merits must give its reason',
  })
  .meta({
    examples: [
      { outcome: 'approved' },
      {
        outcome: 'refused',
        reason: 'Người yêu cầu không thuộc đối tượng được cấp Phiếu lý lịch tư pháp số 2.',
      },
    ],
  });

/** The two ways a case ends its clock: stopped (Form 05, status 8) or decided (status 9). */
export async function registerClosingRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/stop`,
    {
      onRequest: requireCaseRole(CASE_LEADERS),
      schema: {
        summary: 'Stop processing (Form 05); ends the clock. Leader only.',
        params: CaseParams,
        body: StopBody,
        response: caseResponses,
      },
    },
    async (request, reply) =>
      runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_LEADERS,
        build: ({ now, actor }) => ({ type: 'StopProcessing', now, actor, reason: request.body.reason }),
      }),
  );

  app.post(
    `${CasePath}/decide`,
    {
      onRequest: requireCaseRole(CASE_LEADERS),
      schema: {
        summary: 'Sign the decision (status 9) and send the result to the returning desk. Leader only.',
        description:
          'Appends DossierDecided and ResultSentToDesk together: the result (approval, or the written refusal ' +
          'with its reasons) goes back to the unit that received the dossier, where result-return hands it over.',
        params: CaseParams,
        body: DecideBody,
        response: caseResponses,
      },
    },
    async (request, reply) =>
      runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_LEADERS,
        build: ({ now, actor }) => ({
          type: 'DecideDossier',
          now,
          actor,
          outcome: request.body.outcome,
          ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
        }),
        // The dossier has no separate returning unit: the result goes back to the desk that received it.
        followUp: ({ received, now, actor }) => ({
          type: 'SendResultToDesk',
          now,
          actor,
          returningUnitId: received.data.receivingUnitId,
        }),
      }),
  );
}
