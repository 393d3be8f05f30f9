/** Request and response schemas of the public (no sign-in) routes; OpenAPI at /docs is generated from them. */
import { z } from 'zod';

const rate = z.number().nullable().describe('0–1, null when the denominator is 0');
const count = z.int().nonnegative();

export const PublicPeriodQuery = z.object({
  from: z.iso
    .date()
    .optional()
    .describe('received from this local (Vietnam) date, inclusive; default 2000-01-01'),
  to: z.iso.date().optional().describe('received before this local date, exclusive; default tomorrow'),
});

export const PublicUnitParams = z.object({
  unitId: z.string().min(1).max(64).describe('unit id from the registry'),
});

/** A unit's published feedback (PAKN) figures: a subset of the KPI API's `feedback`, under the same names. */
export const PublicFeedbackFigures = z
  .object({
    filed: count.describe('feedback items filed in [from, to), the unit responsible'),
    answered: count.describe('of them, answered by now'),
    onTimeRate: rate.describe('766 item 5.2: items handled with no late or overdue stage ÷ items judged'),
    satisfactionRate: rate.describe('766 item 5.3: items with no dislike, follow-up or delay ÷ items filed'),
  })
  .describe('Feedback (PAKN) figures, the same as `feedback` of `GET /v1/kpi/units/{unitId}`');

/**
 * A unit's published figures: the same numbers as `GET /v1/kpi/units/{unitId}` (statutory due, judged now,
 * merged predecessors rolled up), its feedback figures included.
 */
export const PublicUnitFigures = z.object({
  unitId: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  received: count,
  ended: count,
  early: count,
  onTime: count,
  late: count,
  inTime: count,
  overdue: count,
  onTimeRate: rate.describe('(early + on time) ÷ ended'),
  avgElapsedWorkingDays: z.number().nullable(),
  rated: count,
  dissatisfied: count,
  satisfactionRate: rate.describe('766 item 5.4: 1 − (late ÷ ended + dissatisfied ÷ ended)'),
  feedback: PublicFeedbackFigures,
});

export const PublicUnitResponse = PublicUnitFigures.extend({
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
});

export const PublicUnitsResponse = z.object({
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  units: z.array(PublicUnitFigures),
});

export const PublicDossierResponse = z.object({
  dossierCode: z.string(),
  procedure: z.object({ code: z.string(), name: z.string() }),
  receivingUnitName: z.string(),
  competentUnitName: z.string(),
  nationalStatus: z
    .object({ code: z.int(), label: z.string(), labelEn: z.string() })
    .describe('national (DVCQG) status code now, with its Vietnamese label'),
  receivedAt: z.string(),
  statutoryDueAt: z.string().describe('due under the procedure’s limit, moved by pauses'),
  appointmentDueAt: z.string().describe('the latest appointment (Form 04), else the statutory due'),
  endedAt: z.string().nullable(),
  progress: z.object({
    classification: z.enum(['early', 'on_time', 'late', 'in_time', 'overdue']),
    label: z.string(),
  }),
  steps: z.array(
    z.object({
      type: z.string(),
      label: z.string().describe('Vietnamese'),
      detail: z.string().nullable().describe('the internal process step, where there is one'),
      at: z.string(),
      unitName: z.string().nullable().describe('the agency that took the step'),
      nationalStatus: z.int().nullable(),
    }),
  ),
  asOf: z.string(),
});
