import { describe, expect, it } from 'vitest';
import { createCalendar, vnCivilServiceCalendar, vnCivilServiceCalendarData } from '../clock/index.js';
import { ValidationFailed } from '../errors.js';
import type { Actor, EventData } from '../events/index.js';
import type { Decided } from './decider.js';
import {
  createFeedbackDecider,
  type FeedbackCommand,
  type FeedbackEvent,
  type FeedbackStatus,
  feedbackDecider,
} from './feedback.js';
import { specify } from './spec.js';

const spec = specify(feedbackDecider);

/** Business instants in Asia/Ho_Chi_Minh (UTC+7). */
const vn = (local: string) => new Date(`${local}+07:00`);
const iso = (local: string) => vn(local).toISOString();

const feedbackId = '0195a1b2-0000-7000-8000-00000000fb01';
const filerId = '0195a1b2-0000-4000-8000-00000000f1e1';
const unit = 'kh.so-tu-phap';
const clerk: Actor = { id: 'clerk-1', role: 'clerk', unitId: 'kh.ttpvhcc' };
const officer: Actor = { id: 'specialist-1', role: 'specialist', unitId: unit };

// Filed Monday 9 March 2026, 09:00; March 2026 has no day off on a weekday.
const FILED = '2026-03-09T09:00:00';
const ACCEPTED = '2026-03-10T10:00:00';
const ANSWERED = '2026-03-20T15:00:00';

function event<T extends FeedbackEvent['type']>(
  type: T,
  data: EventData<T>,
  local: string,
  actor: Actor = officer,
): Decided<T> {
  return { type, data, occurredAt: iso(local), actor };
}

const filed = event(
  'FeedbackFiled',
  {
    feedbackId,
    subject: { kind: 'unit', unitId: unit },
    responsibleUnitId: unit,
    channel: 'phone',
    category: 'report',
    filerId,
    decisionDueAt: iso('2026-03-11T09:00:00'),
    calendarVersion: vnCivilServiceCalendar.version,
  },
  FILED,
  clerk,
);
const accepted = event(
  'FeedbackAccepted',
  { feedbackId, dueAt: iso('2026-03-11T09:00:00'), late: false },
  ACCEPTED,
);
const answered = event(
  'FeedbackAnswered',
  { feedbackId, answer: 'The fee was refunded.', dueAt: iso('2026-03-31T10:00:00'), late: false },
  ANSWERED,
);
const published = event(
  'FeedbackPublished',
  { feedbackId, dueAt: iso('2026-03-24T15:00:00'), late: false },
  '2026-03-23T08:00:00',
);

const HISTORY = {
  none: [],
  filed: [filed],
  refused: [
    filed,
    event(
      'FeedbackRefused',
      { feedbackId, reason: 'not a matter of this unit', dueAt: iso('2026-03-11T09:00:00'), late: false },
      ACCEPTED,
    ),
  ],
  accepted: [filed, accepted],
  answered: [filed, accepted, answered],
  published: [filed, accepted, answered, published],
} as const satisfies Record<FeedbackStatus | 'none', readonly FeedbackEvent[]>;
type Stage = keyof typeof HISTORY;
const STAGES = Object.keys(HISTORY) as Stage[];

const at = (local: string, actor: Actor = officer) => ({ now: vn(local), actor });

const COMMANDS: ReadonlyArray<{ command: FeedbackCommand; allowedIn: readonly Stage[] }> = [
  {
    command: {
      type: 'FileFeedback',
      ...at(FILED, clerk),
      feedbackId,
      subject: { kind: 'unit', unitId: unit },
      responsibleUnitId: unit,
      channel: 'phone',
      category: 'report',
      filerId,
    },
    allowedIn: ['none'],
  },
  { command: { type: 'AcceptFeedback', ...at('2026-03-10T10:00:00') }, allowedIn: ['filed'] },
  { command: { type: 'RefuseFeedback', ...at('2026-03-10T10:00:00'), reason: 'x' }, allowedIn: ['filed'] },
  {
    command: { type: 'RequestFeedbackInfo', ...at('2026-03-12T10:00:00'), reason: 'which dossier?' },
    allowedIn: ['filed', 'accepted'],
  },
  {
    command: { type: 'AnswerFeedback', ...at('2026-03-20T15:00:00'), answer: 'done' },
    allowedIn: ['accepted'],
  },
  { command: { type: 'PublishFeedbackAnswer', ...at('2026-03-23T08:00:00') }, allowedIn: ['answered'] },
  {
    command: { type: 'RateFeedbackAnswer', ...at('2026-03-25T08:00:00', clerk), rating: 'satisfied' },
    allowedIn: ['answered', 'published'],
  },
  {
    command: { type: 'FollowUpFeedback', ...at('2026-03-25T08:00:00', clerk) },
    allowedIn: ['answered', 'published'],
  },
];

