/** Response schemas of the feedback KPIs (OpenAPI at /docs is generated from them). */
import { z } from 'zod';

const rate = z.number().nullable().describe('0–1, null when the denominator is 0');
const pts = z.number().nullable();
const count = z.int().nonnegative();

const StageFigures = z.object({
  onTime: count,
  late: count.describe('done after its due'),
  overdue: count.describe('not done by asOf and past its due'),
  pending: count.describe('not done by asOf, not yet due'),
  onTimeRate: rate.describe('on time ÷ (on time + late + overdue)'),
});

export const FeedbackFiguresSchema = z
  .object({
    filed: count.describe('feedback items filed in [from, to) by asOf, responsible unit in scope'),
    accepted: count,
    refused: count,
    answered: count,
    published: count,
    stages: z.object({
      decision: StageFigures.describe('accept or refuse, 2 working days from filing'),
      infoRequest: StageFigures.describe('ask for information, 5 working days from filing (when asked)'),
      answer: StageFigures.describe('answer, 15 working days from acceptance'),
      publication: StageFigures.describe('publish the answer, 2 working days from the answer'),
    }),
    judged: count.describe('items with at least one stage done or overdue'),
    handledOnTime: count.describe('judged items with no late or overdue stage'),
    delayed: count.describe('items with a late or overdue stage'),
    onTimeRate: rate.describe('5.2: handled on time ÷ judged'),
    rated: count,
    dissatisfied: count.describe('rated dissatisfied by asOf'),
    followedUp: count.describe('followed up by asOf'),
    satisfied: count.describe('no dislike, no follow-up, no delay'),
    satisfactionRate: rate.describe('5.3: satisfied ÷ filed'),
    handlingSatisfactionRate: rate.describe(
      '5.4 with feedback: 1 − ((late dossiers + delayed items) + (dissatisfied dossiers + items disliked or ' +
        'followed up)) ÷ (ended dossiers + items)',
    ),
    points: z.object({
      onTime: pts.describe('5.2 = 6 × onTimeRate; 6 when nothing is judged'),
      satisfaction: pts.describe('5.3 = 6 × satisfactionRate; 6 when there is no feedback'),
      handlingSatisfaction: pts.describe('5.4 = min(6, 6 × r / 0.9), r = handlingSatisfactionRate'),
    }),
  })
  .describe('Feedback (PAKN) figures, Decision 766 items 5.2–5.4');

const StageStatus = z.enum(['on_time', 'late', 'overdue', 'pending', 'none']);

const StageItem = z.object({
  status: StageStatus,
  dueAt: z.string().nullable(),
  doneAt: z.string().nullable(),
});

export const FeedbackDrillItem = z.object({
  feedbackId: z.string(),
  subjectKind: z.enum(['dossier', 'unit', 'procedure']),
  dossierId: z.string().nullable(),
  procedureCode: z.string().nullable(),
  responsibleUnitId: z.string(),
  channel: z.string(),
  category: z.string(),
  filedAt: z.string(),
  decision: z.enum(['accepted', 'refused']).nullable(),
  stages: z.object({
    decision: StageItem,
    infoRequest: StageItem,
    answer: StageItem,
    publication: StageItem,
  }),
  rating: z.enum(['satisfied', 'dissatisfied']).nullable(),
  followedUp: z.boolean(),
  delayed: z.boolean(),
  satisfied: z.boolean().describe('counted as satisfied by 5.3'),
});

export const FeedbackDrillDownResponse = z.object({
  unitId: z.string(),
  units: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  total: count,
  page: z.int().positive(),
  pageSize: z.int().positive(),
  items: z.array(FeedbackDrillItem),
});
