/**
 * Processing case (stream `processing-{dossierId}`): opened when the dossier is transferred (4), then pauses for a
 * supplement (5) or a payment (6), and ends stopped (8) or decided (9).
 *
 * Processing cannot see withdrawal (7): it is appended by intake. The handler refuses commands on a dossier its
 * view of intake events shows withdrawn; this decider enforces every move between 4, 5, 6, 8 and 9. Time facts
 * that need the calendar (the due in force, for an extension) are computed by the handler and passed in.
 */
import { z } from 'zod';
import {
  ConsultationId,
  OfficerId,
  ProcedureCode,
  ProcessStep,
  Reason,
  StepId,
  UnitId,
} from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import { CommandBase, type DecidedEvent, type Decider, emit } from './decider.js';
import { invalidTransition, ruleViolated } from './errors.js';
import { assertStatus, assertTransition } from './lifecycle.js';

/** Sent by the reactor that consumes DossierTransferred; `statutoryDueAt` comes from DossierReceived. */
export const OpenCase = z.object({
  type: z.literal('OpenCase'),
  ...CommandBase,
  procedureCode: ProcedureCode,
  competentUnitId: UnitId,
  statutoryDueAt: z.date(),
  steps: z
    .array(ProcessStep)
    .min(1)
    .refine((steps) => new Set(steps.map((s) => s.stepId)).size === steps.length, 'step ids must be unique'),
});

/** Assigns an officer to the step in progress (`stepId` defaults to it; naming another step is refused). */
export const AssignCase = z.object({
  type: z.literal('AssignCase'),
  ...CommandBase,
  officerId: OfficerId,
  stepId: StepId.optional(),
});

/** The actor completes the step in progress and hands over to the next step (Form 06). */
export const CompleteStep = z.object({
  type: z.literal('CompleteStep'),
  ...CommandBase,
  stepId: StepId,
  nextOfficerId: OfficerId.optional(),
});

export const RequestConsultation = z
  .object({
    type: z.literal('RequestConsultation'),
    ...CommandBase,
    consultationId: ConsultationId,
    toUnitId: UnitId,
    dueAt: z.date(),
  })
  .refine((c) => c.dueAt > c.now, { path: ['dueAt'], message: 'must be after now' });

export const AnswerConsultation = z.object({
  type: z.literal('AnswerConsultation'),
  ...CommandBase,
  consultationId: ConsultationId,
});

export const RequestSupplement = z.object({
  type: z.literal('RequestSupplement'),
  ...CommandBase,
  reason: Reason,
});
export const ReceiveSupplement = z.object({ type: z.literal('ReceiveSupplement'), ...CommandBase });

/** `pausesClock` is the unit's configuration (DOMAIN.md section 5: pauses by default). */
export const RequestPayment = z.object({
  type: z.literal('RequestPayment'),
  ...CommandBase,
  amount: z.int().positive(),
  pausesClock: z.boolean().default(true),
});
export const ConfirmPayment = z.object({
  type: z.literal('ConfirmPayment'),
  ...CommandBase,
  online: z.boolean(),
});

/**
 * Apology with a new appointment (Form 04). `currentDueAt` is the due in force as the handler's clock evaluation
 * gives it (the appointment due if one was set, else the statutory due, moved by pauses): the apology is
 * recorded as issued late when `now` is after it.
 */
export const ExtendDeadline = z
  .object({
    type: z.literal('ExtendDeadline'),
    ...CommandBase,
    newDueAt: z.date(),
    reason: Reason,
    currentDueAt: z.date(),
  })
  .refine((c) => c.newDueAt > c.currentDueAt, { path: ['newDueAt'], message: 'must be after currentDueAt' });

export const StopProcessing = z.object({ type: z.literal('StopProcessing'), ...CommandBase, reason: Reason });

export const DecideDossier = z
  .object({
    type: z.literal('DecideDossier'),
    ...CommandBase,
    outcome: z.enum(['approved', 'refused']),
    reason: Reason.optional(),
  })
  .refine((c) => c.outcome === 'approved' || c.reason !== undefined, {
    path: ['reason'],
    message: 'a refusal on the merits must give its reason',
  });

export const SendResultToDesk = z.object({
  type: z.literal('SendResultToDesk'),
  ...CommandBase,
  returningUnitId: UnitId,
});

