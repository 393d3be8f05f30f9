/**
 * What the feedback routes return: an item folded from its `feedback-{id}` stream, with the dues of the stages
 * still to come (working days of the calendar the decider uses) and the steps the responsible unit may take now;
 * for its officers, what the filer wrote (read from the filer vault, logged); for the filer on the public pages,
 * the same item without officer ids.
 */
import {
  type Calendar,
  type DossierEvent,
  FEEDBACK_STATUSES,
  FEEDBACK_TIME_LIMITS,
  FeedbackAttachment,
  FeedbackCategory,
  FeedbackChannel,
  FeedbackRating,
  FeedbackSubject,
  feedbackDueAt,
} from '@onestop/domain';
import { z } from 'zod';
import { FeedbackContact, type FilerData } from '../filer/vault.js';

const Stage = z.object({
  at: z.string(),
  by: z.string().describe('officer id'),
  dueAt: z.string(),
  late: z.boolean(),
});

export const FEEDBACK_STAGES = ['decision', 'infoRequest', 'answer', 'publication'] as const;
export const FEEDBACK_ACTIONS = ['accept', 'refuse', 'request-info', 'answer', 'publish'] as const;
export type FeedbackAction = (typeof FEEDBACK_ACTIONS)[number];

const OpenStage = z.object({
  stage: z.enum(FEEDBACK_STAGES),
  dueAt: z
    .string()
    .describe(
      'working days from filing (decision 2, information 5), acceptance (answer 15) or answer (publication 2)',
    ),
});

export const FeedbackView = z
  .object({
    feedbackId: z.uuid(),
    version: z.int().describe('stream version (also the ETag)'),
    status: z.enum(FEEDBACK_STATUSES),
    subject: FeedbackSubject,
    responsibleUnitId: z.string(),
    channel: FeedbackChannel,
    category: FeedbackCategory,
    filerId: z.uuid().describe('pseudonymous'),
    filedAt: z.string(),
    filedBy: z.string().describe('the clerk who filed it on the citizen’s behalf, or citizen-portal'),
    decisionDueAt: z.string().describe('accept or refuse by then (2 working days)'),
    accepted: Stage.optional(),
    refused: Stage.extend({ reason: z.string() }).optional(),
    infoRequested: Stage.extend({ reason: z.string() }).optional(),
    answered: Stage.extend({ answer: z.string() }).optional(),
    published: Stage.optional(),
    rating: z.object({ rating: FeedbackRating, at: z.string() }).optional(),
    followedUpAt: z.string().optional(),
    attachments: z.array(FeedbackAttachment).describe('hash, size and sniffed type of each file'),
    openStages: z
      .array(OpenStage)
      .describe('the stages still to come, with their dues (info request optional)'),
    actions: z.array(z.enum(FEEDBACK_ACTIONS)).describe('what the responsible unit may do now'),
    content: z
      .string()
      .optional()
      .describe(
        'what the citizen wrote; only on GET for officers of the responsible unit and admins (logged)',
      ),
    contact: FeedbackContact.optional(),
    followUp: z.string().optional().describe('the follow-up text; as content'),
    filerDataErasedAt: z.string().optional().describe('when the filer’s data was erased (no content since)'),
  })
  .meta({ id: 'FeedbackView' });
export type FeedbackView = z.infer<typeof FeedbackView>;

type Folded = Omit<FeedbackView, 'openStages' | 'actions'>;

/**
 * The view of an item's events, or undefined for an empty stream (an index row whose filing did not land). Dues
 * of the open stages are computed with `calendar`, as the decider will record them.
 */
export function feedbackView(history: readonly DossierEvent[], calendar: Calendar): FeedbackView | undefined {
  let view: Folded | undefined;
  for (const event of history) {
    if (event.type === 'FeedbackFiled') {
      const { data } = event;
      view = {
        feedbackId: data.feedbackId,
        version: event.streamVersion,
        status: 'filed',
        subject: data.subject,
        responsibleUnitId: data.responsibleUnitId,
        channel: data.channel,
        category: data.category,
        filerId: data.filerId,
        filedAt: event.occurredAt,
        filedBy: event.actor.id,
        decisionDueAt: data.decisionDueAt,
        attachments: data.attachments ?? [],
      };
      continue;
    }
    if (view === undefined) continue;
    const base = { ...view, version: event.streamVersion };
    const stage = (dueAt: string, late: boolean) => ({
      at: event.occurredAt,
      by: event.actor.id,
      dueAt,
      late,
    });
    switch (event.type) {
      case 'FeedbackAccepted':
        view = { ...base, status: 'accepted', accepted: stage(event.data.dueAt, event.data.late) };
        break;
      case 'FeedbackRefused':
        view = {
          ...base,
          status: 'refused',
          refused: { ...stage(event.data.dueAt, event.data.late), reason: event.data.reason },
        };
        break;
      case 'FeedbackInfoRequested':
        view = {
          ...base,
          infoRequested: { ...stage(event.data.dueAt, event.data.late), reason: event.data.reason },
        };
        break;
      case 'FeedbackAnswered':
        view = {
          ...base,
          status: 'answered',
          answered: { ...stage(event.data.dueAt, event.data.late), answer: event.data.answer },
        };
        break;
      case 'FeedbackPublished':
        view = { ...base, status: 'published', published: stage(event.data.dueAt, event.data.late) };
        break;
      case 'FeedbackRated':
        view = { ...base, rating: { rating: event.data.rating, at: event.occurredAt } };
        break;
      case 'FeedbackFollowedUp':
        view = { ...base, followedUpAt: event.occurredAt };
        break;
      default:
        view = base;
    }
  }
  return view === undefined ? undefined : { ...view, ...pending(view, calendar) };
}

