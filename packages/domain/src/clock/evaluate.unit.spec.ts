import { describe, expect, it } from 'vitest';
import { type DomainError, ValidationFailed } from '../errors.js';
import {
  type ClockEventInput,
  ClockNotStarted,
  vnCivilServiceCalendar as calendar,
  createCalendar,
  DEFAULT_CLOCK_RULES,
  type EvaluateClockOptions,
  evaluateClock,
  nationalStatusAt,
  vnCivilServiceCalendarData,
  workingMsToDays,
} from './index.js';

const HOUR = 3_600_000;
const vn = (local: string) => new Date(`${local}+07:00`);

function event(
  type: string,
  local: string,
  data: Record<string, unknown> = {},
  unitId?: string,
): ClockEventInput {
  return {
    type,
    occurredAt: `${local}:00+07:00`,
    data,
    ...(unitId === undefined ? {} : { actor: { unitId } }),
  };
}

// Received Mon 2026-03-02 09:00 with 5 working days: statutory due Mon 2026-03-09 09:00.
const received = event('DossierReceived', '2026-03-02T09:00', {
  dossierCode: '000.00.00.H01-260302-0001',
  competentUnitId: 'unit-p',
  limit: { value: 5, unit: 'working_days' },
  calendarVersion: 'vn-civil-service-2026.1',
});
const transferred = event('DossierTransferred', '2026-03-02T10:00', {
  fromUnitId: 'desk',
  toUnitId: 'unit-p',
});
const supplementRequested = (local: string, requestNumber = 1) =>
  event('SupplementRequested', local, { reason: 'missing page', requestNumber });
const supplementReceived = (local: string) => event('SupplementReceived', local);
const decided = (local: string) => event('DossierDecided', local, { outcome: 'approved' });
const extended = (local: string, newDueAt: string, issuedLate = false) =>
  event('DeadlineExtended', local, {
    previousDueAt: '2026-03-09T09:00:00+07:00',
    newDueAt: `${newDueAt}:00+07:00`,
    reason: 'site visit needed',
    issuedLate,
  });

const evaluate = (events: ClockEventInput[], asOf: string, options: Partial<EvaluateClockOptions> = {}) =>
  evaluateClock(events, { calendar, asOf: vn(asOf), ...options });

describe('evaluateClock: classification', () => {
  it('given an open dossier, when asOf is at the due, then in time; a minute later, overdue', () => {
    const open = evaluate([received, transferred], '2026-03-09T09:00');
    expect(open).toMatchObject({
      status: 4,
      calendarVersion: 'vn-civil-service-2026.1',
      startAt: vn('2026-03-02T09:00'),
      statutoryDueAt: vn('2026-03-09T09:00'),
      appointmentDueAt: vn('2026-03-09T09:00'),
      dueAt: vn('2026-03-09T09:00'),
      pausedMs: 0,
      paused: false,
      elapsedWorkingMs: 40 * HOUR,
      classification: 'in_time',
      lateReasons: [],
    });
    expect(open.endedAt).toBeUndefined();
    expect(evaluate([received, transferred], '2026-03-09T09:01').classification).toBe('overdue');
  });

  it('given a decision on an earlier date than the due, then early, with elapsed working time', () => {
    const result = evaluate([received, transferred, decided('2026-03-06T10:00')], '2026-03-31T00:00');
    expect(result).toMatchObject({
      status: 9,
      endedAt: vn('2026-03-06T10:00'),
      endedBy: 'DossierDecided',
      classification: 'early',
      elapsedWorkingMs: 33 * HOUR,
    });
    expect(workingMsToDays(result.elapsedWorkingMs)).toBe(4.13);
  });

  it('given a decision on the due date, at or before the due instant, then on time', () => {
    expect(evaluate([received, decided('2026-03-09T08:00')], '2026-03-31T00:00').classification).toBe(
      'on_time',
    );
    expect(evaluate([received, decided('2026-03-09T09:00')], '2026-03-31T00:00').classification).toBe(
      'on_time',
    );
  });

  it('given a decision after the due instant, then late, overdue by the working time past the due', () => {
    const minute = evaluate([received, decided('2026-03-09T09:01')], '2026-03-31T00:00');
    expect(minute.classification).toBe('late');
    expect(minute.lateReasons).toEqual([{ kind: 'overdue_at_end', byWorkingMs: 60_000 }]);
    const evening = evaluate([received, decided('2026-03-09T18:00')], '2026-03-31T00:00');
    expect(evening.lateReasons).toEqual([{ kind: 'overdue_at_end', byWorkingMs: 6 * HOUR }]);
  });

  it('names its default rules', () => {
    expect(DEFAULT_CLOCK_RULES).toEqual({
      pauseOnPayment: true,
      secondSupplementCountsAsLate: true,
      lateApologyCountsAsLate: true,
    });
  });
});

