import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../errors.js';
import type { Actor, EventData } from '../events/index.js';
import type { Decided } from './decider.js';
import { describeStatus } from './errors.js';
import { type ProcessingCommand, type ProcessingEvent, processingDecider } from './processing.js';
import { specify } from './spec.js';

const spec = specify(processingDecider);
const now = new Date('2025-03-05T03:00:00.000Z');
const due = new Date('2025-03-10T10:00:00.000Z');
const specialist: Actor = { id: 'officer-7', role: 'specialist', unitId: 'unit-so-tp' };
const base = { now, actor: specialist };

function event<T extends ProcessingEvent['type']>(type: T, data: EventData<T>): Decided<T> {
  return { type, data, occurredAt: now.toISOString(), actor: specialist };
}

const steps = [
  { stepId: 'desk', name: 'receive at unit', role: 'clerk', budgetWorkingHours: 4 },
  { stepId: 'appraise', name: 'appraise', role: 'specialist', budgetWorkingHours: 48 },
  { stepId: 'sign', name: 'sign', role: 'leader', budgetWorkingHours: 8 },
] as const;

const open = {
  type: 'OpenCase',
  now,
  actor: { id: 'system', role: 'system' },
  procedureCode: '1.004227',
  competentUnitId: 'unit-so-tp',
  statutoryDueAt: due,
  steps: [...steps],
} satisfies ProcessingCommand;
const opened: Decided<'CaseOpened'> = {
  type: 'CaseOpened',
  data: {
    procedureCode: '1.004227',
    competentUnitId: 'unit-so-tp',
    statutoryDueAt: due.toISOString(),
    steps: [...steps],
  },
  occurredAt: now.toISOString(),
  actor: { id: 'system', role: 'system' },
};
const consulted = event('ConsultationRequested', {
  consultationId: 'c1',
  toUnitId: 'unit-tax',
  dueAt: due.toISOString(),
});
const supplementRequested = event('SupplementRequested', { reason: 'appendix', requestNumber: 1 });
const paymentRequested = event('PaymentRequested', { amount: 50_000, pausesClock: true });

const STATUSES = ['none', 4, 5, 6, 8, 9] as const;
type Status = (typeof STATUSES)[number];
const HISTORY: Record<Status, ProcessingEvent[]> = {
  none: [],
  4: [opened, consulted],
  5: [opened, consulted, supplementRequested],
  6: [opened, consulted, paymentRequested],
  8: [opened, consulted, event('ProcessingStopped', { reason: 'x' })],
  9: [opened, consulted, event('DossierDecided', { outcome: 'approved' })],
};

const COMMANDS: ReadonlyArray<{
  command: ProcessingCommand;
  emits: ProcessingEvent['type'];
  allowedIn: Status[];
}> = [
  {
    command: { type: 'AssignCase', ...base, officerId: 'officer-7' },
    emits: 'CaseAssigned',
    allowedIn: [4, 5, 6],
  },
  { command: { type: 'CompleteStep', ...base, stepId: 'desk' }, emits: 'StepCompleted', allowedIn: [4] },
  {
    command: { type: 'RequestConsultation', ...base, consultationId: 'c2', toUnitId: 'unit-x', dueAt: due },
    emits: 'ConsultationRequested',
    allowedIn: [4],
  },
  {
    command: { type: 'AnswerConsultation', ...base, consultationId: 'c1' },
    emits: 'ConsultationAnswered',
    allowedIn: [4, 5, 6],
  },
  {
    command: { type: 'RequestSupplement', ...base, reason: 'r' },
    emits: 'SupplementRequested',
    allowedIn: [4],
  },
  { command: { type: 'ReceiveSupplement', ...base }, emits: 'SupplementReceived', allowedIn: [5] },
  { command: { type: 'RequestPayment', ...base, amount: 1000 }, emits: 'PaymentRequested', allowedIn: [4] },
  { command: { type: 'ConfirmPayment', ...base, online: true }, emits: 'PaymentConfirmed', allowedIn: [6] },
  {
    command: {
      type: 'ExtendDeadline',
      ...base,
      newDueAt: new Date('2025-03-20T10:00:00.000Z'),
      reason: 'r',
      currentDueAt: due,
    },
    emits: 'DeadlineExtended',
    allowedIn: [4, 5, 6],
  },
  { command: { type: 'StopProcessing', ...base, reason: 'r' }, emits: 'ProcessingStopped', allowedIn: [4] },
  {
    command: { type: 'DecideDossier', ...base, outcome: 'approved' },
    emits: 'DossierDecided',
    allowedIn: [4],
  },
  {
    command: { type: 'SendResultToDesk', ...base, returningUnitId: 'unit-hn-01' },
    emits: 'ResultSentToDesk',
    allowedIn: [9],
  },
];

