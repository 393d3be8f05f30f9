/** `GET /v1/kpi/units/{unitId}/feedback`: the feedback items behind the unit's 5.2–5.4 figures. */
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import { requireReader, requireUnitReader } from '../access.js';
import type { ProjectionDeps } from '../app.js';
import { iso, PeriodQuery, resolvePeriod, UnitIdParam } from '../kpi/params.js';
import type { KpiScope } from '../kpi/query.js';
import { readProjection, unitsOf } from '../kpi/report.js';
import {
  FEEDBACK_STAGES,
  type FeedbackStage,
  feedbackRows,
  type JudgedFeedback,
  judgeFeedback,
} from './kpi.js';
import { FeedbackDrillDownResponse } from './schemas.js';

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const isLate = (item: JudgedFeedback, stage: FeedbackStage) =>
  item.stages[stage].status === 'late' || item.stages[stage].status === 'overdue';

function drillItem(item: JudgedFeedback) {
  const { row } = item;
  const stage = (name: FeedbackStage) => {
    const s = item.stages[name];
    return { status: s.status, dueAt: isoOrNull(s.dueMs), doneAt: isoOrNull(s.doneMs) };
  };
  const stages = {
    decision: stage('decision'),
    infoRequest: stage('infoRequest'),
    answer: stage('answer'),
    publication: stage('publication'),
  };
  return {
    feedbackId: row.feedback_id,
    subjectKind: row.subject_kind,
    dossierId: row.dossier_id,
    procedureCode: row.procedure_code,
    responsibleUnitId: row.responsible_unit_id,
    channel: row.channel,
    category: row.category,
    filedAt: iso(row.filed_at_ms),
    decision: item.decision,
    stages,
    rating: item.rated ? row.rating : null,
    followedUp: item.followedUp,
    delayed: item.delayed,
    satisfied: !item.delayed && !item.dissatisfied && !item.followedUp,
  };
}

export async function registerFeedbackKpiRoutes(app: App, deps: ProjectionDeps): Promise<void> {
  app.get(
    '/v1/kpi/units/:unitId/feedback',
    {
      preHandler: requireReader,
      schema: {
        summary: 'The feedback items behind a unit figure',
        description:
          'Drill-down of the `feedback` figures of `GET /v1/kpi/units/{unitId}`: the feedback items filed in ' +
          '[from, to) with the unit responsible, judged as of asOf, each with every stage (status, due, done). ' +
          '`late=true` keeps the items with the stage late or overdue (any stage when `stage` is absent), ' +
          '`late=false` those with the stage on time (no stage late or overdue when absent). Oldest filing first.',
        params: UnitIdParam,
        querystring: PeriodQuery.omit({ due: true }).extend({
          stage: z.enum(FEEDBACK_STAGES).optional(),
          late: z.enum(['true', 'false']).optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: FeedbackDrillDownResponse },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      const q = request.query;
      const units = unitsOf(deps.catalog, unitId, q.rollup);
      requireUnitReader(request, deps.catalog, [unitId]);
      const period = resolvePeriod(q, deps.clock.now());
      const scope: KpiScope = { ...period, unitIds: units, due: 'statutory' };
      const rows = await readProjection(deps, (ctx) => feedbackRows(ctx, scope));
      const items = rows
        .map((row) => judgeFeedback(row, period.asOfMs))
        .filter((item) => {
          if (q.late === undefined) return q.stage === undefined || item.stages[q.stage].status !== 'none';
          const wanted = q.late === 'true';
          if (q.stage === undefined) return item.delayed === wanted;
          return wanted ? isLate(item, q.stage) : item.stages[q.stage].status === 'on_time';
        });
      const start = (q.page - 1) * q.pageSize;
      return {
        unitId,
        units,
        from: iso(period.fromMs),
        to: iso(period.toMs),
        asOf: iso(period.asOfMs),
        total: items.length,
        page: q.page,
        pageSize: q.pageSize,
        items: items.slice(start, start + q.pageSize).map(drillItem),
      };
    },
  );
}