describe('evaluateClock: pauses', () => {
  const withSupplement = [
    received,
    transferred,
    supplementRequested('2026-03-03T09:00'),
    supplementReceived('2026-03-04T09:00'),
  ];

  it('given a supplement wait of one working day, then the due moves one working day and the wait is not elapsed', () => {
    const result = evaluate([...withSupplement, decided('2026-03-10T09:00')], '2026-03-31T00:00');
    expect(result).toMatchObject({
      statutoryDueAt: vn('2026-03-10T09:00'),
      pausedMs: 8 * HOUR,
      classification: 'on_time',
      lateReasons: [{ kind: 'paused', pausedWorkingMs: 8 * HOUR }],
    });
    expect(workingMsToDays(result.elapsedWorkingMs)).toBe(5);
    // Control: the same decision without the pause is late.
    expect(evaluate([received, decided('2026-03-10T09:00')], '2026-03-31T00:00').classification).toBe('late');
  });

  it('given a supplement still awaited at asOf, then the pause counts up to asOf and the status is 5', () => {
    const result = evaluate(
      [received, transferred, supplementRequested('2026-03-03T09:00')],
      '2026-03-04T13:30',
    );
    expect(result).toMatchObject({
      status: 5,
      paused: true,
      pausedMs: 10.5 * HOUR,
      // 10.5 working hours after Mon 9 Mar 09:00 run out exactly at Tue 11:30.
      statutoryDueAt: vn('2026-03-10T11:30'),
      elapsedWorkingMs: 8 * HOUR,
      classification: 'in_time',
    });
  });

  const payment = (pausesClock: boolean) => [
    received,
    transferred,
    event('PaymentRequested', '2026-03-03T09:00', { amount: 50_000, pausesClock }),
    event('PaymentConfirmed', '2026-03-04T09:00', { online: true }),
  ];

  it('given a financial obligation that pauses the clock, then the due moves by the wait', () => {
    expect(evaluate(payment(true), '2026-03-03T12:00')).toMatchObject({ status: 6, paused: true });
    expect(evaluate(payment(true), '2026-03-05T12:00')).toMatchObject({
      status: 4,
      pausedMs: 8 * HOUR,
      statutoryDueAt: vn('2026-03-10T09:00'),
    });
  });

  it('given pausesClock false, or the pauseOnPayment rule off, then the wait does not move the due', () => {
    expect(evaluate(payment(false), '2026-03-03T12:00')).toMatchObject({ status: 6, paused: false });
    expect(evaluate(payment(false), '2026-03-05T12:00')).toMatchObject({
      pausedMs: 0,
      statutoryDueAt: vn('2026-03-09T09:00'),
    });
    expect(
      evaluate(payment(true), '2026-03-05T12:00', { rules: { pauseOnPayment: false } }).statutoryDueAt,
    ).toEqual(vn('2026-03-09T09:00'));
  });
});

