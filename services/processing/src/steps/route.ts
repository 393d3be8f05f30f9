import { OfficerId, ruleViolated, StepId } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_OFFICERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';

const AssignBody = z
  .object({
    officerId: OfficerId.describe('the officer who takes the step (JWT `sub` of that officer)'),
    stepId: StepId.optional().describe('defaults to the step in progress; naming another step is refused'),
  })
  .meta({
    examples: [
      { officerId: 'specialist@kh.so-tu-phap' },
      { officerId: 'specialist@kh.so-tu-phap', stepId: 'appraise' },
    ],
  });

const CompleteStepBody = z
  .object({
    stepId: StepId.optional().describe('defaults to the step in progress; naming another step is refused'),
    nextOfficerId: OfficerId.optional().describe('the officer the next step is handed to'),
  })
  .meta({ examples: [{ stepId: 'appraise', nextOfficerId: 'leader@kh.so-tu-phap' }, {}] });

/** Assignment and hand-over between officers: the entries of the Form 06 control sheet. */
export async function registerStepRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/assign`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Assign an officer to the step in progress',
        params: CaseParams,
        body: AssignBody,
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
        build: ({ now, actor }) => ({
          type: 'AssignCase',
          now,
          actor,
          officerId: request.body.officerId,
          ...(request.body.stepId === undefined ? {} : { stepId: request.body.stepId }),
        }),
      }),
  );

  app.post(
    `${CasePath}/complete-step`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Complete the step in progress and hand over to the next one',
        description: 'The caller is recorded as the officer who completed the step (Form 06).',
        params: CaseParams,
        body: CompleteStepBody,
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
        build: ({ state, now, actor }) => {
          const stepId = request.body.stepId ?? state.steps[state.currentStep]?.stepId;
          if (stepId === undefined) {
            throw ruleViolated('CompleteStep', 'no_step_in_progress', 'every step is completed');
          }
          return {
            type: 'CompleteStep',
            now,
            actor,
            stepId,
            ...(request.body.nextOfficerId === undefined
              ? {}
              : { nextOfficerId: request.body.nextOfficerId }),
          };
        },
      }),
  );
}
