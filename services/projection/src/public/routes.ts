/**
 * Public transparency (no sign-in, Decision 766's publication duty): each competent unit's published figures
 * for a period, and tracking of one dossier by its code and the receipt's tracking secret.
 *
 * - Rate limited per client address (`registerRateLimited` of the service kit), 429 in the common error shape.
 * - No enumeration: a malformed code or secret, a wrong secret (another applicant's code) and an unknown code
 *   all get the same 404 body. The secret is checked first, in constant time, and the read model is only looked
 *   up once it matched, so a code's existence changes neither the answer nor its timing.
 */
import type { Unit } from '@onestop/catalog';
import {
  defineError,
  normalizeTrackingSecret,
  parseDossierCode,
  verifyTrackingSecret,
} from '@onestop/domain';
import {
  type App,
  DEFAULT_PUBLIC_RATE_LIMIT,
  errorResponseSchema,
  registerRateLimited,
} from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ProjectionDeps } from '../app.js';
import { iso, resolvePeriod } from '../kpi/params.js';
import { readProjection, type UnitKpiQuery, unitKpiReport } from '../kpi/report.js';
import { loadDossierEvents } from '../read-model/handler.js';
import { publicDossierView } from './dossier.js';
import {
  PublicDossierResponse,
  PublicPeriodQuery,
  PublicUnitParams,
  PublicUnitResponse,
  PublicUnitsResponse,
} from './schemas.js';

export const PublicDossierNotFound = defineError<{ hint: string }>('PUBLIC_DOSSIER_NOT_FOUND', 'not_found');

// One answer for every failed lookup: it names nothing the caller sent, so all failures are byte-identical.
const notFound = () =>
  PublicDossierNotFound('no dossier matches this code and tracking secret', {
    details: { hint: 'check the dossier code and the tracking secret printed on the receipt (Form 01)' },
  });

const RawLookup = z.object({
  params: z.object({ '*': z.string().max(64) }),
  query: z.object({ secret: z.string().max(64) }),
});

/** The code and canonical secret of a tracking request, or undefined when either cannot be one. */
function lookupOf(request: FastifyRequest): { code: string; secret: string } | undefined {
  const raw = RawLookup.safeParse({ params: request.params, query: request.query });
  if (!raw.success) return undefined;
  const code = raw.data.params['*'];
  const secret = normalizeTrackingSecret(raw.data.query.secret);
  if (secret === undefined) return undefined;
  try {
    parseDossierCode(code);
  } catch {
    return undefined;
  }
  return { code, secret };
}

const DossierCodeRow = z.object({ dossier_id: z.string() });

function publicFigures(unit: Unit, report: Awaited<ReturnType<typeof unitKpiReport>>) {
  return {
    unitId: unit.id,
    code: unit.code,
    name: unit.name,
    kind: unit.kind,
    received: report.received,
    ended: report.ended,
    early: report.early,
    onTime: report.onTime,
    late: report.late,
    inTime: report.inTime,
    overdue: report.overdue,
    onTimeRate: report.onTimeRate,
    avgElapsedWorkingDays: report.avgElapsedWorkingDays,
    rated: report.rated,
    dissatisfied: report.dissatisfied,
    satisfactionRate: report.satisfactionRate,
    feedback: {
      filed: report.feedback.filed,
      answered: report.feedback.answered,
      onTimeRate: report.feedback.onTimeRate,
      satisfactionRate: report.feedback.satisfactionRate,
    },
  };
}

/** The units a citizen can compare: every unit in force now that is competent for some procedure. */
function publishedUnits(deps: ProjectionDeps, now: Date): Unit[] {
  const competent = new Set(deps.catalog.procedures(now).flatMap((p) => p.competentUnitIds));
  return deps.catalog.unitsInForce(now).filter((u) => competent.has(u.id));
}