export const ProcessingCommand = z.discriminatedUnion('type', [
  OpenCase,
  AssignCase,
  CompleteStep,
  RequestConsultation,
  AnswerConsultation,
  RequestSupplement,
  ReceiveSupplement,
  RequestPayment,
  ConfirmPayment,
  ExtendDeadline,
  StopProcessing,
  DecideDossier,
  SendResultToDesk,
]);
export type ProcessingCommand = z.input<typeof ProcessingCommand>;

export type ProcessingEvent = DecidedEvent<
  | 'CaseOpened'
  | 'CaseAssigned'
  | 'StepCompleted'
  | 'ConsultationRequested'
  | 'ConsultationAnswered'
  | 'SupplementRequested'
  | 'SupplementReceived'
  | 'PaymentRequested'
  | 'PaymentConfirmed'
  | 'DeadlineExtended'
  | 'ProcessingStopped'
  | 'DossierDecided'
  | 'ResultSentToDesk'
>;

export interface CaseState {
  readonly status: 4 | 5 | 6 | 8 | 9;
  readonly procedureCode: string;
  readonly competentUnitId: string;
  readonly statutoryDueAt: string;
  readonly steps: readonly ProcessStep[];
  /** Index of the step in progress; `steps.length` once every step is completed. */
  readonly currentStep: number;
  readonly assignedOfficerId?: string;
  readonly consultations: Readonly<Record<string, 'open' | 'answered'>>;
  readonly supplementRequests: number;
  readonly appointmentDueAt?: string;
  readonly outcome?: 'approved' | 'refused';
  readonly resultSentTo?: string;
}

export type ProcessingState = { readonly status: 'none' } | CaseState;

/** While the case is open its clock runs or is paused; these commands keep the status. */
const OPEN = [4, 5, 6] as const;

function decide(input: ProcessingCommand, state: ProcessingState): ProcessingEvent[] {
  const command = parseOrThrow(ProcessingCommand, input, 'processing command');
  if (command.type === 'OpenCase') {
    // A redelivered DossierTransferred must not open a second case.
    if (state.status !== 'none') return [];
    const { procedureCode, competentUnitId, statutoryDueAt, steps } = command;
    return [
      emit(
        'CaseOpened',
        { procedureCode, competentUnitId, statutoryDueAt: statutoryDueAt.toISOString(), steps },
        command,
      ),
    ];
  }
  if (state.status === 'none') throw invalidTransition(command.type, 'none', 'no case is open');

  switch (command.type) {
    case 'AssignCase': {
      assertStatus(command.type, state.status, OPEN);
      const step = state.steps[state.currentStep];
      if (step === undefined)
        throw ruleViolated(command.type, 'no_step_in_progress', 'every step is completed');
      if (command.stepId !== undefined && command.stepId !== step.stepId) {
        throw ruleViolated(
          command.type,
          'step_not_current',
          `step ${command.stepId} is not the step in progress (${step.stepId})`,
        );
      }
      return [emit('CaseAssigned', { officerId: command.officerId, stepId: step.stepId }, command)];
    }

    case 'CompleteStep': {
      assertStatus(command.type, state.status, [4]);
      const step = state.steps[state.currentStep];
      if (step === undefined)
        throw ruleViolated(command.type, 'no_step_in_progress', 'every step is completed');
      if (command.stepId !== step.stepId) {
        throw ruleViolated(
          command.type,
          'step_not_current',
          `step ${command.stepId} is not the step in progress (${step.stepId})`,
        );
      }
      const next = state.steps[state.currentStep + 1];
      if (next === undefined && command.nextOfficerId !== undefined) {
        throw ruleViolated(command.type, 'no_next_step', `step ${step.stepId} is the last step`);
      }
      return [
        emit(
          'StepCompleted',
          {
            stepId: step.stepId,
            officerId: command.actor.id,
            ...(next === undefined ? {} : { nextStepId: next.stepId }),
            ...(command.nextOfficerId === undefined ? {} : { nextOfficerId: command.nextOfficerId }),
          },
          command,
        ),
      ];
    }

    case 'RequestConsultation': {
      assertStatus(command.type, state.status, [4]);
      if (state.consultations[command.consultationId] !== undefined) {
        throw ruleViolated(
          command.type,
          'duplicate_consultation',
          `consultation ${command.consultationId} already exists`,
        );
      }
      const { consultationId, toUnitId, dueAt } = command;
      return [
        emit('ConsultationRequested', { consultationId, toUnitId, dueAt: dueAt.toISOString() }, command),
      ];
    }

    case 'AnswerConsultation': {
      assertStatus(command.type, state.status, OPEN);
      const consultation = state.consultations[command.consultationId];
      if (consultation === undefined) {
        throw ruleViolated(
          command.type,
          'unknown_consultation',
          `no consultation ${command.consultationId} was requested`,
        );
      }
      if (consultation === 'answered') {
        throw ruleViolated(
          command.type,
          'consultation_already_answered',
          `consultation ${command.consultationId} is already answered`,
        );
      }
      return [emit('ConsultationAnswered', { consultationId: command.consultationId }, command)];
    }

    case 'RequestSupplement':
      assertTransition(command.type, state.status, 5);
      return [
        emit(
          'SupplementRequested',
          { reason: command.reason, requestNumber: state.supplementRequests + 1 },
          command,
        ),
      ];

    case 'ReceiveSupplement':
      // 6 → 4 is a legal move too, but not by this command: only a supplement request is answered here.
      assertStatus(command.type, state.status, [5]);
      return [emit('SupplementReceived', { requestNumber: state.supplementRequests }, command)];

    case 'RequestPayment':
      assertTransition(command.type, state.status, 6);
      return [
        emit('PaymentRequested', { amount: command.amount, pausesClock: command.pausesClock }, command),
      ];

    case 'ConfirmPayment':
      assertStatus(command.type, state.status, [6]);
      return [emit('PaymentConfirmed', { online: command.online }, command)];

    case 'ExtendDeadline': {
      // Only while the clock has not ended: a decided or stopped dossier cannot be given a new appointment.
      assertStatus(command.type, state.status, OPEN);
      const { currentDueAt, newDueAt, reason, now } = command;
      return [
        emit(
          'DeadlineExtended',
          {
            previousDueAt: currentDueAt.toISOString(),
            newDueAt: newDueAt.toISOString(),
            reason,
            issuedLate: now > currentDueAt,
          },
          command,
        ),
      ];
    }

    case 'StopProcessing':
      assertTransition(command.type, state.status, 8);
      return [emit('ProcessingStopped', { reason: command.reason }, command)];

    case 'DecideDossier':
      assertTransition(command.type, state.status, 9);
      return [
        emit(
          'DossierDecided',
          { outcome: command.outcome, ...(command.reason === undefined ? {} : { reason: command.reason }) },
          command,
        ),
      ];

    case 'SendResultToDesk':
      assertStatus(command.type, state.status, [9]);
      if (state.resultSentTo !== undefined) {
        throw invalidTransition(
          command.type,
          state.status,
          `the result was already sent to ${state.resultSentTo}`,
        );
      }
      return [emit('ResultSentToDesk', { returningUnitId: command.returningUnitId }, command)];
  }
}

