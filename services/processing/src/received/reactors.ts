import type { DossierEvent } from '@onestop/domain';
import type { ReceivedDossiers } from './received-dossiers.js';

export interface RememberDeps {
  readonly received: ReceivedDossiers;
}

/** Keeps what the case will need from the receipt (procedure, units, limit, statutory due). */
export async function rememberDossierOnDossierReceived(
  event: DossierEvent,
  deps: RememberDeps,
): Promise<void> {
  if (event.type !== 'DossierReceived') return;
  await deps.received.remember(event.dossierId, event.occurredAt, event.data);
}

/**
 * Processing cannot see withdrawal in its own stream (intake appends it): remembering it lets the handlers refuse
 * commands on a withdrawn dossier and the clock end at the withdrawal.
 */
export async function rememberWithdrawalOnDossierWithdrawn(
  event: DossierEvent,
  deps: RememberDeps,
): Promise<void> {
  if (event.type !== 'DossierWithdrawn') return;
  await deps.received.markWithdrawn(event.dossierId, event.occurredAt);
}
