/**
 * `GET /v1/intake/units/{unitId}/received`: the desk's day, as every clerk device of the centre sees it (DESIGN.md
 * section 5: clerks of the unit, and admins). "Today" is the service's business day (the test clock when one runs).
 */
import { localDateOf, UnitId } from '@onestop/domain';
import { type App, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import type { IntakeContext } from '../app.js';
import { DeskDossier } from './table.js';

const DeskParams = z.object({ unitId: UnitId.describe('the one-stop centre (receiving unit)') });
const DeskQuery = z.object({
  day: z.iso
    .date()
    .optional()
    .describe('a Vietnam date, YYYY-MM-DD; default today in business time (the test clock when one runs)'),
});

const example = {
  unitId: 'kh.p-nha-trang.ttpvhcc',
  day: '2026-03-09',
  dossiers: [
    {
      dossierId: '0199c3a4-58a0-7a51-9c1e-2f3b4c5d6e7f',
      dossierCode: '000.00.21.H34-260309-0001',
      procedureCode: '2.000488',
      procedureName:
        'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam',
      channel: 'desk',
      competentUnitId: 'kh.so-tu-phap',
      crossBoundary: true,
      receivedAt: '2026-03-09T02:00:00.000Z',
      status: 'transferred',
    },
  ],
} as const;

export const DeskDayResponse = z
  .object({
    unitId: z.string(),
    day: z.string().describe('the Vietnam date listed'),
    dossiers: z
      .array(DeskDossier.extend({ procedureName: z.string().describe('as the catalogue names it now') }))
      .describe('latest receipt first'),
  })
  .meta({ id: 'DeskDay', examples: [example] });

export function registerDeskRoute(app: App, context: IntakeContext): void {
  app.get(
    '/v1/intake/units/:unitId/received',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Dossiers a one-stop centre received on a day (default today), with where each stands',
        description:
          'The desk list every clerk device of the centre shares: received, transferred or withdrawn, latest ' +
          'first. Clerks of the unit and admins. It follows the receipts through intake’s consumer, so a ' +
          'receipt shows here within moments of its answer.',
        tags: ['intake'],
        params: DeskParams,
        querystring: DeskQuery,
        response: { 200: DeskDayResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      requireUnit(request, unitId);
      context.catalog.unit(unitId); // an unknown unit is a 404 naming it, not an empty day
      const day = request.query.day ?? localDateOf(context.clock.now());
      const dossiers = await context.desk.receivedOn(unitId, day);
      return {
        unitId,
        day,
        dossiers: dossiers.map((d) => ({
          ...d,
          procedureName: context.catalog.procedureVersions(d.procedureCode).at(-1)?.name ?? d.procedureCode,
        })),
      };
    },
  );
}
