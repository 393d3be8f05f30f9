import type { DossierEvent } from '@onestop/domain';
import type { FeedbackDossiers } from '../records/tables.js';

/**
 * Remembers each received dossier's code and competent unit, so feedback about a dossier can be checked and
 * routed to that unit without reading intake's streams. Idempotent: a redelivered receipt changes nothing.
 */
export async function rememberFeedbackSubjectOnDossierReceived(
  event: DossierEvent,
  deps: { readonly dossiers: FeedbackDossiers },
): Promise<void> {
  if (event.type !== 'DossierReceived') return;
  await deps.dossiers.remember(event.dossierId, {
    dossierCode: event.data.dossierCode,
    competentUnitId: event.data.competentUnitId,
  });
}
