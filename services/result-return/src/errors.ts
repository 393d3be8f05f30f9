/** Error codes of the result-return service (stable: clients key on them). */
import { defineError } from '@onestop/domain';

export const ReturnNotFound = defineError<{ dossierId: string }>('RET_DOSSIER_NOT_FOUND', 'not_found');

/** The result was already received at another unit's desk: a second desk cannot take it over. */
export const ReceivedByOtherUnit = defineError<{ dossierId: string; returningUnitId: string }>(
  'RET_RECEIVED_BY_OTHER_UNIT',
  'conflict',
);