describe('evaluateClock: extension (Form 04)', () => {
  it('given an extension before the due, then statutory view late, appointment view early', () => {
    const events = [received, extended('2026-03-06T10:00', '2026-03-13T17:00'), decided('2026-03-11T10:00')];
    const statutory = evaluate(events, '2026-03-31T00:00');
    expect(statutory).toMatchObject({
      dueBasis: 'statutory',
      statutoryDueAt: vn('2026-03-09T09:00'),
      appointmentDueAt: vn('2026-03-13T17:00'),
      extendedAt: vn('2026-03-06T10:00'),
      classification: 'late',
      lateReasons: [{ kind: 'overdue_at_end', byWorkingMs: 17 * HOUR }],
    });
    const appointment = evaluate(events, '2026-03-31T00:00', { due: 'appointment' });
    expect(appointment).toMatchObject({
      dueBasis: 'appointment',
      dueAt: vn('2026-03-13T17:00'),
      classification: 'early',
      lateReasons: [],
    });
  });

  it('given no extension, then the appointment view falls back to the statutory due', () => {
    const result = evaluate([received, decided('2026-03-09T10:00')], '2026-03-31T00:00', {
      due: 'appointment',
    });
    expect(result).toMatchObject({ extendedAt: null, dueAt: vn('2026-03-09T09:00'), classification: 'late' });
  });

  it('given pauses before and after an extension, then the statutory due moves by both, the appointment by the later', () => {
    const events = [
      received,
      supplementRequested('2026-03-03T09:00'),
      supplementReceived('2026-03-04T09:00'),
      extended('2026-03-06T10:00', '2026-03-13T17:00'),
      supplementRequested('2026-03-12T07:00', 2),
      supplementReceived('2026-03-13T07:00'),
    ];
    const rules = { secondSupplementCountsAsLate: false };
    const statutory = evaluate(events, '2026-03-13T12:00', { rules });
    expect(statutory).toMatchObject({
      pausedMs: 16 * HOUR,
      statutoryDueAt: vn('2026-03-11T09:00'),
      appointmentDueAt: vn('2026-03-16T17:00'),
      classification: 'overdue',
    });
    expect(evaluate(events, '2026-03-13T12:00', { rules, due: 'appointment' }).classification).toBe(
      'in_time',
    );
  });

  it('given an apology after the due, then it is recorded as late and counts as late in the appointment view', () => {
    const events = [received, extended('2026-03-10T08:00', '2026-03-13T17:00'), decided('2026-03-11T10:00')];
    const result = evaluate(events, '2026-03-31T00:00', { due: 'appointment' });
    expect(result.classification).toBe('late');
    expect(result.lateReasons).toEqual([
      {
        kind: 'apology_after_due',
        issuedAt: vn('2026-03-10T08:00'),
        dueAt: vn('2026-03-09T09:00'),
        countsAsLate: true,
      },
    ]);
    const lenient = evaluate(events, '2026-03-31T00:00', {
      due: 'appointment',
      rules: { lateApologyCountsAsLate: false },
    });
    expect(lenient.classification).toBe('early');
    expect(lenient.lateReasons).toMatchObject([{ kind: 'apology_after_due', countsAsLate: false }]);
  });

  it('given an apology the intake marked issuedLate, then it is recorded as late even before the computed due', () => {
    const events = [received, extended('2026-03-06T10:00', '2026-03-13T17:00', true)];
    expect(evaluate(events, '2026-03-07T00:00', { due: 'appointment' })).toMatchObject({
      classification: 'overdue',
      lateReasons: [{ kind: 'apology_after_due', issuedAt: vn('2026-03-06T10:00') }],
    });
  });
});

describe('evaluateClock: end of the clock', () => {
  it('given a withdrawal during a supplement wait, then the clock ends at the withdrawal and the pause closes', () => {
    const events = [
      received,
      transferred,
      supplementRequested('2026-03-03T09:00'),
      event('DossierWithdrawn', '2026-03-04T09:00'),
    ];
    expect(evaluate(events, '2026-03-31T00:00')).toMatchObject({
      status: 7,
      endedAt: vn('2026-03-04T09:00'),
      endedBy: 'DossierWithdrawn',
      paused: false,
      pausedMs: 8 * HOUR,
      statutoryDueAt: vn('2026-03-10T09:00'),
      elapsedWorkingMs: 8 * HOUR,
      classification: 'early',
    });
  });

  it('given processing stopped (Form 05), then status 8 ends the clock', () => {
    const events = [
      received,
      transferred,
      event('ProcessingStopped', '2026-03-05T10:00', { reason: 'court case' }),
    ];
    expect(evaluate(events, '2026-03-31T00:00')).toMatchObject({
      status: 8,
      endedBy: 'ProcessingStopped',
      endedAt: vn('2026-03-05T10:00'),
      classification: 'early',
    });
  });

  it('given a result returned after the decision, then status 10 but the clock ended at the decision', () => {
    const events = [
      received,
      decided('2026-03-09T10:00'),
      event('ResultSentToDesk', '2026-03-09T11:00', { returningUnitId: 'desk' }),
      event('ResultReturned', '2026-03-12T09:00', { channel: 'desk' }),
    ];
    expect(evaluate(events, '2026-03-31T00:00')).toMatchObject({
      status: 10,
      endedAt: vn('2026-03-09T10:00'),
      classification: 'late',
      lateReasons: [{ kind: 'overdue_at_end', byWorkingMs: HOUR }],
    });
  });

  it('given clock events after the end, then they are ignored', () => {
    const events = [received, decided('2026-03-06T10:00'), supplementRequested('2026-03-06T11:00')];
    expect(evaluate(events, '2026-03-31T00:00')).toMatchObject({ pausedMs: 0, supplementRequestCount: 0 });
  });
});

