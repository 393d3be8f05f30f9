/** What the feedback routes return: an item folded from its `feedback-{id}` stream, plus its private part. */
import {
  type DossierEvent,
  FEEDBACK_STATUSES,
  FeedbackCategory,
  FeedbackChannel,
  FeedbackRating,
  FeedbackSubject,
} from '@onestop/domain';
import { z } from 'zod';
import { FeedbackContact, type FeedbackPrivate } from '../records/tables.js';

const Stage = z.object({
  at: z.string(),
  by: z.string().describe('officer id'),
  dueAt: z.string(),
  late: z.boolean(),
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
    filedBy: z.string().describe('the clerk who filed it on the citizen’s behalf'),
    decisionDueAt: z.string().describe('accept or refuse by then (2 working days)'),
    accepted: Stage.optional(),
    refused: Stage.extend({ reason: z.string() }).optional(),
    infoRequested: Stage.extend({ reason: z.string() }).optional(),
    answered: Stage.extend({ answer: z.string() }).optional(),
    published: Stage.optional(),
    rating: z.object({ rating: FeedbackRating, at: z.string() }).optional(),
    followedUpAt: z.string().optional(),
    content: z
      .string()
      .optional()
      .describe('what the citizen wrote; only for officers of the responsible unit and admins'),
    contact: FeedbackContact.optional(),
    followUp: z.string().optional().describe('the follow-up text; as content'),
  })
  .meta({ id: 'FeedbackView' });
export type FeedbackView = z.infer<typeof FeedbackView>;

/** The view of an item's events, or undefined for an empty stream (an index row whose filing did not land). */
export function feedbackView(
  history: readonly DossierEvent[],
  privatePart?: FeedbackPrivate,
): FeedbackView | undefined {
  let view: FeedbackView | undefined;
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
  if (view === undefined || privatePart === undefined) return view;
  return {
    ...view,
    content: privatePart.content,
    ...(privatePart.contact === undefined ? {} : { contact: privatePart.contact }),
    ...(privatePart.followUp === undefined ? {} : { followUp: privatePart.followUp }),
  };
}
