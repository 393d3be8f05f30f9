/**
 * `GET /v1/reports/reform`: the periodic administrative-reform report as an XLSX or PDF download. Analysts and
 * admins report on the province or any unit; a leader on their own unit (the default when none is given).
 */
import { type App, authOf, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import { readsAnyUnit, requireUnitReader } from '../access.js';
import type { ProjectionDeps } from '../app.js';
import { reformReport } from './model.js';
import { PDF_CONTENT_TYPE, reformReportPdf } from './pdf.js';
import { ReformReportQuery } from './period.js';
import { reformReportXlsx, XLSX_CONTENT_TYPE } from './xlsx.js';

export const REPORT_ROLES = ['analyst', 'leader', 'admin'] as const;

export const ReformReportDownloadQuery = ReformReportQuery.safeExtend({
  format: z.enum(['xlsx', 'pdf']).default('xlsx'),
});

export async function registerReportRoutes(app: App, deps: ProjectionDeps): Promise<void> {
  app.get(
    '/v1/reports/reform',
    {
      preHandler: requireRole(...REPORT_ROLES),
      schema: {
        summary: 'Periodic administrative-reform report (XLSX or PDF)',
        description:
          'Per competent unit and per procedure for the period: received, carried over, resolved early / on ' +
          'time / late, open in time / overdue, apology letters (and late ones), digitization, online ' +
          'submission and satisfaction, the figures of `GET /v1/kpi/units/{unitId}` and `.../procedures` for ' +
          'the same period, judged at its end; per unit also the feedback (PAKN) filed in the period, its ' +
          'on-time handling rate (5.2) and satisfaction rate (5.3), `feedback` of the same unit report (feedback ' +
          'has no split by procedure, so procedure rows leave them empty).',
        querystring: ReformReportDownloadQuery,
        response: {
          200: z.unknown().describe(`the report: ${XLSX_CONTENT_TYPE} or ${PDF_CONTENT_TYPE}`),
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const auth = authOf(request);
      const unitId = readsAnyUnit(auth) ? query.unitId : (query.unitId ?? auth.unitId);
      if (unitId !== undefined) deps.catalog.unit(unitId);
      requireUnitReader(request, deps.catalog, unitId === undefined ? [] : [unitId]);
      const report = await reformReport(
        deps,
        { ...query, ...(unitId === undefined ? {} : { unitId }) },
        deps.clock.now(),
      );
      const bytes = format === 'pdf' ? await reformReportPdf(report) : await reformReportXlsx(report);
      const name = `bao-cao-cchc-${report.period.key}${unitId === undefined ? '' : `-${unitId}`}.${format}`;
      return reply
        .type(format === 'pdf' ? PDF_CONTENT_TYPE : XLSX_CONTENT_TYPE)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(bytes);
    },
  );
}