describe('feedback decider: the transitions', () => {
  const cases = COMMANDS.flatMap(({ command, allowedIn }) =>
    STAGES.map((stage) => ({ name: command.type, command, stage, allowed: allowedIn.includes(stage) })),
  );

  it.each(cases.filter((c) => c.allowed))(
    'given $stage, when $name, then one event is recorded',
    ({ command, stage }) => {
      const emitted = feedbackDecider.decide(
        command,
        HISTORY[stage].reduce(feedbackDecider.evolve, feedbackDecider.initialState()),
      );
      expect(emitted).toHaveLength(1);
      expect(emitted[0]?.data.feedbackId).toBe(feedbackId);
      expect(emitted[0]?.occurredAt).toBe(command.now.toISOString());
    },
  );

  it.each(cases.filter((c) => !c.allowed))(
    'given $stage, when $name, then DOM_FEEDBACK_INVALID_TRANSITION names the status',
    ({ command, stage }) => {
      const error = spec
        .given(HISTORY[stage])
        .when(command)
        .thenThrows({ code: 'DOM_FEEDBACK_INVALID_TRANSITION', details: { currentStatus: stage } });
      expect(error.details).toMatchObject({ command: command.type });
    },
  );

  it('given a filing, then the event records the subject, unit, pseudonymous filer and the decision due', () => {
    spec
      .given([])
      .when(COMMANDS[0]?.command ?? fail())
      .thenEmits([filed]);
  });

  it('given a filing with attachments, then the event records each one by hash, size and type only', () => {
    const attachment = { sha256: 'ab'.repeat(32), sizeBytes: 2048, mediaType: 'image/png' } as const;
    const command = COMMANDS[0]?.command ?? fail();
    spec
      .given([])
      .when({ ...command, attachments: [attachment] } as FeedbackCommand)
      .thenEmits([{ ...filed, data: { ...filed.data, attachments: [attachment] } }]);
  });

  it('given a full history, then the state follows each step', () => {
    const rated = event(
      'FeedbackRated',
      { feedbackId, rating: 'dissatisfied' },
      '2026-03-25T08:00:00',
      clerk,
    );
    const followedUp = event('FeedbackFollowedUp', { feedbackId }, '2026-03-25T09:00:00', clerk);
    const state = [...HISTORY.published, rated, followedUp].reduce(
      feedbackDecider.evolve,
      feedbackDecider.initialState(),
    );
    expect(state).toEqual({
      status: 'published',
      feedbackId,
      responsibleUnitId: unit,
      filedAt: iso(FILED),
      since: iso('2026-03-23T08:00:00'),
      rating: 'dissatisfied',
      followedUp: true,
    });
  });
});

