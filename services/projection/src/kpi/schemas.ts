/** Response schemas of the KPI routes (OpenAPI at /docs is generated from them). */
import { z } from 'zod';
import { FeedbackFiguresSchema } from '../feedback/schemas.js';
import { LateReasonJson } from '../read-model/summary.js';

const rate = z.number().nullable().describe('0–1, null when the denominator is 0');
const pts = z.number().nullable();
const count = z.int().nonnegative();

export const Figures = z.object({
  received: count,
  ended: count,
  early: count,
  onTime: count,
  late: count,
  open: count,
  inTime: count,
  overdue: count,
  onTimeRate: rate.describe('2.1: (early + on time) ÷ ended'),
  lateWithApology: count,
  lateWithoutApology: count,
  secondSupplementLate: count,
  decided: count,
  stopped: count,
  withdrawn: count,
  extended: count,
  avgElapsedWorkingDays: z.number().nullable().describe('2.2: ended dossiers, working days net of pauses'),
  onlineRate: rate.describe('3.3: online channel ÷ received'),
  digitizationRate: rate.describe(
    '4.2: required components digitized (+ electronic result when due) ÷ received',
  ),
  componentsDigitizedRate: rate,
  reuseRate: rate.describe('4.3: ≥ 1 reused component ÷ received'),
  electronicResultRate: rate.describe(
    '4.1: electronic result ÷ approved dossiers of procedures with a result document',
  ),
  onlinePaymentRate: rate.describe('3.6: paid online ÷ dossiers with a fee'),
  rated: count,
  dissatisfied: count,
  dissatisfiedRate: rate.describe('rated 3 or 4 ÷ ended'),
  satisfactionRate: rate.describe('5.4: r = 1 − (late ÷ ended + dissatisfied ÷ ended)'),
  points: z
    .object({
      progress: pts.describe('2.1 = 20 × onTimeRate'),
      onlineSubmission: pts.describe('3.3, full at ≥ 50 %'),
      onlinePayment: pts.describe('3.6, linear'),
      electronicResult: pts.describe('4.1, linear to 6'),
      digitization: pts.describe('4.2, full at ≥ 80 %'),
      reuse: pts.describe('4.3 = min(2, 2 × rate / 0.8)'),
      satisfaction: pts.describe('5.4 = min(6, 6 × r / 0.9)'),
    })
    .describe('Decision 766 points'),
  intake: z
    .object({
      received: count,
      refused: count,
      guided: count,
      crossBoundary: count,
      crossBoundaryShare: rate,
      transferred: count,
      avgTransferLatencyWorkingHours: z.number().nullable(),
    })
    .describe('intake measures of the unit as receiving unit'),
});

const Source = z
  .enum(['aggregates', 'recomputed'])
  .describe(
    'aggregates: daily counters judged now; recomputed: dossiers replayed from their events up to asOf',
  );

export const UnitKpiResponse = Figures.extend({
  unitId: z.string(),
  units: z.array(z.string()).describe('the unit ids counted (rollup=current adds merged predecessors)'),
  rollup: z.enum(['current', 'historical']),
  due: z.enum(['statutory', 'appointment']),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  source: Source,
  feedback: FeedbackFiguresSchema,
});

export const UnitsKpiResponse = UnitKpiResponse.pick({
  rollup: true,
  due: true,
  from: true,
  to: true,
  asOf: true,
}).extend({
  units: z
    .array(
      UnitKpiResponse.omit({ rollup: true, due: true, from: true, to: true, asOf: true }).extend({
        code: z.string(),
        name: z.string(),
        kind: z.string(),
      }),
    )
    .describe('one row per competent unit, in registry order'),
});

export const UnitProceduresResponse = UnitKpiResponse.pick({
  unitId: true,
  units: true,
  rollup: true,
  due: true,
  from: true,
  to: true,
  asOf: true,
  source: true,
}).extend({
  procedures: z
    .array(Figures.omit({ intake: true }).extend({ procedureCode: z.string(), name: z.string() }))
    .describe('per procedure with dossiers in scope, by code; intake measures are per receiving unit only'),
});

export const DrillItem = z.object({
  dossierId: z.string(),
  dossierCode: z.string(),
  procedureCode: z.string(),
  receivingUnitId: z.string(),
  competentUnitId: z.string(),
  channel: z.string(),
  receivedAt: z.string(),
  startAt: z.string(),
  statutoryDueAt: z.string(),
  appointmentDueAt: z.string(),
  endedAt: z.string().nullable(),
  nationalStatus: z.number(),
  classification: z.string(),
  elapsedWorkingDays: z.number(),
  apologyCount: z.number(),
  lateReasons: z.array(LateReasonJson),
});

export const DrillDownResponse = z.object({
  unitId: z.string(),
  units: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  due: z.enum(['statutory', 'appointment']),
  source: Source,
  total: count,
  page: z.int().positive(),
  pageSize: z.int().positive(),
  items: z.array(DrillItem),
});

export const SeriesResponse = z.object({
  unitId: z.string(),
  units: z.array(z.string()),
  granularity: z.enum(['day', 'month']),
  from: z.string(),
  to: z.string(),
  points: z.array(
    z.object({
      period: z.string(),
      received: count,
      ended: count,
      early: count,
      onTime: count,
      late: count,
      onTimeRate: rate,
      avgElapsedWorkingDays: z.number().nullable(),
    }),
  ),
});

export const ProcedureKpiResponse = z.object({
  procedureCode: z.string(),
  name: z.string(),
  limit: z.object({ value: z.number(), unit: z.string() }),
  from: z.string(),
  to: z.string(),
  received: count,
  ended: count,
  early: count,
  onTime: count,
  late: count,
  onTimeRate: rate,
  avgElapsedWorkingDays: z.number().nullable(),
  p50ElapsedWorkingDays: z.number().nullable(),
  p90ElapsedWorkingDays: z.number().nullable(),
  byUnit: z.array(
    z.object({ unitId: z.string(), received: count, ended: count, late: count, onTimeRate: rate }),
  ),
});