function evolve(state: ProcessingState, event: ProcessingEvent): ProcessingState {
  if (event.type === 'CaseOpened') {
    const { procedureCode, competentUnitId, statutoryDueAt, steps } = event.data;
    return {
      status: 4,
      procedureCode,
      competentUnitId,
      statutoryDueAt,
      steps,
      currentStep: 0,
      consultations: {},
      supplementRequests: 0,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CaseAssigned':
      return { ...state, assignedOfficerId: event.data.officerId };
    case 'StepCompleted': {
      const { assignedOfficerId: _previous, ...rest } = state;
      const next = event.data.nextOfficerId;
      return {
        ...rest,
        currentStep: state.currentStep + 1,
        ...(next === undefined ? {} : { assignedOfficerId: next }),
      };
    }
    case 'ConsultationRequested':
      return { ...state, consultations: { ...state.consultations, [event.data.consultationId]: 'open' } };
    case 'ConsultationAnswered':
      return { ...state, consultations: { ...state.consultations, [event.data.consultationId]: 'answered' } };
    case 'SupplementRequested':
      return { ...state, status: 5, supplementRequests: event.data.requestNumber };
    case 'SupplementReceived':
    case 'PaymentConfirmed':
      return { ...state, status: 4 };
    case 'PaymentRequested':
      return { ...state, status: 6 };
    case 'DeadlineExtended':
      return { ...state, appointmentDueAt: event.data.newDueAt };
    case 'ProcessingStopped':
      return { ...state, status: 8 };
    case 'DossierDecided':
      return { ...state, status: 9, outcome: event.data.outcome };
    case 'ResultSentToDesk':
      return { ...state, resultSentTo: event.data.returningUnitId };
  }
}

export const processingDecider: Decider<ProcessingCommand, ProcessingState, ProcessingEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