describe('feedback decider: deadlines (working days, VN calendar)', () => {
  it('given filing Mon 09:00, when accepted Tue, then the decision was due Wed 09:00 and is on time', () => {
    spec
      .given(HISTORY.filed)
      .when({ type: 'AcceptFeedback', ...at(ACCEPTED) })
      .thenEmits([accepted]);
  });

  it('given filing Mon 09:00, when refused exactly at Wed 09:00, then it is on time', () => {
    spec
      .given(HISTORY.filed)
      .when({ type: 'RefuseFeedback', ...at('2026-03-11T09:00:00'), reason: 'out of scope' })
      .thenEmits([
        event(
          'FeedbackRefused',
          { feedbackId, reason: 'out of scope', dueAt: iso('2026-03-11T09:00:00'), late: false },
          '2026-03-11T09:00:00',
        ),
      ]);
  });

  it('given filing Mon 09:00, when refused Wed 09:01, then the refusal is recorded late', () => {
    spec
      .given(HISTORY.filed)
      .when({ type: 'RefuseFeedback', ...at('2026-03-11T09:01:00'), reason: 'out of scope' })
      .thenEmits([
        event(
          'FeedbackRefused',
          { feedbackId, reason: 'out of scope', dueAt: iso('2026-03-11T09:00:00'), late: true },
          '2026-03-11T09:01:00',
        ),
      ]);
  });

  it('given filing Mon 09:00, when accepted the next Monday, then the acceptance is late too', () => {
    const [emitted] = feedbackDecider.decide(
      { type: 'AcceptFeedback', ...at('2026-03-16T08:00:00') },
      feedbackDecider.evolve(feedbackDecider.initialState(), filed),
    );
    expect(emitted?.data).toEqual({ feedbackId, dueAt: iso('2026-03-11T09:00:00'), late: true });
  });

  it('given filing Mon 09:00, then information may be asked for until Mon 09:00 a week later', () => {
    const ask = (local: string) =>
      feedbackDecider.decide(
        { type: 'RequestFeedbackInfo', ...at(local), reason: 'which dossier?' },
        HISTORY.accepted.reduce(feedbackDecider.evolve, feedbackDecider.initialState()),
      )[0]?.data;
    expect(ask('2026-03-16T09:00:00')).toEqual({
      feedbackId,
      reason: 'which dossier?',
      dueAt: iso('2026-03-16T09:00:00'),
      late: false,
    });
    expect(ask('2026-03-16T09:30:00')).toMatchObject({ late: true });
  });

  it('given acceptance Tue 10 Mar 10:00, then the answer is due 15 working days later, Tue 31 Mar 10:00', () => {
    spec
      .given(HISTORY.accepted)
      .when({ type: 'AnswerFeedback', ...at(ANSWERED), answer: 'The fee was refunded.' })
      .thenEmits([answered]);
  });

  it('given acceptance Tue 10 Mar 10:00, when answered Wed 1 Apr, then the answer is recorded late', () => {
    spec
      .given(HISTORY.accepted)
      .when({ type: 'AnswerFeedback', ...at('2026-04-01T08:00:00'), answer: 'Late, sorry.' })
      .thenEmits([
        event(
          'FeedbackAnswered',
          { feedbackId, answer: 'Late, sorry.', dueAt: iso('2026-03-31T10:00:00'), late: true },
          '2026-04-01T08:00:00',
        ),
      ]);
  });

  it('given an answer Fri 20 Mar 15:00, then publication is due Tue 24 Mar 15:00 (over the weekend)', () => {
    spec
      .given(HISTORY.answered)
      .when({ type: 'PublishFeedbackAnswer', ...at('2026-03-23T08:00:00') })
      .thenEmits([published]);
  });

  it('given an answer Thu 23 Apr 2026, when published Tue 28 Apr 10:00, then it is late: Mon 27 Apr is a day off', () => {
    const answeredBeforeHoliday = event(
      'FeedbackAnswered',
      { feedbackId, answer: 'done', dueAt: iso('2026-03-31T10:00:00'), late: true },
      '2026-04-23T09:00:00',
    );
    const [emitted] = feedbackDecider.decide(
      { type: 'PublishFeedbackAnswer', ...at('2026-04-28T10:00:00') },
      [filed, accepted, answeredBeforeHoliday].reduce(feedbackDecider.evolve, feedbackDecider.initialState()),
    );
    // Fri 24 Apr is the first working day, Tue 28 Apr the second (not Mon 27).
    expect(emitted?.data).toEqual({ feedbackId, dueAt: iso('2026-04-28T09:00:00'), late: true });
  });

  it('given a filing on a Saturday, then the decision clock starts at the next working-time start', () => {
    const [emitted] = feedbackDecider.decide(
      { ...(COMMANDS[0]?.command ?? fail()), ...at('2026-03-07T10:00:00', clerk) },
      feedbackDecider.initialState(),
    );
    // Mon 07:00 plus 16 working hours ends with Tuesday's working day.
    expect(emitted?.type === 'FeedbackFiled' && emitted.data.decisionDueAt).toBe(iso('2026-03-10T17:00:00'));
  });

  it("given a unit with its own working hours, then its dues follow the unit's day", () => {
    const calendar = createCalendar({
      ...vnCivilServiceCalendarData,
      unitWorkingHours: {
        [unit]: {
          periods: [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '17:00' },
          ],
        },
      },
    });
    const [emitted] = createFeedbackDecider({ calendar }).decide(
      { ...(COMMANDS[0]?.command ?? fail()), ...at('2026-03-09T07:30:00', clerk) },
      { status: 'none' },
    );
    // The unit opens at 08:00, so the clock starts then and two of its days end Tue 17:00; on the default
    // hours (open at 07:00) the same filing would be due Wed 07:30.
    expect(emitted?.type === 'FeedbackFiled' && emitted.data.decisionDueAt).toBe(iso('2026-03-10T17:00:00'));
    const [onDefault] = feedbackDecider.decide(
      { ...(COMMANDS[0]?.command ?? fail()), ...at('2026-03-09T07:30:00', clerk) },
      { status: 'none' },
    );
    expect(onDefault?.type === 'FeedbackFiled' && onDefault.data.decisionDueAt).toBe(
      iso('2026-03-11T07:30:00'),
    );
  });
});

