/** Payloads of the processing service (stream `processing-{dossierId}`). */
import { z } from 'zod';
import { ActorRole, Instant, ProcedureCode, Reason, UnitId } from './primitives.js';

export const StepId = z.string().min(1).max(64);
export const OfficerId = z.string().min(1).max(128);

/** One step of the procedure's internal process with its time budget (Form 06 checks against it). */
export const ProcessStep = z.object({
  stepId: StepId,
  name: z.string().min(1).max(200),
  role: ActorRole,
  budgetWorkingHours: z.number().positive(),
});
export type ProcessStep = z.infer<typeof ProcessStep>;

export const CaseOpenedData = z.object({
  procedureCode: ProcedureCode,
  competentUnitId: UnitId,
  statutoryDueAt: Instant,
  steps: z.array(ProcessStep).min(1),
});

export const CaseAssignedData = z.object({ officerId: OfficerId, stepId: StepId });

export const StepCompletedData = z.object({
  stepId: StepId,
  officerId: OfficerId,
  nextStepId: StepId.optional(),
  nextOfficerId: OfficerId.optional(),
});

export const ConsultationId = z.string().min(1).max(64);

export const ConsultationRequestedData = z.object({
  consultationId: ConsultationId,
  toUnitId: UnitId,
  dueAt: Instant,
});

export const ConsultationAnsweredData = z.object({ consultationId: ConsultationId });

export const SupplementRequestedData = z.object({
  reason: Reason,
  /** 1 for the first request; a second request makes the dossier count as late (DOMAIN.md section 5). */
  requestNumber: z.int().positive(),
});

/** `requestNumber` pairs the receipt with its request (a field added to the agreed catalogue). */
export const SupplementReceivedData = z.object({ requestNumber: z.int().positive() });

export const PaymentRequestedData = z.object({
  /** Amount in VND (integer: the đồng has no minor unit in practice). */
  amount: z.int().positive(),
  pausesClock: z.boolean(),
});

export const PaymentConfirmedData = z.object({ online: z.boolean() });

export const DeadlineExtendedData = z.object({
  previousDueAt: Instant,
  newDueAt: Instant,
  reason: Reason,
  /** True when the apology (Form 04) was issued after the due instant in force: itself recorded as late. */
  issuedLate: z.boolean(),
});

export const ProcessingStoppedData = z.object({ reason: Reason });

export const DossierDecidedData = z.object({
  outcome: z.enum(['approved', 'refused']),
  /** Required when refused on the merits (the applicant is owed the reasons). */
  reason: Reason.optional(),
});

export const ResultSentToDeskData = z.object({ returningUnitId: UnitId });