/** The stages still to come and the unit's possible steps: the decider's rules, read from the status. */
function pending(view: Folded, calendar: Calendar): Pick<FeedbackView, 'openStages' | 'actions'> {
  const due = (from: string, days: number) =>
    feedbackDueAt(calendar, from, days, view.responsibleUnitId).toISOString();
  const canAskInfo =
    view.infoRequested === undefined && (view.status === 'filed' || view.status === 'accepted');
  const info = canAskInfo
    ? [{ stage: 'infoRequest' as const, dueAt: due(view.filedAt, FEEDBACK_TIME_LIMITS.infoRequest) }]
    : [];
  const askInfo: FeedbackAction[] = canAskInfo ? ['request-info'] : [];
  switch (view.status) {
    case 'filed':
      return {
        openStages: [{ stage: 'decision', dueAt: view.decisionDueAt }, ...info],
        actions: ['accept', 'refuse', ...askInfo],
      };
    case 'accepted':
      return {
        openStages: [
          ...info,
          { stage: 'answer', dueAt: due(view.accepted?.at ?? view.filedAt, FEEDBACK_TIME_LIMITS.answer) },
        ],
        actions: [...askInfo, 'answer'],
      };
    case 'answered':
      return {
        openStages: [
          {
            stage: 'publication',
            dueAt: due(view.answered?.at ?? view.filedAt, FEEDBACK_TIME_LIMITS.publication),
          },
        ],
        actions: ['publish'],
      };
    default:
      return { openStages: [], actions: [] };
  }
}

/** The view with what the filer wrote, or with the instant their data was erased. */
export function withFilerData(view: FeedbackView, filer: FilerData | { erasedAt: string }): FeedbackView {
  if ('erasedAt' in filer) return { ...view, filerDataErasedAt: filer.erasedAt };
  return {
    ...view,
    content: filer.content,
    ...(filer.contact === undefined ? {} : { contact: filer.contact }),
    ...(filer.followUp === undefined ? {} : { followUp: filer.followUp }),
  };
}

const PublicStage = z.object({ at: z.string(), dueAt: z.string(), late: z.boolean() });

/** What the filer sees with the reference and follow-up secret: the item's progress, no officer ids. */
export const PublicFeedbackView = z
  .object({
    reference: z.uuid().describe('the feedback id given at filing'),
    status: z.enum(FEEDBACK_STATUSES),
    category: FeedbackCategory,
    subject: z.object({
      kind: z.enum(['dossier', 'unit', 'procedure']),
      dossierCode: z.string().optional(),
      unitId: z.string().optional(),
      procedureCode: z.string().optional(),
    }),
    responsibleUnitId: z.string(),
    filedAt: z.string(),
    decisionDueAt: z.string(),
    accepted: PublicStage.optional(),
    refused: PublicStage.extend({ reason: z.string() }).optional(),
    infoRequested: PublicStage.extend({
      reason: z.string().describe('what the unit asks the filer for'),
    }).optional(),
    answered: PublicStage.extend({ answer: z.string() }).optional(),
    published: PublicStage.optional(),
    rating: FeedbackRating.optional(),
    followedUp: z.boolean(),
    attachmentCount: z.int(),
    openStages: z.array(OpenStage),
    canRate: z.boolean().describe('the answer may be rated now (once)'),
    canFollowUp: z.boolean().describe('a follow-up may be sent now (once)'),
  })
  .meta({ id: 'PublicFeedbackView' });
export type PublicFeedbackView = z.infer<typeof PublicFeedbackView>;

export function publicFeedbackView(view: FeedbackView): PublicFeedbackView {
  const stage = (s: { at: string; dueAt: string; late: boolean }) => ({
    at: s.at,
    dueAt: s.dueAt,
    late: s.late,
  });
  const { subject, accepted, refused, infoRequested, answered, published } = view;
  const hasAnswer = view.status === 'answered' || view.status === 'published';
  return {
    reference: view.feedbackId,
    status: view.status,
    category: view.category,
    subject:
      subject.kind === 'dossier'
        ? { kind: 'dossier', dossierCode: subject.dossierCode }
        : subject.kind === 'unit'
          ? { kind: 'unit', unitId: subject.unitId }
          : { kind: 'procedure', procedureCode: subject.procedureCode },
    responsibleUnitId: view.responsibleUnitId,
    filedAt: view.filedAt,
    decisionDueAt: view.decisionDueAt,
    ...(accepted === undefined ? {} : { accepted: stage(accepted) }),
    ...(refused === undefined ? {} : { refused: { ...stage(refused), reason: refused.reason } }),
    ...(infoRequested === undefined
      ? {}
      : { infoRequested: { ...stage(infoRequested), reason: infoRequested.reason } }),
    ...(answered === undefined ? {} : { answered: { ...stage(answered), answer: answered.answer } }),
    ...(published === undefined ? {} : { published: stage(published) }),
    ...(view.rating === undefined ? {} : { rating: view.rating.rating }),
    followedUp: view.followedUpAt !== undefined,
    attachmentCount: view.attachments.length,
    openStages: view.openStages,
    canRate: hasAnswer && view.rating === undefined,
    canFollowUp: hasAnswer && view.followedUpAt === undefined,
  };
}
