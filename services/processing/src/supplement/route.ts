import { Reason } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_OFFICERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';

const RequestSupplementBody = z
  .object({
    reason: Reason.describe('what is missing (shown on Form 02); describes the dossier, never the person'),
  })
  .meta({
    examples: [{ reason: 'Bản chụp giấy tờ tùy thân bị mờ, không đọc được số định danh; đề nghị nộp lại.' }],
  });

/** Supplement request (Form 02, status 5) and its receipt (back to 4): the clock pauses in between. */
export async function registerSupplementRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/request-supplement`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Ask the applicant for more documents (Form 02); pauses the clock',
        description: 'A second request on the same dossier makes it count as late (DOMAIN.md section 5).',
        params: CaseParams,
        body: RequestSupplementBody,
        response: caseResponses,
      },
    },
    async (request, reply) =>
      runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_OFFICERS,
        build: ({ now, actor }) => ({ type: 'RequestSupplement', now, actor, reason: request.body.reason }),
      }),
  );

  app.post(
    `${CasePath}/receive-supplement`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Record the requested supplement as received; resumes the clock',
        params: CaseParams,
        body: z
          .object({})
          .meta({ examples: [{}] })
          .optional(),
        response: caseResponses,
      },
    },
    async (request, reply) =>
      runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_OFFICERS,
        build: ({ now, actor }) => ({ type: 'ReceiveSupplement', now, actor }),
      }),
  );
}
