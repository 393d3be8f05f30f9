/**
 * Intake dossier (stream `intake-{dossierId}`): register (1), receive (2), refuse (3), transfer (4), withdraw (7).
 *
 * Intake sees statuses 1, 2, 3, 4 and 7 only. Once transferred, the dossier's status moves in processing (5, 6,
 * 8, 9) and result-return (10), which intake cannot see: withdrawal is allowed from 2, 4, 5 and 6 only, so the
 * handler passes the status processing reports (`processingStatus`) and the decider refuses withdrawal from
 * 8, 9 or 10. Without that fact it enforces what its own stream shows.
 */
import { z } from 'zod';
import {
  ComponentCode,
  DossierCode,
  Limit,
  type NationalStatus,
  NationalStatus as NationalStatusSchema,
  ProcedureCode,
  Reason,
  TransferChannel,
  UnitId,
  Uuid,
} from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import { CommandBase, type Decided, type DecidedEvent, type Decider, emit } from './decider.js';
import { IncompleteDossier, invalidTransition, ruleViolated } from './errors.js';
import { assertTransition, canTransition } from './lifecycle.js';

export const RegisterDossier = z.object({
  type: z.literal('RegisterDossier'),
  ...CommandBase,
  procedureCode: ProcedureCode,
  channel: z.enum(['online', 'postal']),
});

/**
 * Receipt at the desk, or of a dossier registered online/by post. The handler has already assigned the
 * `dossierCode` (per-unit daily sequence), stored the applicant's personal data and passes only the
 * pseudonymous `applicantId`, and computed the clock facts with `computeDueAt`: `startAt` (receipt moved to
 * working time) and `statutoryDueAt`, under `calendarVersion`.
 */
export const ReceiveDossier = z
  .object({
    type: z.literal('ReceiveDossier'),
    ...CommandBase,
    dossierCode: DossierCode,
    procedureCode: ProcedureCode,
    procedureVersion: z.string().min(1).max(32),
    channel: z.enum(['desk', 'online', 'postal']),
    receivingUnitId: UnitId,
    competentUnitId: UnitId,
    crossBoundary: z.boolean(),
    applicantId: Uuid,
    applicantType: z.literal([1, 2, 3, 4]),
    components: z
      .array(z.object({ code: ComponentCode, provided: z.boolean(), required: z.boolean() }))
      .refine(
        (list) => new Set(list.map((c) => c.code)).size === list.length,
        'component codes must be unique',
      ),
    limit: Limit,
    calendarVersion: z.string().min(1).max(32),
    startAt: z.date(),
    statutoryDueAt: z.date(),
  })
  .refine((c) => c.startAt >= c.now, { path: ['startAt'], message: 'the clock cannot start before receipt' })
  .refine((c) => c.statutoryDueAt > c.startAt, {
    path: ['statutoryDueAt'],
    message: 'must be after startAt',
  });

/** Refusal to receive (Form 03): at the desk (no prior event) or of a dossier registered online/by post. */
export const RefuseDossier = z.object({
  type: z.literal('RefuseDossier'),
  ...CommandBase,
  procedureCode: ProcedureCode,
  receivingUnitId: UnitId,
  reason: Reason,
});

export const TransferDossier = z.object({
  type: z.literal('TransferDossier'),
  ...CommandBase,
  toUnitId: UnitId,
  channel: TransferChannel,
  /** Hand-overs on the way (paper, post); absent = the receiving unit holds it from `now`. */
  custody: z
    .array(z.object({ unitId: UnitId, at: z.date() }))
    .min(1)
    .optional(),
});

export const WithdrawDossier = z.object({
  type: z.literal('WithdrawDossier'),
  ...CommandBase,
  reason: Reason.optional(),
  /** The national status processing reports for a transferred dossier (a fact the handler looked up). */
  processingStatus: NationalStatusSchema.optional(),
});

export const IntakeCommand = z.discriminatedUnion('type', [
  RegisterDossier,
  ReceiveDossier,
  RefuseDossier,
  TransferDossier,
  WithdrawDossier,
]);
export type IntakeCommand = z.input<typeof IntakeCommand>;

export type IntakeEvent = DecidedEvent<
  'DossierRegistered' | 'DossierReceived' | 'DossierRefused' | 'DossierTransferred' | 'DossierWithdrawn'
>;

interface ReceivedDossier {
  readonly dossierCode: string;
  readonly procedureCode: string;
  readonly receivingUnitId: string;
  readonly competentUnitId: string;
}

export type IntakeState =
  | { readonly status: 'none' }
  | { readonly status: 1; readonly procedureCode: string }
  | { readonly status: 2; readonly dossier: ReceivedDossier }
  | { readonly status: 3 }
  | { readonly status: 4; readonly dossier: ReceivedDossier; readonly transferredTo: string }
  | { readonly status: 7 };

