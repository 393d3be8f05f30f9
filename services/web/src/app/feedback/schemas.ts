/** What the feedback routes answer (`/v1/feedback…`, `/v1/public/feedback…`), parsed before use. */
import { z } from 'zod';

export const FEEDBACK_STAGES = ['decision', 'infoRequest', 'answer', 'publication'] as const;
export type FeedbackStage = (typeof FEEDBACK_STAGES)[number];
export const FEEDBACK_ACTIONS = ['accept', 'refuse', 'request-info', 'answer', 'publish'] as const;
export type FeedbackAction = (typeof FEEDBACK_ACTIONS)[number];

const OpenStage = z.looseObject({ stage: z.enum(FEEDBACK_STAGES), dueAt: z.string() });
const Done = z.looseObject({ at: z.string(), dueAt: z.string(), late: z.boolean() });
/** The stages done so far, the same in the officers' view and the public one. */
const doneStages = {
  accepted: Done.optional(),
  refused: Done.extend({ reason: z.string() }).optional(),
  infoRequested: Done.extend({ reason: z.string() }).optional(),
  answered: Done.extend({ answer: z.string() }).optional(),
  published: Done.optional(),
};
const Subject = z.looseObject({
  kind: z.enum(['dossier', 'unit', 'procedure']),
  dossierCode: z.string().optional(),
  unitId: z.string().optional(),
  procedureCode: z.string().optional(),
});

export const FeedbackItem = z.looseObject({
  feedbackId: z.string(),
  version: z.number(),
  status: z.string(),
  subject: Subject,
  responsibleUnitId: z.string(),
  channel: z.string(),
  category: z.string(),
  filedAt: z.string(),
  filedBy: z.string(),
  decisionDueAt: z.string(),
  ...doneStages,
  rating: z.looseObject({ rating: z.string(), at: z.string() }).optional(),
  followedUpAt: z.string().optional(),
  attachments: z.array(z.looseObject({ sha256: z.string(), sizeBytes: z.number(), mediaType: z.string() })),
  openStages: z.array(OpenStage),
  actions: z.array(z.enum(FEEDBACK_ACTIONS)),
  content: z.string().optional(),
  contact: z
    .looseObject({ name: z.string().optional(), phone: z.string().optional(), email: z.string().optional() })
    .optional(),
  followUp: z.string().optional(),
  filerDataErasedAt: z.string().optional(),
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const FeedbackList = z.looseObject({ items: z.array(FeedbackItem) });

export const PublicFeedback = z.looseObject({
  reference: z.string(),
  status: z.string(),
  category: z.string(),
  subject: Subject,
  responsibleUnitId: z.string(),
  filedAt: z.string(),
  decisionDueAt: z.string(),
  ...doneStages,
  rating: z.string().optional(),
  followedUp: z.boolean(),
  attachmentCount: z.number(),
  openStages: z.array(OpenStage),
  canRate: z.boolean(),
  canFollowUp: z.boolean(),
});
export type PublicFeedback = z.infer<typeof PublicFeedback>;

export const PublicFiled = z.looseObject({
  reference: z.string(),
  followUpSecret: z.string(),
  statusPath: z.string(),
  feedback: PublicFeedback,
});
export type PublicFiled = z.infer<typeof PublicFiled>;

/** What each stage of an item looks like on screen: done (when, late or not) or still open (due by). */
export interface StageRow {
  readonly stage: FeedbackStage;
  readonly dueAt: string;
  readonly doneAt?: string;
  readonly late?: boolean;
}

/** The stages done (from the item's steps) and those still to come, in their legal order. */
export function stagesOf(item: {
  accepted?: { at: string; dueAt: string; late: boolean } | undefined;
  refused?: { at: string; dueAt: string; late: boolean } | undefined;
  infoRequested?: { at: string; dueAt: string; late: boolean } | undefined;
  answered?: { at: string; dueAt: string; late: boolean } | undefined;
  published?: { at: string; dueAt: string; late: boolean } | undefined;
  openStages: readonly { stage: FeedbackStage; dueAt: string }[];
}): StageRow[] {
  const done = (stage: FeedbackStage, step: { at: string; dueAt: string; late: boolean } | undefined) =>
    step === undefined ? [] : [{ stage, dueAt: step.dueAt, doneAt: step.at, late: step.late }];
  const rows: StageRow[] = [
    ...done('decision', item.accepted ?? item.refused),
    ...done('infoRequest', item.infoRequested),
    ...done('answer', item.answered),
    ...done('publication', item.published),
    ...item.openStages.map((s) => ({ stage: s.stage, dueAt: s.dueAt })),
  ];
  return rows.sort((a, b) => FEEDBACK_STAGES.indexOf(a.stage) - FEEDBACK_STAGES.indexOf(b.stage));
}

const HOUR = 3_600_000;

/** How an open due stands at `nowMs`: past it (late), within a day (due soon), or in time. */
export function urgency(dueAt: string, nowMs: number): 'late' | 'soon' | 'ok' {
  const left = Date.parse(dueAt) - nowMs;
  if (left < 0) return 'late';
  return left < 24 * HOUR ? 'soon' : 'ok';
}
