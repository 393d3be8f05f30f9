import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_OFFICERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';
import { procedureOf } from '../open-case/reactor.js';

const RequestPaymentBody = z
  .object({
    amount: z.int().positive().describe('amount due in VND'),
    pausesClock: z
      .boolean()
      .optional()
      .describe("whether the wait pauses the clock; defaults to the procedure's setting (on by default)"),
  })
  // The fee of procedure 2.000488 (criminal-record certificate) in the demo catalogue.
  .meta({ examples: [{ amount: 200000 }, { amount: 200000, pausesClock: false }] });

const ConfirmPaymentBody = z
  .object({
    online: z.boolean().describe('paid online (KPI 3.6)'),
  })
  .meta({ examples: [{ online: true }] });

/** Financial obligation (status 6) and its payment (back to 4). */
export async function registerPaymentRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/request-payment`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Notify the applicant of a fee or tax due',
        params: CaseParams,
        body: RequestPaymentBody,
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
        build: ({ received, now, actor }) => ({
          type: 'RequestPayment',
          now,
          actor,
          amount: request.body.amount,
          pausesClock: request.body.pausesClock ?? procedureOf(deps.catalog, received).pausesOnPayment,
        }),
      }),
  );

  app.post(
    `${CasePath}/confirm-payment`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Record the financial obligation as met',
        params: CaseParams,
        body: ConfirmPaymentBody,
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
        build: ({ now, actor }) => ({ type: 'ConfirmPayment', now, actor, online: request.body.online }),
      }),
  );
}