describe('evaluateClock: replay', () => {
  const history = [
    received,
    transferred,
    supplementRequested('2026-03-03T09:00'),
    supplementReceived('2026-03-04T09:00'),
    decided('2026-03-11T10:00'),
  ];

  it('given asOf in the past, then later events are ignored', () => {
    expect(evaluate(history, '2026-03-03T10:00')).toMatchObject({
      status: 5,
      paused: true,
      pausedMs: HOUR,
      classification: 'in_time',
    });
    expect(evaluate(history, '2026-03-03T10:00').endedAt).toBeUndefined();
    expect(evaluate(history, '2026-03-12T00:00')).toMatchObject({ status: 9, classification: 'late' });
  });

  it('given streams merged in any order, then events are applied by occurredAt', () => {
    const processing = history.slice(2);
    const intake = history.slice(0, 2);
    expect(evaluate([...processing, ...intake], '2026-03-31T00:00')).toEqual(
      evaluate(history, '2026-03-31T00:00'),
    );
  });

  it('given events with the same occurredAt, then they keep their given order', () => {
    const decision = decided('2026-03-06T10:00');
    const returned = event('ResultReturned', '2026-03-06T10:00', { channel: 'online' });
    const asOf = vn('2026-03-31T00:00');
    expect(nationalStatusAt([received, decision, returned], asOf)).toBe(10);
    expect(nationalStatusAt([received, returned, decision], asOf)).toBe(9);
  });

  it('tracks the national status through the lifecycle', () => {
    const at = (local: string) => nationalStatusAt(history, vn(local));
    expect([at('2026-03-01T00:00'), at('2026-03-02T09:30'), at('2026-03-02T12:00')]).toEqual([null, 2, 4]);
    expect([at('2026-03-03T12:00'), at('2026-03-05T12:00'), at('2026-03-11T12:00')]).toEqual([5, 4, 9]);
  });

  it('given no receipt by asOf, then DOM_CLOCK_NOT_STARTED with the status', () => {
    const registered = event('DossierRegistered', '2026-03-01T20:00', {
      procedureCode: '1.004227',
      channel: 'online',
    });
    const refused = event('DossierRefused', '2026-03-02T09:00', { reason: 'out of scope' });
    const notStartedStatus = (events: ClockEventInput[], asOf: string) => {
      try {
        evaluate(events, asOf);
      } catch (error) {
        expect(ClockNotStarted.is(error)).toBe(true);
        return (error as DomainError).details;
      }
      throw new Error('expected DOM_CLOCK_NOT_STARTED');
    };
    expect(notStartedStatus([registered], '2026-03-31T00:00')).toEqual({ status: 1 });
    expect(notStartedStatus([registered, refused], '2026-03-31T00:00')).toEqual({ status: 3 });
    expect(notStartedStatus([registered, received], '2026-03-02T08:00')).toEqual({ status: 1 });
    expect(notStartedStatus([received], '2026-03-02T08:00')).toEqual({ status: null });
  });

  it('given a malformed event, then a validation error names the field', () => {
    const noLimit = event('DossierReceived', '2026-03-02T09:00', { competentUnitId: 'unit-p' });
    const noOffset = { type: 'DossierDecided', occurredAt: '2026-03-05T10:00:00', data: {} };
    const paths = (events: ClockEventInput[]) => {
      try {
        evaluate(events, '2026-03-31T00:00');
      } catch (error) {
        expect(ValidationFailed.is(error)).toBe(true);
        return (error as DomainError & { details: { issues: Array<{ path: string }> } }).details.issues.map(
          (i) => i.path,
        );
      }
      throw new Error('expected a validation error');
    };
    expect(paths([noLimit])).toEqual(['limit']);
    expect(paths([received, noOffset])).toEqual(['occurredAt']);
  });
});

describe('evaluateClock: second supplement request', () => {
  const twice = [
    received,
    supplementRequested('2026-03-03T09:00', 1),
    supplementReceived('2026-03-03T10:00'),
    supplementRequested('2026-03-04T09:00', 2),
    supplementReceived('2026-03-04T10:00'),
  ];

  it('given the rule on (default), then a second request makes an early decision late', () => {
    const result = evaluate([...twice, decided('2026-03-05T10:00')], '2026-03-31T00:00');
    expect(result).toMatchObject({
      statutoryDueAt: vn('2026-03-09T11:00'),
      supplementRequestCount: 2,
      classification: 'late',
    });
    expect(result.lateReasons).toEqual([
      { kind: 'second_supplement_request', requestCount: 2, countsAsLate: true },
      { kind: 'paused', pausedWorkingMs: 2 * HOUR },
    ]);
    expect(evaluate(twice, '2026-03-05T10:00').classification).toBe('overdue');
  });

  it('given the rule off, then the same dossier is early', () => {
    const rules = { secondSupplementCountsAsLate: false };
    const result = evaluate([...twice, decided('2026-03-05T10:00')], '2026-03-31T00:00', { rules });
    expect(result.classification).toBe('early');
    expect(result.lateReasons[0]).toEqual({
      kind: 'second_supplement_request',
      requestCount: 2,
      countsAsLate: false,
    });
    expect(evaluate(twice, '2026-03-05T10:00', { rules }).classification).toBe('in_time');
  });
});

