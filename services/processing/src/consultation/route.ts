import {
  addWorkingTime,
  ConsultationId,
  Instant,
  UnitId,
  ValidationFailed,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_OFFICERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';

const HOUR_MS = 3_600_000;

const ConsultBody = z
  .object({
    toUnitId: UnitId.describe('the consulted agency (a unit of the registry)'),
    dueAt: Instant.optional().describe('when the answer is due'),
    workingHours: z
      .number()
      .positive()
      .max(2000)
      .optional()
      .describe("or: the answer is due this many working hours from now (the competent unit's calendar)"),
  })
  .refine((body) => (body.dueAt === undefined) !== (body.workingHours === undefined), {
    path: ['dueAt'],
    message: 'give either dueAt or workingHours',
  })
  // A criminal-record request: the Department of Justice asks the ward to confirm the applicant's residence.
  .meta({
    examples: [
      { toUnitId: 'kh.p-nha-trang', workingHours: 24 },
      { toUnitId: 'kh.p-cam-ranh', dueAt: '2025-09-22T17:00:00+07:00' },
    ],
  });

const AnswerConsultationBody = z
  .object({ consultationId: ConsultationId })
  .meta({ examples: [{ consultationId: '01994c31-2d4f-7a10-8b2c-5e6f7a8b9c0d' }] });

/** Inter-agency consultation: request with its own due time, and the answer. */
export async function registerConsultationRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/consult`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: 'Consult another agency',
        description:
          'The new consultation (with its generated consultationId) is the last of `consultations`.',
        params: CaseParams,
        body: ConsultBody,
        response: caseResponses,
      },
    },
    async (request, reply) => {
      const { toUnitId, dueAt, workingHours } = request.body;
      if (!deps.catalog.units().some((unit) => unit.id === toUnitId)) {
        throw ValidationFailed(`invalid request: body.toUnitId: unknown unit ${toUnitId}`, {
          details: { issues: [{ path: 'body.toUnitId', message: `unknown unit ${toUnitId}` }] },
        });
      }
      const calendar = deps.calendar ?? vnCivilServiceCalendar;
      return runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_OFFICERS,
        build: ({ state, now, actor }) => ({
          type: 'RequestConsultation',
          now,
          actor,
          consultationId: deps.ids.next(),
          toUnitId,
          dueAt:
            dueAt === undefined
              ? addWorkingTime(
                  now,
                  (workingHours ?? 0) * HOUR_MS,
                  calendar,
                  calendar.workingHoursFor(state.competentUnitId),
                )
              : new Date(dueAt),
        }),
      });
    },
  );

  app.post(
    `${CasePath}/answer-consultation`,
    {
      onRequest: requireCaseRole(CASE_OFFICERS),
      schema: {
        summary: "Record the consulted agency's answer",
        params: CaseParams,
        body: AnswerConsultationBody,
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
          type: 'AnswerConsultation',
          now,
          actor,
          consultationId: request.body.consultationId,
        }),
      }),
  );
}
