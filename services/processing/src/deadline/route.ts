import { evaluateClock, Instant, Reason, vnCivilServiceCalendar } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import type { ProcessingDeps } from '../app.js';
import { CASE_LEADERS, requireCaseRole, runCaseCommand } from '../case/command.js';
import { CaseParams, CasePath, caseResponses } from '../case/http.js';
import { clockEvents } from '../case/view.js';

const ExtendBody = z
  .object({
    newDueAt: Instant.describe('the new appointment; must be after the due in force'),
    reason: Reason.describe('why the dossier will be late (Form 04)'),
  })
  .meta({
    examples: [
      {
        newDueAt: '2025-10-06T10:00:00+07:00',
        reason: 'Chờ kết quả xác minh nơi cư trú của Ủy ban nhân dân phường Nha Trang.',
      },
    ],
  });

/** Apology and new appointment (Form 04). */
export async function registerDeadlineRoutes(app: App, deps: ProcessingDeps): Promise<void> {
  app.post(
    `${CasePath}/extend`,
    {
      onRequest: requireCaseRole(CASE_LEADERS),
      schema: {
        summary: 'Apologise and set a new appointment (Form 04)',
        description:
          'The due in force (the latest appointment, else the statutory due, moved by pauses) is computed from ' +
          "the case's history: an apology issued after it is recorded as late (`issuedLate`). Leader only.",
        params: CaseParams,
        body: ExtendBody,
        response: caseResponses,
      },
    },
    async (request, reply) => {
      const calendar = deps.calendar ?? vnCivilServiceCalendar;
      return runCaseCommand({
        request,
        reply,
        deps,
        dossierId: request.params.dossierId,
        roles: CASE_LEADERS,
        build: ({ state, history, received, now, actor }) => {
          const clock = evaluateClock(clockEvents(history, received), {
            calendar,
            asOf: now,
            workingHours: calendar.workingHoursFor(state.competentUnitId),
          });
          return {
            type: 'ExtendDeadline',
            now,
            actor,
            newDueAt: new Date(request.body.newDueAt),
            reason: request.body.reason,
            currentDueAt: clock.appointmentDueAt,
          };
        },
      });
    },
  );
}
