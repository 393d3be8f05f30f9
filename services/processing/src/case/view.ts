/**
 * The case as the GET route and every command answer show it: status, the Form 06 control sheet (steps with
 * budget and used working hours, every assignment and hand-over), consultations, supplements, payments,
 * extensions, and the clock as `evaluateClock` judges it now.
 */
import {
  type Calendar,
  type ClockEventInput,
  type DossierEvent,
  evaluateClock,
  type LateReason,
  NATIONAL_STATUS_LABELS,
  type NationalStatus,
  type ProcessingState,
  type WorkingHours,
  workingMsToDays,
  workingMsToHours,
  workingTimeBetween,
} from '@onestop/domain';
import { z } from 'zod';
import type { ReceivedDossier } from '../received/received-dossiers.js';

const Iso = z.string().describe('ISO-8601 instant');

const StepView = z.object({
  stepId: z.string(),
  name: z.string(),
  role: z.string(),
  state: z.enum(['pending', 'in_progress', 'done']),
  budgetWorkingHours: z.number(),
  /** Net of pauses, 2 decimals; up to now for the step in progress. */
  usedWorkingHours: z.number(),
  overBudget: z.boolean(),
  officerId: z.string().nullable(),
  startedAt: Iso.nullable(),
  completedAt: Iso.nullable(),
});

const ControlSheetEntry = z.object({
  at: Iso,
  kind: z.enum(['assigned', 'completed']),
  stepId: z.string(),
  officerId: z.string(),
  nextStepId: z.string().nullable(),
  nextOfficerId: z.string().nullable(),
  byOfficerId: z.string(),
  byUnitId: z.string().nullable(),
});

const ClockView = z.object({
  calendarVersion: z.string(),
  startAt: Iso,
  /** The statutory due moved forward by paused working time. */
  statutoryDueAt: Iso,
  /** The Form 04 appointment (moved by later pauses), or the statutory due when there was no extension. */
  appointmentDueAt: Iso,
  paused: z.boolean(),
  pausedWorkingHours: z.number(),
  elapsedWorkingDays: z.number(),
  endedAt: Iso.nullable(),
  classification: z.object({
    statutory: z.enum(['early', 'on_time', 'late', 'in_time', 'overdue']),
    appointment: z.enum(['early', 'on_time', 'late', 'in_time', 'overdue']),
  }),
  lateReasons: z.array(z.looseObject({ kind: z.string() })),
});

export const CaseView = z
  .object({
    dossierId: z.string(),
    /** Stream version of `processing-{dossierId}` (also the ETag). */
    version: z.int(),
    status: z.int().describe('national status: 4, 5, 6, 8, 9, or 7 when intake reports a withdrawal'),
    statusLabel: z.string(),
    asOf: Iso,
    procedureCode: z.string(),
    competentUnitId: z.string(),
    receivingUnitId: z.string().nullable(),
    dossierCode: z.string().nullable(),
    openedAt: Iso,
    /** The statutory due as recorded at receipt (before pauses). */
    statutoryDueAt: Iso,
    currentStepId: z.string().nullable(),
    assignedOfficerId: z.string().nullable(),
    steps: z.array(StepView),
    controlSheet: z.array(ControlSheetEntry),
    consultations: z.array(
      z.object({
        consultationId: z.string(),
        toUnitId: z.string(),
        requestedAt: Iso,
        dueAt: Iso,
        answeredAt: Iso.nullable(),
      }),
    ),
    supplements: z.array(
      z.object({ requestNumber: z.int(), reason: z.string(), requestedAt: Iso, receivedAt: Iso.nullable() }),
    ),
    payments: z.array(
      z.object({
        amount: z.int(),
        pausesClock: z.boolean(),
        requestedAt: Iso,
        confirmedAt: Iso.nullable(),
        online: z.boolean().nullable(),
      }),
    ),
    extensions: z.array(
      z.object({ at: Iso, previousDueAt: Iso, newDueAt: Iso, reason: z.string(), issuedLate: z.boolean() }),
    ),
    decision: z
      .object({ outcome: z.enum(['approved', 'refused']), reason: z.string().nullable(), at: Iso })
      .nullable(),
    stopped: z.object({ reason: z.string(), at: Iso }).nullable(),
    resultSent: z.object({ returningUnitId: z.string(), at: Iso }).nullable(),
    withdrawnAt: Iso.nullable(),
    clock: ClockView.nullable(),
  })
  .meta({ id: 'ProcessingCase' });
export type CaseView = z.infer<typeof CaseView>;

export interface CaseViewInput {
  readonly dossierId: string;
  readonly state: Exclude<ProcessingState, { status: 'none' }>;
  readonly history: readonly DossierEvent[];
  readonly version: number;
  readonly received: ReceivedDossier | undefined;
  readonly asOf: Date;
  readonly calendar: Calendar;
}