describe('processing decider: allowed and forbidden transitions (4→5|6|8|9, 5→4, 6→4; 8 and 9 end the clock)', () => {
  const cases = COMMANDS.flatMap(({ command, emits, allowedIn }) =>
    STATUSES.map((status) => ({
      name: command.type,
      command,
      emits,
      status,
      allowed: allowedIn.includes(status),
    })),
  );

  it.each(cases.filter((c) => c.allowed))(
    'given status $status, when $name, then $emits',
    ({ command, emits, status }) => {
      const state = HISTORY[status].reduce(processingDecider.evolve, processingDecider.initialState());
      expect(processingDecider.decide(command, state).map((e) => e.type)).toEqual([emits]);
    },
  );

  it.each(cases.filter((c) => !c.allowed))(
    'given status $status, when $name, then DOM_INVALID_TRANSITION naming the status',
    ({ command, status }) => {
      const error = spec
        .given(HISTORY[status])
        .when(command)
        .thenThrows({
          code: 'DOM_INVALID_TRANSITION',
          details: { command: command.type, currentStatus: status },
        });
      expect(error.message).toContain(`cannot ${command.type}: the dossier is in ${describeStatus(status)}`);
    },
  );

  it.each(STATUSES)('given status %s, when the case is opened, then only a first opening emits', (status) => {
    const events = processingDecider.decide(
      open,
      HISTORY[status].reduce(processingDecider.evolve, processingDecider.initialState()),
    );
    expect(events).toEqual(status === 'none' ? [opened] : []);
  });
});

describe('processing decider: steps (Form 06)', () => {
  it('given an open case, when assigned without a step, then the first step is assigned', () => {
    spec
      .given([opened])
      .when({ type: 'AssignCase', ...base, officerId: 'clerk-2' })
      .thenEmits([event('CaseAssigned', { officerId: 'clerk-2', stepId: 'desk' })]);
  });

  it('given an open case, when another step than the current is named, then DOM_RULE_VIOLATED step_not_current', () => {
    spec
      .given([opened])
      .when({ type: 'CompleteStep', ...base, stepId: 'sign' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', message: /step sign is not the step in progress \(desk\)/ });
    spec
      .given([opened])
      .when({ type: 'AssignCase', ...base, officerId: 'x', stepId: 'appraise' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'step_not_current' } });
  });

  it('when a step is completed, then the hand-over names the next step and officer; the actor is the officer', () => {
    spec
      .given([opened])
      .when({ type: 'CompleteStep', ...base, stepId: 'desk', nextOfficerId: 'officer-9' })
      .thenEmits([
        event('StepCompleted', {
          stepId: 'desk',
          officerId: 'officer-7',
          nextStepId: 'appraise',
          nextOfficerId: 'officer-9',
        }),
      ]);
  });

  it('given the last step in progress, when completed, then no next step; afterwards no step is in progress', () => {
    const done = [
      event('StepCompleted', { stepId: 'desk', officerId: 'a', nextStepId: 'appraise' }),
      event('StepCompleted', { stepId: 'appraise', officerId: 'b', nextStepId: 'sign' }),
    ];
    spec
      .given([opened, ...done])
      .when({ type: 'CompleteStep', ...base, stepId: 'sign' })
      .thenEmits([event('StepCompleted', { stepId: 'sign', officerId: 'officer-7' })]);
    spec
      .given([opened, ...done])
      .when({ type: 'CompleteStep', ...base, stepId: 'sign', nextOfficerId: 'x' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'no_next_step' } });
    const last = event('StepCompleted', { stepId: 'sign', officerId: 'c' });
    spec
      .given([opened, ...done, last])
      .when({ type: 'AssignCase', ...base, officerId: 'x' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'no_step_in_progress' } });
  });

  it('evolve tracks the officer handed over to', () => {
    const state = [
      opened,
      event('StepCompleted', { stepId: 'desk', officerId: 'a', nextStepId: 'appraise', nextOfficerId: 'b' }),
    ].reduce(processingDecider.evolve, processingDecider.initialState());
    expect(state).toMatchObject({ currentStep: 1, assignedOfficerId: 'b' });
  });
});