export async function registerPublicRoutes(app: App, deps: ProjectionDeps): Promise<void> {
  await registerRateLimited(app, deps.publicRateLimit ?? DEFAULT_PUBLIC_RATE_LIMIT, async (scope) => {
    // The same report as `GET /v1/kpi/units/{unitId}` with its defaults: statutory due, judged now, rolled up.
    const report = (unitId: string, query: z.infer<typeof PublicPeriodQuery>, now: Date) => {
      const kpiQuery: UnitKpiQuery = {
        from: query.from,
        to: query.to,
        asOf: undefined,
        due: 'statutory',
        rollup: 'current',
      };
      return unitKpiReport(deps, unitId, kpiQuery, now);
    };

    scope.get(
      '/v1/public/units',
      {
        config: { public: true },
        schema: {
          tags: ['public'],
          summary: 'Published figures of every competent unit (no sign-in)',
          description:
            'For dossiers received in [from, to): received, ended, early / on time / late, open in time / ' +
            'overdue, on-time rate, average working days and satisfaction (766 item 5.4), judged now against ' +
            'the statutory due; for feedback filed in [from, to): filed, answered, handled on time (5.2) and ' +
            'satisfaction (5.3). The same figures as `GET /v1/kpi/units/{unitId}`. Rate limited per address.',
          querystring: PublicPeriodQuery,
          response: { 200: PublicUnitsResponse },
        },
      },
      async (request) => {
        const now = deps.clock.now();
        const units = [];
        for (const unit of publishedUnits(deps, now)) {
          units.push(publicFigures(unit, await report(unit.id, request.query, now)));
        }
        const period = resolvePeriod(request.query, now);
        return { from: iso(period.fromMs), to: iso(period.toMs), asOf: iso(period.asOfMs), units };
      },
    );

    scope.get(
      '/v1/public/units/:unitId',
      {
        config: { public: true },
        schema: {
          tags: ['public'],
          summary: 'Published figures of one unit (no sign-in)',
          description:
            'The figures of `GET /v1/public/units` for one unit (merged predecessors rolled up). ' +
            'CATALOG_UNIT_NOT_FOUND (404) for an unknown unit.',
          params: PublicUnitParams,
          querystring: PublicPeriodQuery,
          response: { 200: PublicUnitResponse },
        },
      },
      async (request) => {
        const now = deps.clock.now();
        const unit = deps.catalog.unit(request.params.unitId);
        const figures = await report(unit.id, request.query, now);
        return { ...publicFigures(unit, figures), from: figures.from, to: figures.to, asOf: figures.asOf };
      },
    );

    scope.get(
      // A wildcard rather than `:code`: an over-long parameter would otherwise be refused by the router with its
      // own status before any check of ours, and every malformed code must look like every other failure.
      '/v1/public/dossiers/*',
      {
        config: { public: true },
        // Before the kit's input guard (preValidation), which would answer text it refuses with a 400 of its own.
        preParsing: async (request) => {
          if (lookupOf(request) === undefined) throw notFound();
        },
        schema: {
          tags: ['public'],
          summary: 'Track a dossier by its code and the receipt’s tracking secret (no sign-in)',
          description:
            'The path ends with the dossier code (`/v1/public/dossiers/{code}`); `secret` is the tracking secret ' +
            'printed on the receipt (Form 01) and in its QR code. Shows the national status, the dues and the ' +
            'steps with their dates, and nothing personal. Any failure — unknown code, wrong secret, malformed ' +
            'input — is the same 404 PUBLIC_DOSSIER_NOT_FOUND. Rate limited per address.',
          params: z.object({ '*': z.string().describe('the dossier code, e.g. 000.00.01.H34-250915-0001') }),
          querystring: z.object({ secret: z.string().describe('12 characters from the receipt') }),
          response: { 200: PublicDossierResponse, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const lookup = lookupOf(request);
        const key = deps.trackingKey;
        if (lookup === undefined || key === undefined) throw notFound();
        if (!verifyTrackingSecret(key, lookup.code, lookup.secret)) throw notFound();
        const now = deps.clock.now();
        const view = await readProjection(deps, async (ctx) => {
          const { rows } = await ctx.tx.query(
            `select dossier_id from ${ctx.tables.dossiers} where dossier_code = $1`,
            [lookup.code],
          );
          const row = rows[0];
          if (row === undefined) return undefined;
          const events = await loadDossierEvents(ctx.tx, ctx.tables, DossierCodeRow.parse(row).dossier_id);
          return publicDossierView(events, { catalog: ctx.catalog, calendar: ctx.calendar, now });
        });
        if (view === undefined) throw notFound();
        return view;
      },
    );
  });
}