describe('evaluateClock: steps over budget', () => {
  const opened = event('CaseOpened', '2026-03-02T10:00', {
    procedureCode: '1.004227',
    competentUnitId: 'unit-p',
    statutoryDueAt: '2026-03-09T09:00:00+07:00',
    steps: [
      { stepId: 'review', name: 'Review', role: 'specialist', budgetWorkingHours: 8 },
      { stepId: 'approve', name: 'Approve', role: 'leader', budgetWorkingHours: 4 },
    ],
  });
  const assigned = event('CaseAssigned', '2026-03-02T10:00', { officerId: 'off-1', stepId: 'review' });
  const reviewDone = event(
    'StepCompleted',
    '2026-03-04T10:00',
    { stepId: 'review', officerId: 'off-1', nextStepId: 'approve', nextOfficerId: 'off-2' },
    'unit-p-dept',
  );
  const approveDone = event('StepCompleted', '2026-03-04T11:00', { stepId: 'approve', officerId: 'off-2' });

  it('given a step that took 16 working hours on an 8 h budget, then it is named with its officer and unit', () => {
    const events = [received, opened, assigned, reviewDone, approveDone, decided('2026-03-04T11:00')];
    expect(evaluate(events, '2026-03-31T00:00').lateReasons).toEqual([
      {
        kind: 'step_over_budget',
        stepId: 'review',
        unitId: 'unit-p-dept',
        officerId: 'off-1',
        budgetWorkingHours: 8,
        usedWorkingHours: 16,
        completed: true,
      },
    ]);
  });

  it('given a supplement wait inside the step, then the wait is not charged to the officer', () => {
    const events = [
      received,
      opened,
      assigned,
      supplementRequested('2026-03-03T07:00'),
      supplementReceived('2026-03-04T07:00'),
      reviewDone,
      approveDone,
    ];
    expect(evaluate(events, '2026-03-31T00:00').lateReasons).toEqual([
      { kind: 'paused', pausedWorkingMs: 8 * HOUR },
    ]);
  });

  it('given a step still running past its budget at asOf, then it is reported as not completed', () => {
    expect(evaluate([received, opened, assigned], '2026-03-04T10:00').lateReasons).toEqual([
      {
        kind: 'step_over_budget',
        stepId: 'review',
        unitId: 'unit-p',
        officerId: 'off-1',
        budgetWorkingHours: 8,
        usedWorkingHours: 16,
        completed: false,
      },
    ]);
  });
});

describe('evaluateClock: calendar and working hours', () => {
  const custom = createCalendar({
    ...vnCivilServiceCalendarData,
    version: 'custom-2026.2',
    daysOff: [...vnCivilServiceCalendarData.daysOff, { date: '2026-03-05', name: 'announced later' }],
    unitWorkingHours: {
      'unit-short': {
        periods: [
          { start: '07:30', end: '11:30' },
          { start: '13:00', end: '16:30' },
        ],
      },
    },
  });

  it('given a newer calendar version, then the due is recomputed under it and the version reported', () => {
    expect(evaluate([received], '2026-03-03T00:00', { calendar: custom })).toMatchObject({
      calendarVersion: 'custom-2026.2',
      statutoryDueAt: vn('2026-03-10T09:00'),
    });
  });

  it("uses the competent unit's working hours unless hours are given", () => {
    const shortUnit = event('DossierReceived', '2026-03-02T07:00', {
      competentUnitId: 'unit-short',
      limit: { value: 1, unit: 'working_days' },
    });
    expect(evaluate([shortUnit], '2026-03-02T08:00', { calendar: custom })).toMatchObject({
      startAt: vn('2026-03-02T07:30'),
      statutoryDueAt: vn('2026-03-02T16:30'),
    });
    expect(
      evaluate([shortUnit], '2026-03-02T08:00', { calendar: custom, workingHours: custom.workingHours }),
    ).toMatchObject({ startAt: vn('2026-03-02T07:00'), statutoryDueAt: vn('2026-03-02T17:00') });
  });
});