describe('processing decider: consultation, supplement, payment', () => {
  it('rejects a duplicate, an unknown and an already answered consultation', () => {
    spec
      .given([opened, consulted])
      .when({ type: 'RequestConsultation', ...base, consultationId: 'c1', toUnitId: 'u', dueAt: due })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'duplicate_consultation' } });
    spec
      .given([opened])
      .when({ type: 'AnswerConsultation', ...base, consultationId: 'c9' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'unknown_consultation' } });
    spec
      .given([opened, consulted, event('ConsultationAnswered', { consultationId: 'c1' })])
      .when({ type: 'AnswerConsultation', ...base, consultationId: 'c1' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'consultation_already_answered' } });
  });

  it('when a consultation is due before now, then a validation error names dueAt', () => {
    spec
      .given([opened])
      .when({ type: 'RequestConsultation', ...base, consultationId: 'c2', toUnitId: 'u', dueAt: now })
      .thenThrows({ code: ValidationFailed.code, message: /dueAt: must be after now/ });
  });

  it('numbers supplement requests: the second request is number 2 and its receipt says so', () => {
    const first = [opened, supplementRequested, event('SupplementReceived', { requestNumber: 1 })];
    spec
      .given(first)
      .when({ type: 'RequestSupplement', ...base, reason: 'again' })
      .thenEmits([event('SupplementRequested', { reason: 'again', requestNumber: 2 })]);
    spec
      .given([...first, event('SupplementRequested', { reason: 'again', requestNumber: 2 })])
      .when({ type: 'ReceiveSupplement', ...base })
      .thenEmits([event('SupplementReceived', { requestNumber: 2 })]);
  });

  it('payment pauses the clock by default, or not when the unit configured so; confirmation records online', () => {
    spec
      .given([opened])
      .when({ type: 'RequestPayment', ...base, amount: 50_000 })
      .thenEmits([paymentRequested]);
    spec
      .given([opened])
      .when({ type: 'RequestPayment', ...base, amount: 50_000, pausesClock: false })
      .thenEmits([event('PaymentRequested', { amount: 50_000, pausesClock: false })]);
    spec
      .given([opened, paymentRequested])
      .when({ type: 'ConfirmPayment', ...base, online: false })
      .thenEmits([event('PaymentConfirmed', { online: false })]);
  });
});

describe('processing decider: extension (Form 04), stop, decision, result', () => {
  const extend = (at: Date) =>
    ({
      type: 'ExtendDeadline',
      now: at,
      actor: specialist,
      newDueAt: new Date('2025-03-20T10:00:00.000Z'),
      reason: 'site visit needed',
      currentDueAt: due,
    }) satisfies ProcessingCommand;

  it.each([
    ['before the due', new Date(due.getTime() - 1), false],
    ['at the due instant', due, false],
    ['after the due', new Date(due.getTime() + 1), true],
  ])('when the apology is issued %s, then issuedLate is %s', (_when, at, late) => {
    spec
      .given([opened])
      .when(extend(at))
      .thenEmits([
        {
          type: 'DeadlineExtended',
          data: {
            previousDueAt: due.toISOString(),
            newDueAt: '2025-03-20T10:00:00.000Z',
            reason: 'site visit needed',
            issuedLate: late,
          },
          occurredAt: at.toISOString(),
          actor: specialist,
        },
      ]);
  });

  it('when the new appointment is not after the current due, then a validation error names newDueAt', () => {
    spec
      .given([opened])
      .when({ ...extend(now), newDueAt: due })
      .thenThrows({ code: ValidationFailed.code, message: /newDueAt: must be after currentDueAt/ });
  });

  it('evolve keeps the appointment due next to the statutory due', () => {
    const state = [
      opened,
      event('DeadlineExtended', {
        previousDueAt: due.toISOString(),
        newDueAt: '2025-03-20T10:00:00.000Z',
        reason: 'r',
        issuedLate: false,
      }),
    ].reduce(processingDecider.evolve, processingDecider.initialState());
    expect(state).toMatchObject({
      statutoryDueAt: due.toISOString(),
      appointmentDueAt: '2025-03-20T10:00:00.000Z',
    });
  });

  it('when refused on the merits without a reason, then a validation error names reason; with one, decided', () => {
    spec
      .given([opened])
      .when({ type: 'DecideDossier', ...base, outcome: 'refused' })
      .thenThrows({
        code: ValidationFailed.code,
        message: /reason: a refusal on the merits must give its reason/,
      });
    spec
      .given([opened])
      .when({ type: 'DecideDossier', ...base, outcome: 'refused', reason: 'not eligible' })
      .thenEmits([event('DossierDecided', { outcome: 'refused', reason: 'not eligible' })]);
  });

  it('when stopped, then ProcessingStopped carries the reason (Form 05)', () => {
    spec
      .given([opened])
      .when({ type: 'StopProcessing', ...base, reason: 'applicant unreachable' })
      .thenEmits([event('ProcessingStopped', { reason: 'applicant unreachable' })]);
  });

  it('given a result already sent, when sent again, then DOM_INVALID_TRANSITION says where it went', () => {
    spec
      .given([...HISTORY[9], event('ResultSentToDesk', { returningUnitId: 'unit-hn-01' })])
      .when({ type: 'SendResultToDesk', ...base, returningUnitId: 'unit-hn-02' })
      .thenThrows({
        code: 'DOM_INVALID_TRANSITION',
        message: /already sent to unit-hn-01/,
        details: { currentStatus: 9 },
      });
  });
});
