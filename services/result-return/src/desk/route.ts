/**
 * `GET /v1/return/units/{unitId}/waiting`: the results waiting at a returning desk, as every clerk device of the
 * unit sees them (clerks of the unit, and admins).
 */
import { UnitId } from '@onestop/domain';
import { type App, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import type { ResultReturnDeps } from '../app.js';
import { deskResultsTable, WaitingResult } from './table.js';

const example = {
  unitId: 'kh.p-nha-trang.ttpvhcc',
  results: [
    {
      dossierId: '0199c3a4-58a0-7a51-9c1e-2f3b4c5d6e7f',
      dossierCode: '000.00.21.H34-260309-0001',
      procedureCode: '2.000488',
      receivedAt: '2026-03-31T02:00:00.000Z',
    },
  ],
} as const;

export const WaitingResultsResponse = z
  .object({
    unitId: z.string(),
    results: z
      .array(WaitingResult)
      .describe('received at the desk, not yet returned; the longest waiting first'),
  })
  .meta({ id: 'WaitingResults', examples: [example] });

export async function deskRoutes(app: App, deps: ResultReturnDeps): Promise<void> {
  const desk = deskResultsTable(deps.store);
  app.get(
    '/v1/return/units/:unitId/waiting',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Results waiting at a returning desk (received, not yet returned to the applicant)',
        description:
          'The list every clerk device of the unit shares. Clerks of the unit and admins. It follows the ' +
          'results through the service’s consumer, so a result shows here within moments of reaching the desk.',
        tags: ['result-return'],
        params: z.object({ unitId: UnitId.describe('the returning unit (a one-stop centre)') }),
        response: { 200: WaitingResultsResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      requireUnit(request, unitId);
      deps.catalog.unit(unitId); // an unknown unit is a 404 naming it, not an empty desk
      return { unitId, results: await desk.waitingAt(unitId) };
    },
  );
}