describe('feedback decider: refusals', () => {
  it('given a second information request, then 409 names the first', () => {
    const asked = event(
      'FeedbackInfoRequested',
      { feedbackId, reason: 'which dossier?', dueAt: iso('2026-03-16T09:00:00'), late: false },
      '2026-03-12T10:00:00',
    );
    spec
      .given([...HISTORY.accepted, asked])
      .when({ type: 'RequestFeedbackInfo', ...at('2026-03-13T10:00:00'), reason: 'again' })
      .thenThrows({ code: 'DOM_FEEDBACK_INVALID_TRANSITION', message: /asked for already/ });
  });

  it('given a rating, then a second rating is refused naming the first', () => {
    const rated = event('FeedbackRated', { feedbackId, rating: 'satisfied' }, '2026-03-25T08:00:00', clerk);
    spec
      .given([...HISTORY.published, rated])
      .when({ type: 'RateFeedbackAnswer', ...at('2026-03-26T08:00:00', clerk), rating: 'dissatisfied' })
      .thenThrows({ code: 'DOM_FEEDBACK_INVALID_TRANSITION', message: /already rated satisfied/ });
  });

  it('given a follow-up, then a second one is refused', () => {
    const followedUp = event('FeedbackFollowedUp', { feedbackId }, '2026-03-25T09:00:00', clerk);
    spec
      .given([...HISTORY.answered, followedUp])
      .when({ type: 'FollowUpFeedback', ...at('2026-03-26T08:00:00', clerk) })
      .thenThrows({ code: 'DOM_FEEDBACK_INVALID_TRANSITION', details: { reason: 'already followed up' } });
  });

  it.each([
    ['a subject of an unknown kind', { subject: { kind: 'person', name: 'x' } }, /subject/],
    ['a malformed procedure code', { subject: { kind: 'procedure', procedureCode: '42' } }, /procedureCode/],
    ['an unknown channel', { channel: 'fax' }, /channel/],
  ])('given %s, then a validation error names the field', (_what, override, field) => {
    spec
      .given([])
      .when({ ...(COMMANDS[0]?.command ?? fail()), ...override } as FeedbackCommand)
      .thenThrows({ code: ValidationFailed.code, message: field });
  });

  it('given an empty answer, then a validation error names answer', () => {
    spec
      .given(HISTORY.accepted)
      .when({ type: 'AnswerFeedback', ...at(ANSWERED), answer: '   ' })
      .thenThrows({ code: ValidationFailed.code, message: /answer/ });
  });
});

function fail(): never {
  throw new Error('fixture missing');
}
