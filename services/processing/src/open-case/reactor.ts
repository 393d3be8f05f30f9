import type { Catalog, Procedure } from '@onestop/catalog';
import {
  type DossierEvent,
  defineError,
  type ProcessStep,
  processingDecider,
  streamIdFor,
} from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import { handleCommand, type IdGenerator } from '@onestop/service-kit';
import type { ReceivedDossier, ReceivedDossiers } from '../received/received-dossiers.js';

export interface OpenCaseDeps {
  readonly store: EventStore;
  readonly ids: IdGenerator;
  readonly catalog: Catalog;
  readonly received: ReceivedDossiers;
}

/**
 * The transfer arrived before the receipt was remembered. Intake's events of one dossier are delivered in order,
 * so this is transient: the runner retries (and dead-letters if it persists).
 */
export const ReceiptNotSeen = defineError<{ dossierId: string }>('PROC_RECEIPT_NOT_SEEN', 'unavailable');

/** The version the dossier was received under (it is judged by the rules in force at receipt). */
export function procedureOf(catalog: Catalog, received: ReceivedDossier): Procedure {
  const { procedureCode, procedureVersion } = received.data;
  return (
    catalog.procedureVersions(procedureCode).find((p) => p.version === procedureVersion) ??
    catalog.procedure(procedureCode, new Date(received.receivedAt))
  );
}

/**
 * The competent unit's part of the internal process. The desk step (role clerk: receive and transfer) is done
 * by intake and ends with the transfer itself, so the case starts at the first step after it. The catalogue's
 * signer signs as a unit leader (the roles a token can carry).
 */
export function caseSteps(procedure: Procedure): ProcessStep[] {
  const own = procedure.steps.filter((step) => step.role !== 'clerk');
  return (own.length > 0 ? own : procedure.steps).map((step) => ({
    stepId: step.stepId,
    name: step.name,
    role: step.role === 'signer' ? 'leader' : step.role,
    budgetWorkingHours: step.budgetWorkingHours,
  }));
}

/**
 * Opens the case in `processing-{dossierId}` when intake hands the dossier over. The case opens at the transfer's
 * business time (the hand-over instant, whatever the consumer's lag). A redelivered event appends nothing: the
 * decider's OpenCase is idempotent.
 */
export async function openCaseOnDossierTransferred(event: DossierEvent, deps: OpenCaseDeps): Promise<void> {
  if (event.type !== 'DossierTransferred') return;
  const received = await deps.received.find(event.dossierId);
  if (received === undefined) {
    throw ReceiptNotSeen(`dossier ${event.dossierId} was transferred before its receipt was seen`, {
      details: { dossierId: event.dossierId },
    });
  }
  const procedure = procedureOf(deps.catalog, received);
  await handleCommand({
    store: deps.store,
    decider: processingDecider,
    dossierId: event.dossierId,
    streamId: streamIdFor('processing', event.dossierId),
    command: {
      type: 'OpenCase',
      now: new Date(event.occurredAt),
      actor: { id: 'system', role: 'system', unitId: received.data.competentUnitId },
      procedureCode: received.data.procedureCode,
      competentUnitId: received.data.competentUnitId,
      statutoryDueAt: new Date(received.data.statutoryDueAt),
      steps: caseSteps(procedure),
    },
    ids: deps.ids,
    trace: { correlationId: event.correlationId, causationId: event.eventId },
  });
}
