/**
 * Feedback item (PAKN, stream `feedback-{feedbackId}`): filed → accepted or refused → answered → published; the
 * unit may ask for more information before answering; the filer may rate the answer once and follow up once.
 *
 * Each stage with a time limit (FEEDBACK_TIME_LIMITS) records its due and whether it was late. The decider
 * computes the dues itself from the instants in its own history and the calendar it was built with: they are
 * facts of this aggregate alone, so no handler needs to pass them in. A late stage is still recorded (a late
 * answer is better than none); lateness is what KPI 5.2 counts.
 */
import { z } from 'zod';
import { type Calendar, computeDueAt, vnCivilServiceCalendar } from '../clock/index.js';
import { defineError } from '../errors.js';
import {
  FEEDBACK_TIME_LIMITS,
  FeedbackAttachment,
  FeedbackCategory,
  FeedbackChannel,
  type FeedbackRating,
  FeedbackRating as FeedbackRatingSchema,
  FeedbackSubject,
  MAX_FEEDBACK_ATTACHMENTS,
  Reason,
  UnitId,
  Uuid,
} from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import { CommandBase, type DecidedEvent, type Decider, emit } from './decider.js';

export const FileFeedback = z.object({
  type: z.literal('FileFeedback'),
  ...CommandBase,
  feedbackId: Uuid,
  subject: FeedbackSubject,
  /** Derived by the handler from the subject (a dossier's competent unit, the unit, the procedure's unit). */
  responsibleUnitId: UnitId,
  channel: FeedbackChannel,
  category: FeedbackCategory,
  filerId: Uuid,
  attachments: z.array(FeedbackAttachment).max(MAX_FEEDBACK_ATTACHMENTS).default([]),
});
export const AcceptFeedback = z.object({ type: z.literal('AcceptFeedback'), ...CommandBase });
export const RefuseFeedback = z.object({ type: z.literal('RefuseFeedback'), ...CommandBase, reason: Reason });
export const RequestFeedbackInfo = z.object({
  type: z.literal('RequestFeedbackInfo'),
  ...CommandBase,
  reason: Reason,
});
export const AnswerFeedback = z.object({
  type: z.literal('AnswerFeedback'),
  ...CommandBase,
  answer: z.string().trim().min(1).max(8000),
});
export const PublishFeedbackAnswer = z.object({ type: z.literal('PublishFeedbackAnswer'), ...CommandBase });
export const RateFeedbackAnswer = z.object({
  type: z.literal('RateFeedbackAnswer'),
  ...CommandBase,
  rating: FeedbackRatingSchema,
});
export const FollowUpFeedback = z.object({ type: z.literal('FollowUpFeedback'), ...CommandBase });

export const FeedbackCommand = z.discriminatedUnion('type', [
  FileFeedback,
  AcceptFeedback,
  RefuseFeedback,
  RequestFeedbackInfo,
  AnswerFeedback,
  PublishFeedbackAnswer,
  RateFeedbackAnswer,
  FollowUpFeedback,
]);
export type FeedbackCommand = z.input<typeof FeedbackCommand>;

export type FeedbackEvent = DecidedEvent<
  | 'FeedbackFiled'
  | 'FeedbackAccepted'
  | 'FeedbackRefused'
  | 'FeedbackInfoRequested'
  | 'FeedbackAnswered'
  | 'FeedbackPublished'
  | 'FeedbackRated'
  | 'FeedbackFollowedUp'
>;

