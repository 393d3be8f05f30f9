/** Payloads of the intake service (stream `intake-{dossierId}`). */
import { z } from 'zod';
import { DossierCode, Instant, Limit, ProcedureCode, Reason, UnitId, Uuid } from './primitives.js';

export const DossierRegisteredData = z.object({
  procedureCode: ProcedureCode,
  channel: z.enum(['online', 'postal']),
});

export const ComponentCode = z.string().min(1).max(64);

export const DossierReceivedData = z.object({
  dossierCode: DossierCode,
  procedureCode: ProcedureCode,
  procedureVersion: z.string().min(1).max(32),
  channel: z.enum(['desk', 'online', 'postal']),
  receivingUnitId: UnitId,
  competentUnitId: UnitId,
  crossBoundary: z.boolean(),
  /** Pseudonymous key into the personal-data store (crypto-shredding); never a name or an ID number. */
  applicantId: Uuid,
  /** 1 citizen, 2 enterprise, 3 agency, 4 other. */
  applicantType: z.literal([1, 2, 3, 4]),
  /** `required` lets the projection judge "all required components digitized" without the catalogue. */
  components: z.array(z.object({ code: ComponentCode, provided: z.boolean(), required: z.boolean() })),
  limit: Limit,
  calendarVersion: z.string().min(1).max(32),
  startAt: Instant,
  statutoryDueAt: Instant,
});

export const DossierRefusedData = z.object({
  procedureCode: ProcedureCode,
  receivingUnitId: UnitId,
  reason: Reason,
});

export const GuidanceGivenData = z.object({
  procedureCode: ProcedureCode,
  receivingUnitId: UnitId,
  missingComponents: z.array(ComponentCode).min(1),
});

export const TransferChannel = z.enum(['electronic', 'paper', 'postal']);

export const DossierTransferredData = z.object({
  fromUnitId: UnitId,
  toUnitId: UnitId,
  channel: TransferChannel,
  /** Chain of custody: who held the dossier from when (paper and postal transfers pass through hands). */
  custody: z.array(z.object({ unitId: UnitId, at: Instant })).min(1),
});

export const DossierWithdrawnData = z.object({ reason: Reason.optional() });