const ENTRY: readonly NationalStatus[] = [1, 2, 3];

function decide(input: IntakeCommand, state: IntakeState): IntakeEvent[] {
  const command = parseOrThrow(IntakeCommand, input, 'intake command');
  switch (command.type) {
    case 'RegisterDossier':
      assertTransition(command.type, state.status, 1, ENTRY);
      return [
        emit(
          'DossierRegistered',
          { procedureCode: command.procedureCode, channel: command.channel },
          command,
        ),
      ];

    case 'ReceiveDossier': {
      assertTransition(command.type, state.status, 2, ENTRY);
      if (state.status === 1 && state.procedureCode !== command.procedureCode) {
        throw ruleViolated(
          command.type,
          'procedure_mismatch',
          `the dossier was registered for procedure ${state.procedureCode}, not ${command.procedureCode}`,
        );
      }
      const missing = command.components.filter((c) => c.required && !c.provided).map((c) => c.code);
      if (missing.length > 0) {
        throw IncompleteDossier(`cannot ReceiveDossier: required components missing: ${missing.join(', ')}`, {
          details: { missingComponents: missing },
        });
      }
      const { type: _type, now: _now, actor: _actor, startAt, statutoryDueAt, ...data } = command;
      return [
        emit(
          'DossierReceived',
          { ...data, startAt: startAt.toISOString(), statutoryDueAt: statutoryDueAt.toISOString() },
          command,
        ),
      ];
    }

    case 'RefuseDossier':
      assertTransition(command.type, state.status, 3, ENTRY);
      return [
        emit(
          'DossierRefused',
          {
            procedureCode: command.procedureCode,
            receivingUnitId: command.receivingUnitId,
            reason: command.reason,
          },
          command,
        ),
      ];

    case 'TransferDossier': {
      assertTransition(command.type, state.status, 4, ENTRY);
      if (state.status !== 2) throw invalidTransition(command.type, state.status);
      const from = state.dossier.receivingUnitId;
      const custody = (command.custody ?? [{ unitId: from, at: command.now }]).map((c) => ({
        unitId: c.unitId,
        at: c.at.toISOString(),
      }));
      return [
        emit(
          'DossierTransferred',
          { fromUnitId: from, toUnitId: command.toUnitId, channel: command.channel, custody },
          command,
        ),
      ];
    }

    case 'WithdrawDossier': {
      assertTransition(command.type, state.status, 7, ENTRY);
      const seen = command.processingStatus;
      if (state.status === 4 && seen !== undefined && !canTransition(seen, 7)) {
        throw invalidTransition(command.type, seen, 'as reported by processing');
      }
      return [
        emit('DossierWithdrawn', command.reason === undefined ? {} : { reason: command.reason }, command),
      ];
    }
  }
}

function evolve(state: IntakeState, event: IntakeEvent): IntakeState {
  switch (event.type) {
    case 'DossierRegistered':
      return { status: 1, procedureCode: event.data.procedureCode };
    case 'DossierReceived': {
      const { dossierCode, procedureCode, receivingUnitId, competentUnitId } = event.data;
      return { status: 2, dossier: { dossierCode, procedureCode, receivingUnitId, competentUnitId } };
    }
    case 'DossierRefused':
      return { status: 3 };
    case 'DossierTransferred':
      return state.status === 2
        ? { status: 4, dossier: state.dossier, transferredTo: event.data.toUnitId }
        : state;
    case 'DossierWithdrawn':
      return { status: 7 };
  }
}

export const intakeDecider: Decider<IntakeCommand, IntakeState, IntakeEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};

/**
 * Guidance before receipt (Form 02 at the desk) is a standalone fact, not part of a dossier stream: no dossier
 * exists and no clock runs. The service appends it as the only event of a fresh stream `intake-{guidanceId}`,
 * with the guidance id in the envelope's dossierId.
 */
export const GiveGuidance = z.object({
  type: z.literal('GiveGuidance'),
  ...CommandBase,
  procedureCode: ProcedureCode,
  receivingUnitId: UnitId,
  missingComponents: z.array(ComponentCode).min(1),
});
export type GiveGuidance = z.input<typeof GiveGuidance>;

export function giveGuidance(input: GiveGuidance): Decided<'GuidanceGiven'> {
  const command = parseOrThrow(GiveGuidance, input, 'guidance command');
  const { procedureCode, receivingUnitId, missingComponents } = command;
  return emit('GuidanceGiven', { procedureCode, receivingUnitId, missingComponents }, command);
}