export const FEEDBACK_STATUSES = ['filed', 'accepted', 'refused', 'answered', 'published'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export interface OpenFeedback {
  readonly status: FeedbackStatus;
  readonly feedbackId: string;
  readonly responsibleUnitId: string;
  readonly filedAt: string;
  /** When the current status was entered: the answer is due from acceptance, publication from the answer. */
  readonly since: string;
  readonly infoRequestedAt?: string;
  readonly rating?: FeedbackRating;
  readonly followedUp: boolean;
}

export type FeedbackState = { readonly status: 'none' } | OpenFeedback;

/** The command does not fit the item's status (409, like DOM_INVALID_TRANSITION for dossiers). */
export const FeedbackInvalidTransition = defineError<{
  readonly command: string;
  readonly currentStatus: FeedbackStatus | 'none';
  readonly reason?: string;
}>('DOM_FEEDBACK_INVALID_TRANSITION', 'conflict');

function invalid(command: string, state: FeedbackState, reason: string) {
  const where = state.status === 'none' ? 'no feedback has been filed' : `the feedback is ${state.status}`;
  return FeedbackInvalidTransition(`cannot ${command}: ${where}; ${reason}`, {
    details: { command, currentStatus: state.status, reason },
  });
}

function requireStatus(
  command: string,
  state: FeedbackState,
  allowed: readonly FeedbackStatus[],
  reason: string,
): OpenFeedback {
  if (state.status === 'none' || !allowed.includes(state.status)) throw invalid(command, state, reason);
  return state;
}

/**
 * `days` working days of the responsible unit's hours after `from`: the due of a feedback stage (the decider
 * records it on the stage's event; readers use it for the stages still to come).
 */
export function feedbackDueAt(calendar: Calendar, from: string | Date, days: number, unitId: string): Date {
  return computeDueAt({
    receivedAt: new Date(from),
    limit: { value: days, unit: 'working_days' },
    calendar,
    workingHours: calendar.workingHoursFor(unitId),
  }).dueAt;
}

export interface FeedbackDeciderOptions {
  /** The working-day calendar of every due (default: the Vietnamese civil-service calendar). */
  readonly calendar?: Calendar;
}

export function createFeedbackDecider(
  options: FeedbackDeciderOptions = {},
): Decider<FeedbackCommand, FeedbackState, FeedbackEvent> {
  const calendar = options.calendar ?? vnCivilServiceCalendar;

  /** The stage's due, and whether `now` is past it. */
  const deadline = (from: string | Date, days: number, unitId: string, now: Date) => {
    const dueAt = feedbackDueAt(calendar, from, days, unitId);
    return { dueAt: dueAt.toISOString(), late: now.getTime() > dueAt.getTime() };
  };

  function decide(input: FeedbackCommand, state: FeedbackState): FeedbackEvent[] {
    const command = parseOrThrow(FeedbackCommand, input, 'feedback command');
    const { now } = command;
    switch (command.type) {
      case 'FileFeedback': {
        if (state.status !== 'none') throw invalid(command.type, state, 'it was filed already');
        const decision = deadline(now, FEEDBACK_TIME_LIMITS.decision, command.responsibleUnitId, now);
        return [
          emit(
            'FeedbackFiled',
            {
              feedbackId: command.feedbackId,
              subject: command.subject,
              responsibleUnitId: command.responsibleUnitId,
              channel: command.channel,
              category: command.category,
              filerId: command.filerId,
              ...(command.attachments.length === 0 ? {} : { attachments: command.attachments }),
              decisionDueAt: decision.dueAt,
              calendarVersion: calendar.version,
            },
            command,
          ),
        ];
      }

      // Accepting and refusing are the one decision on receipt; both are due 2 working days after filing, so
      // a unit cannot escape the refusal deadline by accepting late.
      case 'AcceptFeedback': {
        const open = requireStatus(command.type, state, ['filed'], 'only filed feedback is accepted');
        const due = deadline(open.filedAt, FEEDBACK_TIME_LIMITS.decision, open.responsibleUnitId, now);
        return [emit('FeedbackAccepted', { feedbackId: open.feedbackId, ...due }, command)];
      }
      case 'RefuseFeedback': {
        const open = requireStatus(command.type, state, ['filed'], 'only filed feedback is refused');
        const due = deadline(open.filedAt, FEEDBACK_TIME_LIMITS.decision, open.responsibleUnitId, now);
        return [
          emit('FeedbackRefused', { feedbackId: open.feedbackId, reason: command.reason, ...due }, command),
        ];
      }

      case 'RequestFeedbackInfo': {
        const open = requireStatus(
          command.type,
          state,
          ['filed', 'accepted'],
          'information is asked for before the answer',
        );
        if (open.infoRequestedAt !== undefined) {
          throw invalid(command.type, state, `information was asked for already at ${open.infoRequestedAt}`);
        }
        const due = deadline(open.filedAt, FEEDBACK_TIME_LIMITS.infoRequest, open.responsibleUnitId, now);
        return [
          emit(
            'FeedbackInfoRequested',
            { feedbackId: open.feedbackId, reason: command.reason, ...due },
            command,
          ),
        ];
      }

      case 'AnswerFeedback': {
        const open = requireStatus(command.type, state, ['accepted'], 'only accepted feedback is answered');
        const due = deadline(open.since, FEEDBACK_TIME_LIMITS.answer, open.responsibleUnitId, now);
        return [
          emit('FeedbackAnswered', { feedbackId: open.feedbackId, answer: command.answer, ...due }, command),
        ];
      }

      case 'PublishFeedbackAnswer': {
        const open = requireStatus(command.type, state, ['answered'], 'only an answer not yet published is');
        const due = deadline(open.since, FEEDBACK_TIME_LIMITS.publication, open.responsibleUnitId, now);
        return [emit('FeedbackPublished', { feedbackId: open.feedbackId, ...due }, command)];
      }

      case 'RateFeedbackAnswer': {
        const open = requireStatus(command.type, state, ['answered', 'published'], 'only an answer is rated');
        if (open.rating !== undefined) throw invalid(command.type, state, `already rated ${open.rating}`);
        return [emit('FeedbackRated', { feedbackId: open.feedbackId, rating: command.rating }, command)];
      }

      case 'FollowUpFeedback': {
        const open = requireStatus(
          command.type,
          state,
          ['answered', 'published'],
          'a follow-up is about an answer',
        );
        if (open.followedUp) throw invalid(command.type, state, 'already followed up');
        return [emit('FeedbackFollowedUp', { feedbackId: open.feedbackId }, command)];
      }
    }
  }

  function evolve(state: FeedbackState, event: FeedbackEvent): FeedbackState {
    if (event.type === 'FeedbackFiled') {
      return {
        status: 'filed',
        feedbackId: event.data.feedbackId,
        responsibleUnitId: event.data.responsibleUnitId,
        filedAt: event.occurredAt,
        since: event.occurredAt,
        followedUp: false,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'FeedbackAccepted':
        return { ...state, status: 'accepted', since: event.occurredAt };
      case 'FeedbackRefused':
        return { ...state, status: 'refused', since: event.occurredAt };
      case 'FeedbackInfoRequested':
        return { ...state, infoRequestedAt: event.occurredAt };
      case 'FeedbackAnswered':
        return { ...state, status: 'answered', since: event.occurredAt };
      case 'FeedbackPublished':
        return { ...state, status: 'published', since: event.occurredAt };
      case 'FeedbackRated':
        return { ...state, rating: event.data.rating };
      case 'FeedbackFollowedUp':
        return { ...state, followedUp: true };
    }
  }

  return { decide, evolve, initialState: () => ({ status: 'none' }) };
}

/** The feedback decider on the Vietnamese civil-service calendar. */
export const feedbackDecider = createFeedbackDecider();