type StepView = z.infer<typeof StepView>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The intake facts the clock needs, replayed beside the case's own events. */
export function clockEvents(history: readonly DossierEvent[], received: ReceivedDossier): ClockEventInput[] {
  return [
    { type: 'DossierReceived', occurredAt: received.receivedAt, data: received.data },
    ...history,
    ...(received.withdrawnAt === undefined
      ? []
      : [{ type: 'DossierWithdrawn', occurredAt: received.withdrawnAt, data: {} }]),
  ];
}

/** Paused intervals (supplement, and payment when it pauses) and the end of the clock, from the case's events. */
function pausesAndEnd(history: readonly DossierEvent[], withdrawnAt: string | undefined) {
  const pauses: Array<{ from: number; to: number | undefined }> = [];
  let end = withdrawnAt === undefined ? undefined : Date.parse(withdrawnAt);
  for (const event of history) {
    const at = Date.parse(event.occurredAt);
    switch (event.type) {
      case 'SupplementRequested':
        pauses.push({ from: at, to: undefined });
        break;
      case 'PaymentRequested':
        if (event.data.pausesClock) pauses.push({ from: at, to: undefined });
        break;
      case 'SupplementReceived':
      case 'PaymentConfirmed': {
        const last = pauses.at(-1);
        if (last !== undefined && last.to === undefined) last.to = at;
        break;
      }
      case 'DossierDecided':
      case 'ProcessingStopped':
        end = Math.min(end ?? at, at);
        break;
    }
  }
  return { pauses, end };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function lateReasonJson(reason: LateReason): z.infer<typeof ClockView>['lateReasons'][number] {
  if (reason.kind === 'apology_after_due') {
    return { ...reason, issuedAt: reason.issuedAt.toISOString(), dueAt: reason.dueAt.toISOString() };
  }
  return { ...reason };
}

export function caseView(input: CaseViewInput): CaseView {
  const { state, history, received, asOf, calendar } = input;
  const hours: WorkingHours = calendar.workingHoursFor(state.competentUnitId);
  const { pauses, end } = pausesAndEnd(history, received?.withdrawnAt);
  const horizon = Math.min(end ?? asOf.getTime(), asOf.getTime());
  const workingMs = (from: number, to: number) =>
    to <= from ? 0 : workingTimeBetween(new Date(from), new Date(to), calendar, hours);
  const netWorkingMs = (from: number, to: number) =>
    workingMs(from, to) -
    pauses.reduce((sum, p) => sum + workingMs(Math.max(p.from, from), Math.min(p.to ?? to, to)), 0);

  const steps: Array<Mutable<StepView> & { start?: number; end?: number }> = state.steps.map((step) => ({
    stepId: step.stepId,
    name: step.name,
    role: step.role,
    state: 'pending',
    budgetWorkingHours: step.budgetWorkingHours,
    usedWorkingHours: 0,
    overBudget: false,
    officerId: null,
    startedAt: null,
    completedAt: null,
  }));
  const stepById = new Map(steps.map((step) => [step.stepId, step]));
  const start = (stepId: string | undefined, at: number) => {
    const step = stepId === undefined ? undefined : stepById.get(stepId);
    if (step === undefined || step.start !== undefined) return;
    step.start = at;
    step.state = 'in_progress';
    step.startedAt = new Date(at).toISOString();
  };

  const status: NationalStatus = received?.withdrawnAt === undefined ? state.status : 7;
  const view: Omit<CaseView, 'steps' | 'clock'> = {
    dossierId: input.dossierId,
    version: input.version,
    status,
    statusLabel: NATIONAL_STATUS_LABELS[status],
    asOf: asOf.toISOString(),
    procedureCode: state.procedureCode,
    competentUnitId: state.competentUnitId,
    receivingUnitId: received?.data.receivingUnitId ?? null,
    dossierCode: received?.data.dossierCode ?? null,
    openedAt: history.find((event) => event.type === 'CaseOpened')?.occurredAt ?? '',
    statutoryDueAt: state.statutoryDueAt,
    currentStepId: state.steps[state.currentStep]?.stepId ?? null,
    assignedOfficerId: state.assignedOfficerId ?? null,
    controlSheet: [],
    consultations: [],
    supplements: [],
    payments: [],
    extensions: [],
    decision: null,
    stopped: null,
    resultSent: null,
    withdrawnAt: received?.withdrawnAt ?? null,
  };

  for (const event of history) {
    const at = Date.parse(event.occurredAt);
    const by = { byOfficerId: event.actor.id, byUnitId: event.actor.unitId ?? null };
    switch (event.type) {
      case 'CaseOpened':
        start(event.data.steps[0]?.stepId, at);
        break;
      case 'CaseAssigned': {
        const step = stepById.get(event.data.stepId);
        if (step !== undefined) step.officerId = event.data.officerId;
        view.controlSheet.push({
          at: event.occurredAt,
          kind: 'assigned',
          stepId: event.data.stepId,
          officerId: event.data.officerId,
          nextStepId: null,
          nextOfficerId: null,
          ...by,
        });
        break;
      }
      case 'StepCompleted': {
        const step = stepById.get(event.data.stepId);
        if (step !== undefined) {
          step.end = at;
          step.state = 'done';
          step.completedAt = event.occurredAt;
          step.officerId = event.data.officerId;
        }
        start(event.data.nextStepId, at);
        const next = event.data.nextStepId === undefined ? undefined : stepById.get(event.data.nextStepId);
        if (next !== undefined && event.data.nextOfficerId !== undefined)
          next.officerId = event.data.nextOfficerId;
        view.controlSheet.push({
          at: event.occurredAt,
          kind: 'completed',
          stepId: event.data.stepId,
          officerId: event.data.officerId,
          nextStepId: event.data.nextStepId ?? null,
          nextOfficerId: event.data.nextOfficerId ?? null,
          ...by,
        });
        break;
      }
      case 'ConsultationRequested':
        view.consultations.push({
          consultationId: event.data.consultationId,
          toUnitId: event.data.toUnitId,
          requestedAt: event.occurredAt,
          dueAt: event.data.dueAt,
          answeredAt: null,
        });
        break;
      case 'ConsultationAnswered': {
        const consultation = view.consultations.find((c) => c.consultationId === event.data.consultationId);
        if (consultation !== undefined) consultation.answeredAt = event.occurredAt;
        break;
      }
      case 'SupplementRequested':
        view.supplements.push({
          requestNumber: event.data.requestNumber,
          reason: event.data.reason,
          requestedAt: event.occurredAt,
          receivedAt: null,
        });
        break;
      case 'SupplementReceived': {
        const request = view.supplements.find((s) => s.requestNumber === event.data.requestNumber);
        if (request !== undefined) request.receivedAt = event.occurredAt;
        break;
      }
      case 'PaymentRequested':
        view.payments.push({
          amount: event.data.amount,
          pausesClock: event.data.pausesClock,
          requestedAt: event.occurredAt,
          confirmedAt: null,
          online: null,
        });
        break;
      case 'PaymentConfirmed': {
        const payment = view.payments.at(-1);
        if (payment !== undefined) {
          payment.confirmedAt = event.occurredAt;
          payment.online = event.data.online;
        }
        break;
      }
      case 'DeadlineExtended':
        view.extensions.push({ at: event.occurredAt, ...event.data });
        break;
      case 'DossierDecided':
        view.decision = {
          outcome: event.data.outcome,
          reason: event.data.reason ?? null,
          at: event.occurredAt,
        };
        break;
      case 'ProcessingStopped':
        view.stopped = { reason: event.data.reason, at: event.occurredAt };
        break;
      case 'ResultSentToDesk':
        view.resultSent = { returningUnitId: event.data.returningUnitId, at: event.occurredAt };
        break;
    }
  }

  const stepViews: StepView[] = steps.map(({ start: from, end: to, ...step }) => {
    if (from === undefined) return step;
    const used = round2(netWorkingMs(from, Math.min(to ?? horizon, horizon)) / 3_600_000);
    return { ...step, usedWorkingHours: used, overBudget: used > step.budgetWorkingHours };
  });

  return {
    ...view,
    steps: stepViews,
    clock: received === undefined ? null : clockView(input, received, hours),
  };
}

function clockView(
  input: CaseViewInput,
  received: ReceivedDossier,
  hours: WorkingHours,
): z.infer<typeof ClockView> {
  const events = clockEvents(input.history, received);
  const options = { calendar: input.calendar, asOf: input.asOf, workingHours: hours };
  const statutory = evaluateClock(events, { ...options, due: 'statutory' });
  const appointment = evaluateClock(events, { ...options, due: 'appointment' });
  return {
    calendarVersion: statutory.calendarVersion,
    startAt: statutory.startAt.toISOString(),
    statutoryDueAt: statutory.statutoryDueAt.toISOString(),
    appointmentDueAt: statutory.appointmentDueAt.toISOString(),
    paused: statutory.paused,
    pausedWorkingHours: workingMsToHours(statutory.pausedMs),
    elapsedWorkingDays: workingMsToDays(statutory.elapsedWorkingMs, hours),
    endedAt: statutory.endedAt?.toISOString() ?? null,
    classification: { statutory: statutory.classification, appointment: appointment.classification },
    lateReasons: statutory.lateReasons.map(lateReasonJson),
  };
}
